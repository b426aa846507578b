"""`portctl status`: where each managed order stands and what should happen next.

Wiring only: load specs, read live state (reads only), build the plan (it decides the next
step), compute lifecycle facts, render. Exit 0 unless something failed (1).
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.common import (
    api_command_options,
    api_errors,
    format_option,
    load_desired,
    make_client,
)
from reconciler.clock import cli_today
from reconciler.plan import build_plan
from reconciler.reporting import all_facts, fetch_report_live
from reconciler.status import STATUS_FORMATS, render_status


@click.command("status")
@api_command_options
@format_option(STATUS_FORMATS)
def status(
    paths: tuple[Path, ...],
    env_file: Path | None,
    selectors: tuple[str, ...],
    emulator: bool,
    output_format: str,
) -> None:
    """Show each spec's order: status, numbers by status, FOC dates, next step."""
    desired = load_desired(paths, env_file=env_file, selectors=selectors)
    with make_client(emulator) as client, api_errors():
        live = fetch_report_live(client, desired)
    today = cli_today(live.fetched_at)
    plan = build_plan(desired, live, today=today)
    facts = all_facts(desired.orders, live, plan.items, today=today)
    click.echo(render_status(facts, output_format, today=today), nl=False)
