"""A world for report tests: spec files in a temp dir, an emulator, and the real CLI.

`ReportWorld` writes specs, sets live orders up the way they happen in practice (created
through the API client exactly as apply would, or with any other reference "by hand";
carriers confirm or reject through the emulator's controls; the virtual clock moves), then
runs `portctl <command> --emulator ...` on a state file, as a user would. Shared by the drift,
status and import tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest

from reconciler.api import Order
from reconciler.emulator.store import load, save
from tests.world import CliRun, SpecWorld

__all__ = ["ACCOUNT", "PIN", "PREFIX", "ReportWorld", "world"]

PIN = "DRIFT-PIN-4711"
ACCOUNT = "DRIFT-ACCT-8800"
PREFIX = "gitops/"


@dataclass
class ReportWorld(SpecWorld):
    """Specs on disk plus an emulator, driven like a user would (plain, uncoloured output)."""

    prefix: ClassVar[str] = "DRIFT"
    secrets: ClassVar[dict[str, str]] = {"DRIFT_PIN": PIN, "DRIFT_ACCOUNT": ACCOUNT}

    def __post_init__(self) -> None:
        super().__post_init__()
        self.monkeypatch.setenv("NO_COLOR", "1")

    def spec(self, name: str, numbers: Sequence[str], **options: Any) -> None:
        """Write (or overwrite) the PortIn spec `name` (no labels unless given)."""
        options.setdefault("labels", None)
        super().spec(name, numbers, **options)

    def body(self, name: str, *, env: dict[str, str] | None = None) -> dict[str, Any]:
        """The resolved order body of spec `name` (what apply would send).

        `${REJECTED_PIN}` resolves too (to a PIN carriers refuse), though the env file the
        CLI reads does not define it.
        """
        state = self.load(env or {**self.secrets, "REJECTED_PIN": "0000"})
        return dict(next(o for o in state.orders if o.name == name).body)

    def create(self, name: str, **changes: Any) -> Order:
        """Create the order of spec `name` as apply would (fields of the body overridable)."""
        return self.create_raw({**self.body(name), **changes})

    def create_raw(self, body: dict[str, Any]) -> Order:
        """Create an order with any body ("by hand", outside portctl)."""
        with self.client() as client:
            return client.create_order(body)

    def emu_order(self, order_id: int) -> Order:
        """The live order `order_id`, read through the API."""
        with self.client() as client:
            return client.get_order(order_id)

    def cancel(self, order: Order) -> None:
        """DELETE the order (it becomes PENDING_CANCELATION)."""
        with self.client() as client:
            client.cancel_order(order.id)

    def advance(self, days: int) -> None:
        """Move the virtual clock (the carrier simulation runs)."""
        self.emu.advance(timedelta(days=days))

    def cli(self, *argv: str) -> CliRun:
        """`portctl ARGV` with the emulator's state saved first and reloaded after."""
        save(self.emu, self.state)
        run = self.main(argv)
        self.emu = load(self.state)
        return run

    def report(self, command: str, *args: str) -> CliRun:
        """`portctl COMMAND specs --emulator --env-file ... [--format json] ARGS`."""
        argv = [command, str(self.specs), "--emulator", "--env-file", str(self.env_file)]
        argv += [] if "--format" in args else ["--format", "json"]
        return self.cli(*argv, *args)


@pytest.fixture
def world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> ReportWorld:
    """A fresh world per test."""
    return ReportWorld(root=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
