"""A world for apply tests: spec files in a temp dir, an in-process emulator, the real code.

`ApplyWorld` writes specs like a user, sets the emulator up through its API and controls,
and runs apply two ways: `execute` (plan + `Executor` in-process, fast, on the emulator's
`MockTransport`) and `cli` (`portctl apply ...` through `reconciler.cli.main` against this
emulator served on a real socket, reached like the real API).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from reconciler.api import PortingClient, RetryPolicy, StaticToken
from reconciler.apply import ApplyReport, Executor, Observer
from reconciler.desired import DesiredState
from reconciler.emulator import Emulator
from reconciler.emulator.core import RequestRecord
from reconciler.emulator.server import running
from reconciler.essence import port_defaults
from reconciler.live import fetch_live
from reconciler.planning import Plan, build_plan
from reconciler.planning.reads import PlanReads
from reconciler.savedplan import plan_fingerprints
from reconciler.spec import load_project
from tests.core.builders import port_in_document, settings_document, write_yaml
from tests.world import START, TODAY, CliRun, SpecWorld

PIN = "APPLY-PIN-5150"
ACCOUNT = "APPLY-ACCT-9911"
ENV = {"APPLY_PIN": PIN, "APPLY_ACCOUNT": ACCOUNT, "BAD_PIN": "0000"}
NO_WAIT = RetryPolicy(wait_initial=0.0, wait_max=0.0)
"""Retries without sleeping (faults in tests would otherwise wait for real)."""


def mutating(log: Sequence[RequestRecord]) -> list[RequestRecord]:
    """Requests that change something (the portability check is a query sent as POST)."""
    return [r for r in log if r.method != "GET" and not r.path.endswith("/portabilityChecks")]


def write_spec(
    directory: Path,
    name: str,
    numbers: Sequence[str],
    *,
    pin: str = "${APPLY_PIN}",
    **options: Any,
) -> None:
    """Write (or overwrite) the PortIn spec `name` under `directory` (`port_in_document`)."""
    document = port_in_document(name, numbers, pin=pin, account="${APPLY_ACCOUNT}", **options)
    write_yaml(directory / f"{name}.yaml", document)


def write_settings(directory: Path, **settings: Any) -> None:
    """Write portctl.yaml (referencePrefix `gitops/` unless given)."""
    write_yaml(directory / "portctl.yaml", settings_document(**settings))


def load(directory: Path) -> DesiredState:
    """The resolved desired state of the specs under `directory`."""
    result = load_project([directory], today=TODAY, env=ENV, resolve_secrets=True)
    assert result.state is not None, [str(i) for i in result.issues]
    return result.state


Handler = Callable[[httpx.Request], httpx.Response]


def client_for(emu: Emulator, handler: Handler | None = None) -> PortingClient:
    """An API client on the in-process emulator (or `handler` in front of it), no sleeping."""
    return PortingClient(
        base_url="http://127.0.0.1",
        project_id="demo",
        auth=StaticToken("x"),
        transport=httpx.MockTransport(handler) if handler is not None else emu.transport(),
        retry=NO_WAIT,
    )


@dataclass
class VirtualClock:
    """The executor's clock in tests: `sleep` moves it forward instead of waiting."""

    now: datetime = START
    waits: list[float] = field(default_factory=list)

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += timedelta(seconds=seconds)


@dataclass
class LaggingLists:
    """The emulator behind an order list that lags fresh writes (read-after-write).

    After each create POST, the next `lag` order lists answer as if no order matched (the
    query is narrowed to a reference no order has), the way a search index can trail.
    """

    emu: Emulator
    lag: int
    hidden: int = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path.endswith("/orders/portIns"):
            self.hidden = self.lag
        elif request.method == "GET" and path.endswith("/orders/portIns") and self.hidden > 0:
            self.hidden -= 1
            url = request.url.copy_set_param("customerOrderReference", "lagging/not-indexed-yet")
            request = httpx.Request("GET", url, headers=request.headers)
        return self.emu.handle(request)


