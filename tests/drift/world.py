"""A world for report tests: spec files in a temp dir, an emulator, and the real CLI.

`ReportWorld` writes specs, sets live orders up the way they happen in practice (created
through the API client exactly as apply would, or with any other reference "by hand";
carriers confirm or reject through the emulator's controls; the virtual clock moves), then
runs `portctl <command> --emulator ...` on a state file, as a user would. Shared by the drift,
status and import tests.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler.api import Order, PortingClient, StaticToken
from reconciler.cli import main
from reconciler.emulator import Emulator
from reconciler.emulator.store import load, save
from reconciler.spec import load_project

START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
TODAY = date(2026, 11, 26)
PIN = "DRIFT-PIN-4711"
ACCOUNT = "DRIFT-ACCT-8800"
PREFIX = "gitops/"


@dataclass
class Run:
    """What one CLI run printed and returned."""

    code: int
    out: str
    err: str

    @property
    def document(self) -> dict[str, Any]:
        """The json rendering (only for `--format json` runs)."""
        return json.loads(self.out)  # type: ignore[no-any-return]


@dataclass
class ReportWorld:
    """Specs on disk plus an emulator, driven like a user would."""

    root: Path
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]
    emu: Emulator = field(default_factory=lambda: Emulator(now=START, project_id="demo"))

    def __post_init__(self) -> None:
        self.specs.mkdir(parents=True)
        self.write(
            "portctl.yaml",
            {"apiVersion": "portctl/v1", "kind": "Settings", "spec": {"referencePrefix": PREFIX}},
        )
        self.env_file.write_text(f"DRIFT_PIN={PIN}\nDRIFT_ACCOUNT={ACCOUNT}\n", "utf-8")
        self.monkeypatch.setenv("PORTCTL_EMULATOR_STATE", str(self.state))
        self.monkeypatch.setenv("PORTCTL_TODAY", TODAY.isoformat())
        self.monkeypatch.setenv("NO_COLOR", "1")

    @property
    def specs(self) -> Path:
        return self.root / "specs"

    @property
    def env_file(self) -> Path:
        return self.root / "drift.env"

    @property
    def state(self) -> Path:
        return self.root / "emulator.json"

    def write(self, filename: str, document: dict[str, Any]) -> None:
        """Write one YAML document under specs/."""
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
        (self.specs / filename).write_text(text, "utf-8")

    def spec(
        self,
        name: str,
        numbers: Sequence[str],
        *,
        state: str = "active",
        city: str = "Chicago",
        pin: str = "${DRIFT_PIN}",
        on_demand: bool = False,
        port_date: str = "2026-12-15",
        notes: Sequence[str] = (),
    ) -> None:
        """Write (or overwrite) the PortIn spec `name`."""
        spec: dict[str, Any] = {
            "state": state,
            "schedule": {"date": port_date},
            "defaults": {
                "endUser": {
                    "name": "Acme Corp",
                    "streetNum": "233",
                    "streetName": "Wacker",
                    "city": city,
                    "state": "IL",
                    "zipCode": "60606",
                },
                "portOutInfo": {
                    "existingPortOutPin": pin,
                    "accountNum": "${DRIFT_ACCOUNT}",
                    "authorizingDate": "2026-11-20",
                },
                "voiceConfiguration": {"type": "EST", "trunkId": "trunk-1"},
            },
            "phoneNumbers": list(numbers),
        }
        if on_demand:
            spec["activation"] = {"mode": "on-demand", "when": "ready"}
        if notes:
            spec["notes"] = list(notes)
        self.write(
            f"{name}.yaml",
            {
                "apiVersion": "portctl/v1",
                "kind": "PortIn",
                "metadata": {"name": name},
                "spec": spec,
            },
        )

    def body(self, name: str, *, env: dict[str, str] | None = None) -> dict[str, Any]:
        """The resolved order body of spec `name` (what apply would send)."""
        result = load_project(
            [self.specs],
            today=TODAY,
            env=env or {"DRIFT_PIN": PIN, "DRIFT_ACCOUNT": ACCOUNT, "REJECTED_PIN": "0000"},
            resolve_secrets=True,
        )
        assert result.state is not None, [str(i) for i in result.issues]
        return dict(next(o for o in result.state.orders if o.name == name).body)

    def client(self) -> PortingClient:
        """An API client on the in-memory emulator (for setting the world up)."""
        return PortingClient(
            base_url="http://127.0.0.1",
            project_id="demo",
            auth=StaticToken("x"),
            transport=self.emu.transport(),
        )

    def create(self, name: str, **changes: Any) -> Order:
        """Create the order of spec `name` as apply would (fields of the body overridable)."""
        body = {**self.body(name), **changes}
        with self.client() as client:
            return client.create_order(body)

    def create_raw(self, body: dict[str, Any]) -> Order:
        """Create an order with any body ("by hand", outside portctl)."""
        with self.client() as client:
            return client.create_order(body)

    def emu_order(self, order_id: int) -> Order:
        """The live order `order_id`, read through the API."""
        with self.client() as client:
            return client.get_order(order_id)

    def groups(self, order: Order) -> list[str]:
        """The carrier groups of an order."""
        return sorted({str(n.phone_number_group) for n in order.phone_numbers})

    def confirm(self, order: Order, foc: str | None = None) -> None:
        """The losing carriers confirm every group of `order`."""
        for group in self.groups(order):
            self.emu.confirm_group(order.id, group, foc)

    def cancel(self, order: Order) -> None:
        """DELETE the order (it becomes PENDING_CANCELATION)."""
        with self.client() as client:
            client.cancel_order(order.id)

    def advance(self, days: int) -> None:
        """Move the virtual clock (the carrier simulation runs)."""
        self.emu.advance(timedelta(days=days))

    def cli(self, *argv: str) -> Run:
        """`portctl ARGV` with the emulator's state saved first and reloaded after."""
        save(self.emu, self.state)
        self.capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main(list(argv))
        captured = self.capsys.readouterr()
        self.emu = load(self.state)
        return Run(int(exit_info.value.code or 0), captured.out, captured.err)

    def report(self, command: str, *args: str) -> Run:
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
