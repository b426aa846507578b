"""`portctl status`: where each managed order stands and what should happen next.

Wiring only: the specs, live state and plan that `drift` reads (`read_for_report`; the plan
decides the next step), then lifecycle facts, rendered. Exit 0 unless something failed (1).
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.common import (
    api_command_options,
    emit,
    format_option,
    out_option,
    read_for_report,
)
from reconciler.render.registry import STATUS, StatusView
from reconciler.reporting import all_facts


@click.command("status")
@api_command_options
@format_option(STATUS)
@out_option("Write the status to FILE instead of standard output.")
def status(
    paths: tuple[Path, ...],
    env_file: Path | None,
    selectors: tuple[str, ...],
    emulator: bool,
    output_format: str,
    out: Path | None,
) -> None:
    """Show each spec's order: status, numbers by status, FOC dates, groups, next step."""
    # Where an order stands needs no secret value: secret fields are not compared here.
    desired, live, plan, today = read_for_report(
        paths, env_file, selectors, emulator, resolve_secrets=False
    )
    facts = all_facts(desired.orders, live, plan.items, today=today)
    text = STATUS.render(StatusView(facts, today), output_format)
    emit(text, out, "Status")