@dataclass
class Serialized:
    """The in-process emulator for requests sent from several threads: one at a time (as the
    served emulator handles them), after a pause outside the lock (the network), so that
    requests of items running side by side really overlap."""

    emu: Emulator
    pause_s: float = 0.002
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        time.sleep(self.pause_s)
        with self.lock:
            return self.emu.handle(request)


def plan_and_execute(
    emu: Emulator,
    desired: DesiredState,
    *,
    prune: bool = False,
    observers: Sequence[Observer] = (),
    between: Any = None,
    clock: VirtualClock | None = None,
    handler: Handler | None = None,
    parallelism: int | None = None,
) -> ApplyReport:
    """What `portctl apply --auto-approve` does, in-process: plan, then execute the plan.

    `between(client)` runs after planning and before executing (an out-of-band change);
    `handler` stands in front of the emulator; waits go to `clock` (a fresh one by default);
    `parallelism` is the executor's (the client's ceiling, 8, when None).
    """
    clock = clock if clock is not None else VirtualClock()
    with client_for(emu, handler) as client:
        live = fetch_live(client, PlanReads(desired, prune=prune))
        plan = build_plan(desired, live, today=TODAY, prune=prune)
        if between is not None:
            between(client)
        config = desired.configuration.body if desired.configuration else live.configuration
        executor = Executor(
            client,
            desired,
            fingerprints=plan_fingerprints(plan, live),
            defaults=port_defaults(config),
            clock=clock,
            sleep=clock.sleep,
            observers=observers,
            parallelism=parallelism,
        )
        return executor.run(plan)


def fresh_plan(emu: Emulator, desired: DesiredState) -> Plan:
    """A new plan of `desired` against the emulator now."""
    with client_for(emu) as client:
        return build_plan(desired, fetch_live(client, PlanReads(desired)), today=TODAY)


def open_orders(emu: Emulator) -> list[dict[str, Any]]:
    """Every non-terminal order, as the emulator stores it."""
    orders = (rec["order"] for rec in emu.world.orders.values())
    return [o for o in orders if o["status"] not in ("CANCELED", "COMPLETED")]


def references(emu: Emulator) -> list[str]:
    """customerOrderReference of every non-terminal order (duplicates kept)."""
    return sorted(o["customerOrderReference"] for o in open_orders(emu))


@dataclass
class ApplyWorld(SpecWorld):
    """Specs on disk plus an in-process emulator (no CI identity in the environment)."""

    prefix: ClassVar[str] = "APPLY"
    secrets: ClassVar[dict[str, str]] = ENV

    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    """Holds the served emulator (one server per test, stopped at teardown)."""
    _url: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("GITHUB_ACTOR", "GITHUB_SHA", "CI_COMMIT_SHA", "GITLAB_USER_LOGIN"):
            self.monkeypatch.delenv(name, raising=False)

    def desired(self) -> DesiredState:
        """The specs as loaded now."""
        return self.load()

    def execute(self, **options: Any) -> ApplyReport:
        """Plan and execute in-process."""
        return plan_and_execute(self.emu, self.desired(), **options)

    def plan(self) -> Plan:
        """A fresh plan."""
        return fresh_plan(self.emu, self.desired())

    def order(self, reference: str) -> dict[str, Any]:
        """The one open order with this reference, as the emulator stores it."""
        found = [o for o in open_orders(self.emu) if o["customerOrderReference"] == reference]
        assert len(found) == 1, found
        return found[0]

    def cli(self, *args: str, command: str = "apply") -> CliRun:
        """`portctl COMMAND ARGS --env-file ...` against this emulator served over HTTP.

        ARGS default to the specs directory; pass paths (or a plan file) explicitly otherwise.
        """
        if not args or args[0].startswith("-"):
            args = (str(self.specs), *args)
        argv = [command, *args, "--env-file", str(self.env_file)]
        if self._url is None:
            self._url = self.stack.enter_context(running(self.emu))
        self.serve_env(self._url)
        return self.main(argv)


@pytest.fixture
def world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[ApplyWorld]:
    """A fresh world per test."""
    applied = ApplyWorld(root=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    with applied.stack:
        yield applied
