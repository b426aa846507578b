"""Options and helpers the commands share (plan, apply, drift, status, import, validate).

One place decides how PATHS default, how `--env-file`, `--selector` and `--format` read, how
spec problems are printed, how the client is made and how errors become exit codes, so the
commands agree with each other and with docs/design.md#exit-codes.

Imports: the API client, rich, planning and reporting are imported by the helpers that use
them, not here: `validate` (pre-commit hooks, CI on every push) needs none of them, and
importing them was a quarter of a second of every `validate`.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from reconciler.cli.exits import EXIT_BLOCKED, EXIT_CHANGES, EXIT_OK
from reconciler.clock import cli_today
from reconciler.redact import printable, scrub
from reconciler.spec import LoadResult, load_env, load_project
from reconciler.spec.cache import VerdictCache, cache_directory
from reconciler.spec.envfile import EnvFileError

if TYPE_CHECKING:
    from rich.text import Text

    from reconciler.api import PortingClient
    from reconciler.desired import DesiredState
    from reconciler.live import LiveSnapshot
    from reconciler.planning import Plan
    from reconciler.render.output import Output
    from reconciler.spec.project import PendingState

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_PATHS = (Path("specs"),)


SETTINGS_META = "portctl.settings"
COLOR_META = "portctl.color"
COLOR_CHOICES = ("auto", "always", "never")


def _remember_color(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[COLOR_META] = value


def color_option(command: F) -> F:
    """`--color auto|always|never`, on the `portctl` group and on every command.

    `auto` (the default) colours a terminal unless `NO_COLOR` is set; the choice reaches
    `use_color` through the click context, so no command passes it around.
    """
    return click.option(
        "--color",
        type=click.Choice(COLOR_CHOICES),
        default=None,
        expose_value=False,
        is_eager=True,
        callback=_remember_color,
        help="Colour: auto (a terminal without NO_COLOR), always or never.",
    )(command)


def out_option(help: str) -> Callable[[F], F]:
    """`-o/--out FILE` (`--output` accepted too): the one flag every command writes a file with."""
    return click.option(
        "--out",
        "-o",
        "--output",
        "out",
        type=click.Path(dir_okay=False, path_type=Path),
        help=help,
    )


def emit(text: str, out: Path | None, what: str) -> None:
    """Print a rendered report, or write it to `out` (`out_option`) and say so on stderr."""
    if out is None:
        click.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    click.echo(f"{what} written to {out}.", err=True)


def _remember_settings(ctx: click.Context, _: click.Parameter, value: Path | None) -> None:
    ctx.meta[SETTINGS_META] = value


def paths_argument(command: F) -> F:
    """`[PATHS...]`: spec files or directories (default `specs/`), and `--settings FILE`.

    Every command that reads specs takes both, so `--settings` rides along with PATHS; its
    value reaches `read_specs` through the click context instead of every command's arguments.
    """
    command = click.option(
        "--settings",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        expose_value=False,
        callback=_remember_settings,
        help="Settings file to use (default: the nearest portctl.yaml above each path, "
        "not above the git root).",
    )(command)
    return click.argument("paths", nargs=-1, type=click.Path(path_type=Path))(command)


def env_file_option(command: F) -> F:
    """`--env-file FILE`: dotenv variables for `${NAME}` secret references (environment wins)."""
    return click.option(
        "--env-file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="dotenv file with variables for ${NAME} secret references (environment wins).",
    )(command)


def selector_option(command: F) -> F:
    """`--selector key=value` (repeatable): only specs whose labels match all of them."""
    return click.option(
        "--selector",
        "-l",
        "selectors",
        multiple=True,
        metavar="KEY=VALUE",
        help="Only specs whose metadata.labels match (repeatable; all must match).",
    )(command)


def format_option(output: Output[Any], help: str = "Output format.") -> Callable[[F], F]:
    """`--format`: the formats the output registry holds for this command's document.

    The choices come from `output` only, so a format added to the registry is offered by the
    command without touching it; the first format is the default.
    """
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(output.formats)),
        default=output.formats[0],
        show_default=True,
        help=help,
    )


SECRETS_RESOLVE = "resolve"
SECRETS_SKIP = "skip"


def secrets_option(command: F) -> F:
    """`--secrets resolve|skip`: `skip` reads no secret value (a PR plan in CI needs none)."""
    return click.option(
        "--secrets",
        "secrets_mode",
        type=click.Choice([SECRETS_RESOLVE, SECRETS_SKIP]),
        default=SECRETS_RESOLVE,
        show_default=True,
        help="skip: read no secret value; secret fields are compared by reference only and "
        "reported as not compared (for plans made without credentials, e.g. on pull requests).",
    )(command)


PARALLELISM_META = "portctl.parallelism"


def _remember_parallelism(ctx: click.Context, _: click.Parameter, value: int | None) -> None:
    ctx.meta[PARALLELISM_META] = value


def api_options(command: F) -> F:
    """`--emulator` (an `emulator` arg) and `--parallelism N` (read by `make_client` through
    the click context): every command that talks to the API takes them."""
    from reconciler.api.concurrency import DEFAULT_CEILING  # see "Imports" in the docstring

    command = click.option(
        "--parallelism",
        type=click.IntRange(min=1),
        envvar="PORTCTL_PARALLELISM",
        expose_value=False,
        callback=_remember_parallelism,
        help=f"Most API requests in flight at once (default {DEFAULT_CEILING}; env "
        "PORTCTL_PARALLELISM). Starts at 8 and halves when the API answers 429.",
    )(command)
    return click.option(
        "--emulator",
        is_flag=True,
        default=False,
        help=(
            "Run against the embedded Porting API emulator (no account needed; state in "
            ".portctl/emulator.json or $PORTCTL_EMULATOR_STATE)."
        ),
    )(command)


def api_command_options(command: F) -> F:
    """PATHS, `--env-file`, `--selector` and `--emulator`, the set every API command takes."""
    for decorator in (api_options, selector_option, env_file_option, paths_argument):
        command = decorator(command)
    return command


def parse_selectors(selectors: Sequence[str]) -> dict[str, str]:
    """`("customer=acme", "tier=gold")` -> dict; a malformed one is a usage error (exit 64)."""
    parsed: dict[str, str] = {}
    for selector in selectors:
        key, sep, value = selector.partition("=")
        if not sep or not key.strip():
            raise click.UsageError(f"--selector must be KEY=VALUE, got {selector!r}")
        parsed[key.strip()] = value.strip()
    return parsed


def select(state: DesiredState, selectors: Mapping[str, str]) -> DesiredState:
    """Only the orders whose labels match every selector.

    A selection is not the whole repository: orders of the specs left out must not look like
    orphans (and be pruned!), so orphan detection is switched off (`whole_project` false;
    the prefix stays, for the references and the plan header). The configuration spec has no
    labels and is left out too.
    """
    if not selectors:
        return state
    orders = tuple(
        o for o in state.orders if all(o.labels.get(k) == v for k, v in selectors.items())
    )
    return replace(state, orders=orders, whole_project=False, configuration=None)


def checked_today() -> date:
    """`cli_today()`, with a malformed `PORTCTL_TODAY` as a usage error (exit 64)."""
    try:
        return cli_today()
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def read_specs(
    paths: Sequence[Path],
    *,
    env_file: Path | None,
    allow_plaintext_secrets: bool,
    resolve_secrets: bool,
    build_state: bool = True,
    use_cache: bool = False,
    early: bool = False,
) -> LoadResult:
    """The specs under PATHS (default `specs/`), validated; issues returned, not printed.

    `use_cache`: look clean verdicts up in, and keep them in, the workspace's `.portctl/cache`
    (`reconciler.spec.cache`; only `validate` asks, and only for what it may cache).

    A missing path or a bad `PORTCTL_TODAY` is a usage error (exit 64), the same for every
    command that reads specs; an unreadable or malformed `--env-file` is an error (exit 1).
    """
    targets = list(paths) or list(DEFAULT_PATHS)
    missing = [str(p) for p in targets if not p.exists()]
    if missing:
        raise click.UsageError(f"path does not exist: {', '.join(missing)}")
    today = checked_today()
    try:
        env = load_env(env_file, os.environ)
    except EnvFileError as exc:
        raise click.ClickException(f"--env-file {exc}") from None
    context = click.get_current_context(silent=True)
    return load_project(
        targets,
        today=today,
        env=env,
        allow_plaintext_secrets=allow_plaintext_secrets,
        resolve_secrets=resolve_secrets,
        settings_file=context.meta.get(SETTINGS_META) if context else None,
        build_state=build_state,
        verdicts=VerdictCache(cache_directory(targets)) if use_cache else None,
        early=early,
    )


def load_desired(
    paths: Sequence[Path],
    *,
    env_file: Path | None,
    selectors: Sequence[str] = (),
    resolve_secrets: bool = True,
) -> DesiredState:
    """Load and validate the specs; every problem printed, then exit 1.

    Secrets are resolved unless `resolve_secrets` is False: then secret fields keep their
    `${...}` reference, which the comparison (`reconciler.compare`) reports as not compared
    and which apply never gets (it always resolves)."""
    wanted = parse_selectors(selectors)
    result = _read_clean_specs(paths, env_file, resolve_secrets, early=False)
    assert result.state is not None, "the state is built when there is no issue"
    return select(result.state, wanted)


def load_pending(
    paths: Sequence[Path],
    *,
    env_file: Path | None,
    selectors: Sequence[str] = (),
    resolve_secrets: bool = True,
) -> PendingState:
    """`load_desired`, with the state handed over as soon as the specs passed validation,
    maybe before the orders' bodies are built (`reconciler.spec.project.PendingState`): a
    plan reads the API meanwhile. The caller closes it (`contextlib.closing`)."""
    wanted = parse_selectors(selectors)
    result = _read_clean_specs(paths, env_file, resolve_secrets, early=True)
    assert result.pending is not None, "the state is handed over when there is no issue"
    return result.pending.then(lambda state: select(state, wanted))


def _read_clean_specs(
    paths: Sequence[Path], env_file: Path | None, resolve_secrets: bool, *, early: bool
) -> LoadResult:
    """`read_specs` of specs a command acts on (no plaintext secrets allowed); every problem
    printed, then exit 1."""
    result = read_specs(
        paths,
        env_file=env_file,
        allow_plaintext_secrets=False,
        resolve_secrets=resolve_secrets,
        early=early,
    )
    _exit_on_problems(result, env_file)
    return result


def _exit_on_problems(result: LoadResult, env_file: Path | None) -> None:
    """Print every problem of the specs, then exit 1 (nothing is sent to the API)."""
    if not result.issues and (result.state is not None or result.pending is not None):
        return
    for issue in result.issues:
        click.echo(printable(scrub(str(issue))), err=True)
    if env_file is None and result.secret_variables:
        click.echo(
            "Hint: secret references need their variables; set them in the environment or "
            "pass --env-file FILE (the examples ship specs/demo.env).",
            err=True,
        )
    raise click.ClickException(
        f"{len(result.issues)} problem(s) in the specs; nothing was sent to the API"
    )


def make_client(emulator: bool) -> PortingClient:
    """The API client (or the embedded emulator's); settings problems exit 1 with one paragraph."""
    from reconciler.api.concurrency import DEFAULT_CEILING
    from reconciler.connect import ConnectionSettingsError, client_from_env

    try:
        context = click.get_current_context(silent=True)
        chosen = context.meta.get(PARALLELISM_META) if context else None
        return client_from_env(
            emulator=emulator, environ=os.environ, parallelism=chosen or DEFAULT_CEILING
        )
    except ConnectionSettingsError as exc:
        raise click.ClickException(str(exc)) from None


@contextlib.contextmanager
def api_errors(emulator: bool) -> Iterator[None]:
    """Turn API failures into a one-line error (exit 1), scrubbed of secrets, no traceback.

    A corrupt `--emulator` state file surfaces here too: the embedded transport reads it on
    the first request.
    """
    from reconciler.api import ApiError
    from reconciler.connect import explain_api_error
    from reconciler.emulator.store import StateFileError

    try:
        yield
    except ApiError as exc:
        raise click.ClickException(
            scrub(explain_api_error(exc, emulator=emulator, environ=os.environ))
        ) from None
    except StateFileError as exc:
        raise click.ClickException(str(exc)) from None


class _Reading:
    """The progress line's text, re-rendered on each refresh from the client's call count."""

    def __init__(self, client: PortingClient) -> None:
        self._client = client
        self._calls = 0

    def __rich__(self) -> Text:
        from rich.text import Text

        # A reader thread may add a key mid-copy: then show the last count.
        with contextlib.suppress(RuntimeError):
            self._calls = sum(dict(self._client.calls).values())
        return Text(f"Reading live orders from the API… {self._calls} request(s)", style="dim")


@contextlib.contextmanager
def reading_progress(client: PortingClient) -> Iterator[None]:
    """A progress line on stderr while live orders are read, only when stderr is a terminal
    (a CI log gets nothing); it is erased when reading ends, so output stays clean."""
    if not is_tty(sys.stderr):
        yield
        return
    from rich.console import Console
    from rich.live import Live

    console = Console(file=sys.stderr, no_color=not use_color(sys.stderr))
    with Live(_Reading(client), console=console, transient=True, refresh_per_second=8):
        yield


def read_for_report(
    paths: tuple[Path, ...],
    env_file: Path | None,
    selectors: tuple[str, ...],
    emulator: bool,
    *,
    resolve_secrets: bool = True,
) -> tuple[DesiredState, LiveSnapshot, Plan, date]:
    """Specs, live state (reads only), the plan and today (the API's clock), as `drift` and
    `status` both need them; the plan decides what each report calls drift or a next step."""
    from reconciler.planning import build_plan
    from reconciler.reporting import fetch_report_live

    desired = load_desired(
        paths, env_file=env_file, selectors=selectors, resolve_secrets=resolve_secrets
    )
    with make_client(emulator) as client, api_errors(emulator), reading_progress(client):
        live = fetch_report_live(client, desired)
    today = cli_today(live.fetched_at)
    return desired, live, build_plan(desired, live, today=today), today


def plan_exit_code(plan: Plan, *, detailed: bool) -> int:
    """0 in sync; with `detailed`, 3 when anything is blocked (wins), 2 for changes.

    See docs/design.md#exit-codes.
    """
    if not detailed:
        return EXIT_OK
    if plan.has_blocked:
        return EXIT_BLOCKED
    if plan.has_changes:
        return EXIT_CHANGES
    return EXIT_OK


def is_tty(stream: IO[str]) -> bool:
    """Whether `stream` is a terminal (streams without `isatty`, like some captures, are not)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def use_color(stream: IO[str] | None = None) -> bool:
    """`--color always|never` when given; else (`auto`) colour only on a terminal, and never
    when `NO_COLOR` is set (https://no-color.org)."""
    context = click.get_current_context(silent=True)
    mode = context.meta.get(COLOR_META, "auto") if context else "auto"
    if mode != "auto":
        return bool(mode == "always")
    if os.environ.get("NO_COLOR"):
        return False
    return is_tty(stream if stream is not None else sys.stdout)
