"""`portctl emulator ...`: serve the emulated Sinch Porting API and drive its control surface.

Control commands work against a served emulator (`--url`) or directly on a state file
(`--state`, default `$PORTCTL_EMULATOR_STATE` or `.portctl/emulator.json`, the file that
`--emulator` uses). Both paths go through the same `/_emulator/...` control routes, so they
behave identically.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import click
import httpx

from reconciler.connect import emulator_state_path
from reconciler.emulator.embedded import EmbeddedTransport
from reconciler.emulator.server import make_server
from reconciler.emulator.store import StateFileError
from reconciler.emulator.variants import VARIANTS, VariantError, non_default, parse_assignments

CONTROL_TIMEOUT_SECONDS = 10.0


class Target:
    """Where control requests go: a served emulator URL or a state file."""

    def __init__(self, url: str | None, state: Path | None) -> None:
        self.url = url.rstrip("/") if url else None
        self.state = state

    def _client(self) -> httpx.Client:
        if self.url is not None:
            return httpx.Client(base_url=self.url, timeout=CONTROL_TIMEOUT_SECONDS)
        path = emulator_state_path(os.environ, self.state)
        return httpx.Client(base_url="http://emulator", transport=EmbeddedTransport(path))

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Send one control request; a non-2xx answer becomes a ClickException."""
        content = b"" if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        try:
            with self._client() as http:
                response = http.request(method, path, content=content, headers=headers)
        except httpx.HTTPError as exc:
            where = self.url or emulator_state_path(os.environ, self.state)
            raise click.ClickException(f"cannot reach the emulator at {where}: {exc}") from None
        except StateFileError as exc:
            raise click.ClickException(str(exc)) from None
        if response.is_error:
            try:
                message = response.json().get("message", response.text)
            except ValueError:
                message = response.text
            raise click.ClickException(f"emulator answered {response.status_code}: {message}")
        return response.json() if response.content else None


def target_options(fn: Any) -> Any:
    """Add `--url` / `--state` to a control command."""
    fn = click.option(
        "--state",
        "state",
        type=click.Path(path_type=Path, dir_okay=False),
        help="State file to act on (default: $PORTCTL_EMULATOR_STATE or .portctl/emulator.json).",
    )(fn)
    return click.option("--url", help="Base URL of a served emulator, e.g. http://127.0.0.1:8787.")(
        fn
    )


def make_target(url: str | None, state: Path | None) -> Target:
    """Refuse both at once; otherwise build the target."""
    if url and state:
        raise click.UsageError("give --url or --state, not both")
    return Target(url, state)


@click.group("emulator")
def emulator() -> None:
    """Run and control the local emulator of the Sinch Porting API."""


