"""`portctl watch`: the webhook-driven controller (`reconciler.watch`), and `--status`.

Wiring only: options, the token and notification targets from the environment, a spec loader
and a client factory for the worker, then `watch.service.serve`. `--status` reads the state
database and renders it through the output registry (`render.registry.WATCH`).
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import click

from reconciler.apply.lock import apply_lock, lock_path
from reconciler.cli.common import (
    SETTINGS_META,
    api_command_options,
    checked_today,
    load_desired,
    make_client,
    parse_selectors,
    select,
)
from reconciler.clock import cli_today
from reconciler.connect import emulator_state_path
from reconciler.desired import DesiredState
from reconciler.redact import register_secret, scrub
from reconciler.render.registry import WATCH
from reconciler.spec import load_env, load_project

TOKEN_VARIABLE = "PORTCTL_WATCH_TOKEN"  # noqa: S105 (the variable's name)
MIN_TOKEN_LENGTH = 16
DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    """`10s`, `5m`, `1h` (or `1d`) as a timedelta; ValueError otherwise (or zero)."""
    match = DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not a duration like 10s, 5m or 1h")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


def parse_listen(text: str) -> tuple[str, int]:
    """`HOST:PORT` (`[::1]:8788` for IPv6) -> (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"{text!r} is not HOST:PORT")
    return host.strip("[]"), int(port)


def _duration(_: click.Context, __: click.Parameter, value: str) -> timedelta:
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _listen(_: click.Context, __: click.Parameter, value: str) -> tuple[str, int]:
    try:
        return parse_listen(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def order_link(emulator: bool) -> str:
    """A URL template (`{id}`) of an order in the API, for notification messages."""
    if emulator:
        return f"emulator state {emulator_state_path(os.environ)}: order {{id}}"
    base = os.environ.get("SINCH_PORTING_URL", "https://porting.api.sinch.com").rstrip("/")
    project = os.environ.get("SINCH_PROJECT_ID", "")
    return f"{base}/v1/projects/{project}/orders/portIns/{{id}}"


@click.command("watch")
@api_command_options
@click.option(
    "--listen",
    default="127.0.0.1:8788",
    show_default=True,
    callback=_listen,
    help="HOST:PORT to receive webhooks on (port 0: any free port).",
)
@click.option(
    "--state",
    "state_dir",
    default=Path(".portctl/watch"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory of the state database (events, actions, notifications).",
)
@click.option(
    "--resync",
    default="15m",
    show_default=True,
    callback=_duration,
    help="Re-read every open managed order this often (10s, 5m, 1h).",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Log lines on stderr: text, or JSON lines.",
)
@click.option("--status", "show_status", is_flag=True, help="Show the state database and exit.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(WATCH.formats)),
    default=WATCH.formats[0],
    show_default=True,
    help="Output format of --status.",
)
def watch(
    paths: tuple[Path, ...],
    env_file: Path | None,
    selectors: tuple[str, ...],
    emulator: bool,
    listen: tuple[str, int],
    state_dir: Path,
    resync: timedelta,
    log_format: str,
    show_status: bool,
    output_format: str,
) -> None:
    """Receive Sinch webhooks and keep on-demand `when: ready` orders activated; tell people
    about rejections, notes and blocked changes (PORTCTL_SLACK_WEBHOOK_URL, PORTCTL_NOTIFY_URL).

    Needs PORTCTL_WATCH_TOKEN: webhooks are accepted at POST /hooks/<token> only."""
    if show_status:
        from reconciler.watch.store import Store

        try:
            store = Store(state_dir, create=False)
        except FileNotFoundError as exc:
            raise click.ClickException(str(exc)) from None
        try:
            click.echo(WATCH.render(store.snapshot(), output_format), nl=False)
        finally:
            store.close()
        return
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if len(token) < MIN_TOKEN_LENGTH:
        raise click.ClickException(
            f"{TOKEN_VARIABLE} must be set to a secret of at least {MIN_TOKEN_LENGTH} characters "
            f"(e.g. `openssl rand -hex 24`): webhooks are accepted at POST /hooks/<token> only"
        )
    register_secret(token)
    from reconciler.watch import logs, notify
    from reconciler.watch.service import ServiceSettings, serve
    from reconciler.watch.worker import SpecsUnusable, WorkerSettings

    load_desired(paths, env_file=env_file, selectors=selectors)  # fail fast on broken specs
    checked_today()
    make_client(emulator).close()  # fail fast on missing credentials
    context = click.get_current_context()
    settings_file = context.meta.get(SETTINGS_META)
    wanted = parse_selectors(selectors)
    targets_list = list(paths) or [Path("specs")]

    def load_specs() -> DesiredState:
        env = load_env(env_file, os.environ)
        result = load_project(
            targets_list,
            today=cli_today(),
            env=env,
            resolve_secrets=True,
            settings_file=settings_file,
        )
        if result.issues or result.state is None:
            first = scrub(str(result.issues[0])) if result.issues else "no specs"
            raise SpecsUnusable(f"{len(result.issues)} problem(s) in the specs, first: {first}")
        return select(result.state, wanted)

    targets = notify.targets_from_env(os.environ)
    link = order_link(emulator)
    logs.configure(log_format)
    serve(
        ServiceSettings(
            host=listen[0], port=listen[1], state_dir=state_dir, token=token, targets=targets
        ),
        WorkerSettings(
            load_specs=load_specs,
            client_factory=lambda: make_client(emulator),
            link=lambda order_id: link.format(id=order_id),
            targets=tuple(targets),
            resync_seconds=resync.total_seconds(),
            lock=lambda: apply_lock(lock_path(targets_list)),
        ),
    )
