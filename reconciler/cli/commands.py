"""The list of sub-commands, in the order `portctl --help` shows them."""

from __future__ import annotations

import click

ALL: list[click.Command] = []