@emulator.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8787, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--state",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Persist the world in this JSON file (created if missing); default: in memory.",
)
@click.option(
    "--variant",
    "variant_items",
    multiple=True,
    metavar="NAME=VALUE",
    help="Answer as another reading of the API would (repeatable), e.g. paging=zero; "
    "`portctl emulator variant` lists them.",
)
def serve(host: str, port: int, state: Path | None, variant_items: tuple[str, ...]) -> None:
    """Serve the API (plus /oauth2/token and /_emulator control routes) until interrupted."""
    from reconciler.emulator import Emulator

    try:
        chosen = parse_assignments(variant_items)
    except VariantError as exc:
        raise click.BadParameter(str(exc), param_hint="--variant") from None
    try:
        server = make_server(state if state is not None else Emulator(), host, port)
        with server.emulator() as emu:
            emu.set_variants(chosen)
            shown = non_default(emu.config.variants)
    except StateFileError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        reason = exc.strerror or exc
        raise click.ClickException(f"cannot serve on {host}:{port}: {reason}") from None
    url = f"http://{host}:{server.server_address[1]}"
    where = f"state in {state}" if state else "state in memory"
    if shown:
        where += "; variants " + ", ".join(f"{k}={v}" for k, v in shown.items())
    click.echo(
        f"Sinch Porting API emulator on {url} ({where}). Use SINCH_PORTING_URL={url} "
        "SINCH_PROJECT_ID=demo SINCH_ACCESS_TOKEN=x. Ctrl-C stops.",
        err=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.server_close()


@emulator.command("clock")
@click.option("--advance-days", type=float, default=0.0, help="Move the clock forward N days.")
@click.option("--advance-hours", type=float, default=0.0, help="Move the clock forward N hours.")
@click.option("--set", "set_to", help="Set the clock to an ISO-8601 date-time.")
@target_options
def clock(
    advance_days: float,
    advance_hours: float,
    set_to: str | None,
    url: str | None,
    state: Path | None,
) -> None:
    """Move the virtual clock; the carrier simulation runs up to the new time."""
    target = make_target(url, state)
    if set_to and (advance_days or advance_hours):
        raise click.UsageError("give --set or --advance-*, not both")
    body: dict[str, Any] = (
        {"set": set_to} if set_to else {"advance": {"days": advance_days, "hours": advance_hours}}
    )
    click.echo(target.call("POST", "/_emulator/clock", body)["now"])


def group_path(order: str, group: str, action: str) -> str:
    """The control route of a group action (group names contain spaces)."""
    return f"/_emulator/orders/{quote(order, safe='')}/groups/{quote(group, safe='')}/{action}"


@emulator.command("confirm")
@click.argument("order")
@click.argument("group")
@click.option("--foc-date", help="FOC date YYYY-MM-DD (default: computed by the simulation).")
@target_options
def confirm(
    order: str, group: str, foc_date: str | None, url: str | None, state: Path | None
) -> None:
    """Have the losing carrier confirm GROUP of ORDER now."""
    body = {"focDate": foc_date} if foc_date else {}
    result = make_target(url, state).call("POST", group_path(order, group, "confirm"), body)
    click.echo(f"order {result['id']}: group {group} confirmed; order is {result['status']}")


@emulator.command("reject")
@click.argument("order")
@click.argument("group")
@click.option("--reason", required=True, help="rejectReason to set, e.g. 'Invalid port-out PIN'.")
@target_options
def reject(order: str, group: str, reason: str, url: str | None, state: Path | None) -> None:
    """Have the losing carrier reject GROUP of ORDER now."""
    result = make_target(url, state).call(
        "POST", group_path(order, group, "reject"), {"reason": reason}
    )
    click.echo(f"order {result['id']}: group {group} rejected; order is {result['status']}")


@emulator.command("exclude")
@click.argument("order")
@click.argument("number")
@click.option("--reason", required=True, help="exclusionReason to set.")
@target_options
def exclude(order: str, number: str, reason: str, url: str | None, state: Path | None) -> None:
    """Drop NUMBER from ORDER now: it becomes EXCLUDED with the given reason."""
    path = f"/_emulator/orders/{quote(order, safe='')}/numbers/{quote(number, safe='')}/exclude"
    result = make_target(url, state).call("POST", path, {"reason": reason})
    click.echo(f"order {result['id']}: {number} excluded; order is {result['status']}")


@emulator.command("nonportable")
@click.argument("numbers", nargs=-1, required=True)
@target_options
def nonportable(numbers: tuple[str, ...], url: str | None, state: Path | None) -> None:
    """Make portability checks report NUMBERS as not portable."""
    result = make_target(url, state).call(
        "POST", "/_emulator/nonportable", {"phoneNumbers": list(numbers)}
    )
    click.echo(f"{len(result['nonportable'])} number(s) marked not portable")


@emulator.command("reset")
@target_options
def reset(url: str | None, state: Path | None) -> None:
    """Empty the world; the clock goes back to the real current time."""
    click.echo(f"reset; clock at {make_target(url, state).call('POST', '/_emulator/reset')['now']}")


@emulator.command("state")
@target_options
def dump_state(url: str | None, state: Path | None) -> None:
    """Print the whole state as JSON (port-out PINs and account numbers masked)."""
    click.echo(json.dumps(make_target(url, state).call("GET", "/_emulator/state"), indent=2))


@emulator.command("variant")
@click.argument("assignments", nargs=-1, metavar="[NAME=VALUE]...")
@target_options
def variant(assignments: tuple[str, ...], url: str | None, state: Path | None) -> None:
    """Show, or switch, how the emulator reads the points the Sinch documents leave open.

    With no argument, list every variant, its values (default first) and the one in force.
    `NAME=VALUE` switches it (a default value switches back); the state file keeps it, so
    `--emulator` runs see it too. See docs/api-notes.md#what-we-assume-about-the-sinch-api.
    """
    try:
        chosen = parse_assignments(assignments)
    except VariantError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME=VALUE") from None
    target = make_target(url, state)
    method, body = ("POST", chosen) if chosen else ("GET", None)
    in_force = target.call(method, "/_emulator/variants", body)["variants"]
    for name, spec in VARIANTS.items():
        values = "<duration>" if spec.duration else "|".join(spec.values)
        click.echo(f"{name}={in_force.get(name, spec.default)}  ({values})")


@emulator.command("fault")
@click.option("--method", default="*", show_default=True, help="HTTP method, or * for any.")
@click.option(
    "--path", default="", help="Path prefix after /v1/projects/{id}, e.g. /orders/portIns."
)
@click.option("--count", default=1, show_default=True, type=int)
@click.option("--status", type=int, help="Answer with this status instead of handling.")
@click.option("--retry-after", help="Retry-After header value to send with --status.")
@click.option("--latency-ms", default=0, type=int, help="Delay the answer by this long.")
@click.option(
    "--mode",
    type=click.Choice(["status", "latency", "drop-after-commit"]),
    help="Default: status if --status is given, else latency.",
)
@target_options
def fault(
    method: str,
    path: str,
    count: int,
    status: int | None,
    retry_after: str | None,
    latency_ms: int,
    mode: str | None,
    url: str | None,
    state: Path | None,
) -> None:
    """Make the next COUNT matching requests fail, slow down, or commit and then drop."""
    body: dict[str, Any] = {
        "method": method,
        "path": path,
        "count": count,
        "status": status,
        "retryAfter": retry_after,
        "latencyMs": latency_ms,
    }
    if mode:
        body["mode"] = mode
    result = make_target(url, state).call("POST", "/_emulator/faults", body)
    click.echo(f"{len(result['faults'])} fault rule(s) pending")
