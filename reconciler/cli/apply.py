"""`portctl apply`: plan and apply, or apply a saved plan after the stale check.

Contract: docs/design.md#apply-semantics and #saved-plans.

Wiring only. The order of things is the contract: load specs, read live state, make (or
re-verify) the plan, show it, refuse on a safety budget breach, ask for `yes` on a terminal
(or require `--auto-approve`), then hand the items to `reconciler.apply.Executor`, print the
outcome table and exit 0, 1 (anything failed or unknown) or 3 (blocked items left).
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import click

from reconciler.apply import ApplyReport, Executor, Observer
from reconciler.apply.audit import AuditIdentity, AuditLog, actor_from, commit_from
from reconciler.apply.budgets import effective_budgets
from reconciler.apply.context import CreateChecks
from reconciler.apply.lock import ApplyLocked, apply_lock, lock_path
from reconciler.apply.progress import progress_for
from reconciler.cli.common import (
    DEFAULT_PATHS,
    api_command_options,
    api_errors,
    format_option,
    is_tty,
    load_desired,
    make_client,
    use_color,
)
from reconciler.cli.exits import EXIT_BLOCKED, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK
from reconciler.clock import cli_today
from reconciler.desired import DesiredState
from reconciler.essence import port_defaults
from reconciler.lifecycle import OrderStatus
from reconciler.live import LiveSnapshot, fetch_live
from reconciler.planning import Plan, build_plan
from reconciler.planning.reads import PlanReads
from reconciler.render.plan import PLAN, PlanView
from reconciler.render.registry import APPLY, ApplyView
from reconciler.savedplan import (
    SavedPlan,
    SavedPlanError,
    plan_fingerprints,
    plan_key,
    read_saved_plan,
    stale_reasons,
)

SPEC_SUFFIXES = (".yaml", ".yml")
CONFIRM_WORD = "yes"


def _kept_out_of_collections() -> None:
    """Leave every object alive now out of later cycle collections (`gc.freeze`).

    An apply holds the loaded specs, then the live orders and the plan, to its end, and makes
    next to no cycles among them; each full collection walked them all again (0.14 s of CPU in
    an apply of 300 creates against 10,000 orders; issue 12). Frozen objects are never
    collected, so only cycles among them would stay (there are next to none); the collector
    still runs, for what the apply allocates afterwards (each request's objects), unlike
    `plan`, which pauses it for the whole command."""
    gc.freeze()


def split_arguments(paths: Sequence[Path]) -> tuple[Path | None, tuple[Path, ...]]:
    """`(plan file, spec paths)`: a first argument that is a file but not YAML is a plan."""
    if paths and paths[0].is_file() and paths[0].suffix.lower() not in SPEC_SUFFIXES:
        return paths[0], tuple(paths[1:])
    return None, tuple(paths)


def apply_exit_code(report: ApplyReport) -> int:
    """1 if anything failed or is unknown; else 3 if blocked items remain; else 0."""
    if not report.ok:
        return EXIT_ERROR
    return EXIT_BLOCKED if report.plan.has_blocked else EXIT_OK


def _read_saved_plan(plan_file: Path, *, prune: bool) -> SavedPlan:
    """The saved plan, if its file is intact (checksum, signature) and asks for this `--prune`.

    The file only says what was reviewed: the plan acted on, its budgets, `--prune` and
    fingerprints all come from this run (docs/design.md#saved-plans).
    """
    try:
        saved = read_saved_plan(plan_file, key=plan_key(os.environ))
    except SavedPlanError as exc:
        raise click.ClickException(f"{exc}; nothing was applied") from None
    if saved.prune != prune:
        made, needs = ("with", "pass --prune") if saved.prune else ("without", "drop --prune")
        raise click.ClickException(
            f"saved plan {plan_file} was made {made} --prune; {needs} to apply it (apply "
            "takes --prune from its own command line, never from the file); nothing was applied"
        )
    return saved


def _refuse_if_stale(
    saved: SavedPlan, plan_file: Path, desired: DesiredState, live: LiveSnapshot, fresh: Plan
) -> None:
    """Exit 1 unless the fresh plan takes exactly the saved plan's actions."""
    reasons = stale_reasons(saved, desired=desired, live=live, fresh=fresh)
    if reasons:
        for reason in reasons:
            click.echo(f"stale: {reason}", err=True)
        raise click.ClickException(
            f"saved plan {plan_file} is stale; nothing was applied. Make a new one with "
            "`portctl plan --out FILE`, review it, and apply that"
        )


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (a CI job cancelled, `kill`) stops the run like Ctrl-C: the items in hand are
    recorded, and the partial outcome table printed, instead of dying mid-item. Signals
    arrive in the main thread, which is the one waiting while the executor's workers run."""
    try:
        previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _workspace_lock(paths: Sequence[Path]) -> Iterator[None]:
    """Refuse to start while another apply on this workspace runs (`reconciler.apply.lock`)."""
    path = lock_path(paths)
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(apply_lock(path))
        except ApplyLocked as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(
                f"cannot take the apply lock {path}: {exc.strerror}; nothing was sent to the API"
            ) from None
        yield


@contextlib.contextmanager
def _audit(path: Path | None) -> Iterator[list[Observer]]:
    if path is None:
        yield []
        return
    identity = AuditIdentity(actor=actor_from(os.environ), commit=commit_from(os.environ))
    with path.open("a", encoding="utf-8") as stream:
        yield [AuditLog(stream, identity)]


@click.command("apply")
@api_command_options
@format_option(APPLY)
@click.option("--auto-approve", is_flag=True, help="Apply without asking (required without a TTY).")
@click.option("--max-cancels", type=click.IntRange(min=0), help="Cancels allowed in this run.")
@click.option("--max-prune", type=click.IntRange(min=0), help="Orphans --prune may cancel.")
@click.option(
    "--max-numbers",
    "--max-numbers-touched",
    "max_numbers",
    type=click.IntRange(min=1),
    help="Numbers this run may create, change or cancel.",
)
@click.option(
    "--prune", is_flag=True, help=f"Cancel {OrderStatus.PENDING} orphans (counted as cancels)."
)
@click.option(
    "--audit-log",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append one JSON line per item (time, actor, commit, order, action, outcome).",
)
def apply(
    paths: tuple[Path, ...],
    env_file: Path | None,
    selectors: tuple[str, ...],
    emulator: bool,
    output_format: str,
    auto_approve: bool,
    max_cancels: int | None,
    max_prune: int | None,
    max_numbers: int | None,
    prune: bool,
    audit_log: Path | None,
) -> None:
    """Apply the specs under PATHS (default specs/), or a saved plan.

    With a plan file from `plan --out` as the first argument (spec paths may follow), that
    plan is applied only if the specs and every order it touches are unchanged; otherwise it
    is refused as stale and nothing is applied. Without a terminal, --auto-approve is needed.
    """
    interactive = is_tty(sys.stdin)
    if not auto_approve and not interactive:
        raise click.UsageError(
            "apply asks for 'yes' on a terminal; without one, pass --auto-approve"
        )
    plan_file, spec_paths = split_arguments(paths)
    saved = _read_saved_plan(plan_file, prune=prune) if plan_file is not None else None
    desired = load_desired(spec_paths, env_file=env_file, selectors=selectors)
    _kept_out_of_collections()
    budgets = effective_budgets(
        desired.safety, max_cancels=max_cancels, max_prune=max_prune, max_numbers=max_numbers
    )
    color = use_color()
    with (
        _workspace_lock(spec_paths or DEFAULT_PATHS),
        make_client(emulator) as client,
        api_errors(emulator),
    ):
        live = fetch_live(client, PlanReads(desired, prune=prune))
        plan = build_plan(desired, live, today=cli_today(live.fetched_at), prune=prune)
        if saved is not None:
            assert plan_file is not None
            _refuse_if_stale(saved, plan_file, desired, live, plan)
        fingerprints = plan_fingerprints(plan, live)
        _kept_out_of_collections()
        breaches = plan.budget_breaches(budgets)
        if output_format != "json" or breaches:
            click.echo(PLAN.render(PlanView(plan, color), output_format), nl=False, color=color)
        if breaches:
            for breach in breaches:
                click.echo(f"refused: {breach.message}", err=True)
            raise click.ClickException("safety budget exceeded; nothing was applied")
        if plan.actions and not auto_approve:
            if output_format == "json":  # stdout is for the one json document; show it here
                click.echo(
                    PLAN.render(PlanView(plan, color), "text"), nl=False, err=True, color=color
                )
            answer = click.prompt(
                f"Apply {len(plan.actions)} action(s)? Only '{CONFIRM_WORD}' is accepted",
                default="",
                show_default=False,
                err=True,
            )
            if answer.strip() != CONFIRM_WORD:
                raise click.ClickException("apply cancelled; nothing was changed")
        config = desired.configuration.body if desired.configuration else live.configuration
        with _audit(audit_log) as observers:
            progress = progress_for(
                sys.stderr, interactive=is_tty(sys.stderr), color=use_color(sys.stderr)
            )
            executor = Executor(
                client,
                desired,
                fingerprints=fingerprints,
                defaults=port_defaults(config),
                observers=[progress, *observers],
                first_look=CreateChecks.from_plan(live),
            )
            try:
                with _sigterm_interrupts():
                    report = executor.run(plan)
            finally:
                progress.close()
    code = apply_exit_code(report)
    if report.interrupted:
        code = EXIT_INTERRUPTED
        click.echo(
            f"Interrupted: {len(report.not_run)} action(s) not started; an action in hand is "
            "unknown (its request may have been sent). Run `portctl plan` to see what is left.",
            err=True,
        )
    click.echo(APPLY.render(ApplyView(report, code), output_format), nl=False)
    click.get_current_context().exit(code)
