"""The list of sub-commands, in the order `portctl --help` shows them."""

from __future__ import annotations

import click

from reconciler.cli.apply import apply
from reconciler.cli.doctor import doctor
from reconciler.cli.drift import drift
from reconciler.cli.emulator import emulator
from reconciler.cli.fmt import fmt
from reconciler.cli.importcmd import import_command
from reconciler.cli.plan import plan
from reconciler.cli.schema import schema
from reconciler.cli.show import show
from reconciler.cli.status import status
from reconciler.cli.validate import validate
from reconciler.cli.watch import watch

ALL: list[click.Command] = []
ALL.append(validate)
ALL.append(fmt)
ALL.append(schema)
ALL.append(emulator)
ALL.append(plan)
ALL.append(drift)
ALL.append(status)
ALL.append(apply)
ALL.append(show)
ALL.append(import_command)
ALL.append(doctor)
ALL.append(watch)
