"""`portctl plan`: diff the specs against the live API and print a reviewable plan.

Wiring only: load specs (`cli.common`), read live state (`live.fetch_live`), decide
(`planning.build_plan`), render (`render.registry.PLAN`), optionally save (`savedplan`).
Read-only against the API: the portability check is the one POST, and it changes nothing.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

import click

from reconciler.cli.common import (
    SECRETS_SKIP,
    api_command_options,
    api_errors,
    format_option,
    load_desired,
    make_client,
    out_option,
    plan_exit_code,
    reading_progress,
    secrets_option,
    use_color,
)
from reconciler.clock import cli_today
from reconciler.lifecycle import OrderStatus
from reconciler.live import fetch_live
from reconciler.planning import build_plan
from reconciler.planning.reads import PlanReads
from reconciler.render.registry import PLAN, PlanView
from reconciler.savedplan import PLAN_KEY_VARIABLE, plan_key, write_saved_plan


def _pause_cycle_collector() -> None:
    """Pause Python's cycle collector for the whole command, loading included.

    A plan builds millions of objects that stay alive to the end (the loaded specs, the live
    orders, the plan) and makes next to no cycles, so every collection walked them again for
    nothing: a second of a 10,000-spec plan (issue 12), in pauses that also stalled the reads
    in flight, plus one walk of everything when the loader resumed the collector and one more
    at interpreter exit. When the command's context closes, what exists is frozen (left out
    of later collections, exit's included) and the collector resumes, so a process that goes
    on (tests) collects what it allocates next as usual; only cycles among the frozen objects
    are never collected, and there are next to none."""
    if gc.isenabled():
        gc.disable()
        click.get_current_context().call_on_close(_resume_cycle_collector)


def _resume_cycle_collector() -> None:
    gc.freeze()
    gc.enable()


@click.command("plan")
@api_command_options
@format_option(PLAN)
@out_option("Also save the plan as JSON for `portctl apply FILE` (no secret values).")
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when changes are pending and 3 when anything is blocked (3 wins).",
)
@click.option(
    "--prune",
    is_flag=True,
    help=f"Plan to cancel {OrderStatus.PENDING} orphans (never by default).",
)
@click.option("--stats", is_flag=True, help="Print the number of API calls on stderr.")
@secrets_option
def plan(
    paths: tuple[Path, ...],
    env_file: Path | None,
    selectors: tuple[str, ...],
    emulator: bool,
    output_format: str,
    out: Path | None,
    detailed_exitcode: bool,
    prune: bool,
    stats: bool,
    secrets_mode: str,
) -> None:
    """Show what apply would change, without changing anything.

    `--secrets skip` reads no secret value: secret fields are reported as not compared, and
    a plan saved with it applies only if the plan apply makes (with secrets) takes the same
    actions (`reconciler.savedplan.stale_reasons`).
    """
    _pause_cycle_collector()
    desired = load_desired(
        paths,
        env_file=env_file,
        selectors=selectors,
        resolve_secrets=secrets_mode != SECRETS_SKIP,
    )
    with make_client(emulator) as client, api_errors(emulator), reading_progress(client):
        live = fetch_live(client, PlanReads(desired, prune=prune))
    result = build_plan(desired, live, today=cli_today(live.fetched_at), prune=prune)
    click.echo(
        PLAN.render(PlanView(result, color=use_color(), api_calls=live.api_calls), output_format),
        nl=False,
        color=use_color(),
    )
    if out is not None:
        key = plan_key(os.environ)
        checksum = write_saved_plan(out, result, desired=desired, live=live, prune=prune, key=key)
        signed = f", signed with {PLAN_KEY_VARIABLE}" if key is not None else ""
        click.echo(f"Plan saved to {out} (checksum {checksum[:12]}{signed}).", err=True)
    if stats:
        click.echo(f"API calls: {live.api_calls}", err=True)
    click.get_current_context().exit(plan_exit_code(result, detailed=detailed_exitcode))
