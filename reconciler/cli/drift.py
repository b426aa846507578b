"""`portctl drift`: where live orders and the specs disagree, and what needs a human.

Wiring only: load specs, read live state (reads only), build the plan, sort it into a drift
report (`reporting.drift`), render it. Exit codes (docs/design.md#exit-codes): 0 in sync, 2 drift, 3
blocked drift (3 wins), 1 error.
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.common import (
    SECRETS_SKIP,
    api_command_options,
    emit,
    format_option,
    out_option,
    read_for_report,
    secrets_option,
)
from reconciler.cli.exits import EXIT_BLOCKED, EXIT_CHANGES, EXIT_OK
from reconciler.planning.notices import SECRETS_NOT_COMPARED
from reconciler.render.registry import DRIFT
from reconciler.reporting import build_drift

VERDICT_EXIT = {"in-sync": EXIT_OK, "drift": EXIT_CHANGES, "blocked": EXIT_BLOCKED}


@click.command("drift")
@api_command_options
@format_option(DRIFT)
@out_option("Write the report to FILE instead of standard output.")
@secrets_option
def drift(
    paths: tuple[Path, ...],
    env_file: Path | None,
    selectors: tuple[str, ...],
    emulator: bool,
    output_format: str,
    out: Path | None,
    secrets_mode: str,
) -> None:
    """Report drift between the specs and live orders (read-only; exit 2 drift, 3 blocked).

    Secret fields that could not be compared (`--secrets skip`, or an API that masks them) are
    listed on stderr: the report is about what differs, and they are neither in sync nor not.
    """
    desired, live, plan, today = read_for_report(
        paths, env_file, selectors, emulator, resolve_secrets=secrets_mode != SECRETS_SKIP
    )
    report = build_drift(desired, live, plan, today=today)
    text = DRIFT.render(report, output_format)
    emit(text, out, "Drift report")
    not_compared = [
        f"{item.name}: {notice.message}"
        for item in plan.items
        for notice in item.notices
        if notice.code == SECRETS_NOT_COMPARED
    ]
    if not_compared:
        click.echo("Secret fields not compared:\n  " + "\n  ".join(not_compared), err=True)
    click.get_current_context().exit(VERDICT_EXIT[report.verdict])
