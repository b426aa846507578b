"""`portctl plan`: diff the specs against the live API and print a reviewable plan.

Wiring only: load specs (`cli.common`), read live state (`live.fetch_live`), decide
(`planning.build_plan`), render (`render.plan.PLAN`), optionally save (`savedplan`).
Read-only against the API: the portability check is the one POST, and it changes nothing.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from reconciler.cli.common import (
    SECRETS_SKIP,
    api_command_options,
    api_errors,
    format_option,
    load_pending,
    make_client,
    out_option,
    plan_exit_code,
    reading_progress,
    secrets_option,
    use_color,
)
from reconciler.clock import cli_today
from reconciler.desired import DesiredState
from reconciler.lifecycle import OrderStatus
from reconciler.live import Listing, LiveOrderSummary, fetch_live
from reconciler.planning import build_plan
from reconciler.planning.reads import PlanReads
from reconciler.planning.taken import TakenNumbers
from reconciler.render.plan import PLAN, PlanView
from reconciler.savedplan import PLAN_KEY_VARIABLE, plan_key, write_saved_plan
from reconciler.spec.project import PendingState


class _EarlyReads:
    """`PlanReads`, with the order list and the details read while the bodies are built.

    Which orders to list and read in full is decided from the orders' references and
    states and the prefix (`PlanReads.listing`, `details`), which the sketch of the state
    has as soon as the specs passed validation; the later reads wait for the whole state.
    Nothing is read before the specs passed: a plan with a spec problem calls no API."""

    def __init__(self, pending: PendingState, *, prune: bool) -> None:
        self._pending = pending
        self._prune = prune
        self._sketch = PlanReads(pending.sketch, prune=prune)
        self._full: PlanReads | None = None
        self._details: list[int] | None = None

    def desired(self) -> DesiredState:
        """The whole state (waiting for it)."""
        return self._reads().desired

    def _reads(self) -> PlanReads:
        if self._full is None:
            self._full = PlanReads(self._pending.result(), prune=self._prune)
        return self._full

    def listing(self, rows: Sequence[LiveOrderSummary]) -> Listing:
        return self._sketch.listing(rows)

    def details(self, listing: Listing) -> list[int]:
        self._details = self._sketch.details(listing)
        return self._details

    def _checked(self, listing: Listing) -> PlanReads:
        """The whole state's reads, once sure that it decides the reads made as its sketch
        did (a rule that came to look at more than the sketch has must not go unseen)."""
        reads = self._reads()
        if self._details is not None and reads.details(listing) != self._details:
            raise RuntimeError("the sketch of the specs decided other reads than the specs")
        self._details = None
        return reads

    def activations(self, listing: Listing) -> list[int]:
        return self._checked(listing).activations(listing)

    def portability(self, listing: Listing, held: Mapping[str, int]) -> list[str]:
        return self._checked(listing).portability(listing, held)

    def taken(self, listing: Listing) -> TakenNumbers | None:
        return self._checked(listing).taken(listing)


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
    pending = load_pending(
        paths,
        env_file=env_file,
        selectors=selectors,
        resolve_secrets=secrets_mode != SECRETS_SKIP,
    )
    with (
        contextlib.closing(pending),
        make_client(emulator) as client,
        api_errors(emulator),
        reading_progress(client),
    ):
        reads = _EarlyReads(pending, prune=prune)
        live = fetch_live(client, reads)
        desired = reads.desired()
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
