"""A small world for plan tests: spec files in a temp dir, an emulator, and the real CLI.

`PlanWorld` writes specs, sets the emulator up through its own controls (orders are created
with the API client, carriers confirm or reject through `Emulator` controls), then runs
`portctl plan --emulator --format json` exactly as a user would, on a state file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler.api import Order, PortingClient, StaticToken
from reconciler.cli import main
from reconciler.desired import DesiredOrder
from reconciler.emulator import Emulator
from reconciler.emulator.server import running
from reconciler.emulator.store import load, save
from reconciler.spec import load_project
from tests.core.builders import port_in_document

START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
TODAY = date(2026, 11, 26)
PIN = "PLAN-PIN-4711"
ACCOUNT = "PLAN-ACCT-8800"


@dataclass
class PlanResult:
    """What one `portctl plan` run printed and returned."""

    code: int
    out: str
    err: str

    @property
    def document(self) -> dict[str, Any]:
        """The json rendering (only for `--format json` runs)."""
        return json.loads(self.out)  # type: ignore[no-any-return]

    def items(self, name: str) -> list[dict[str, Any]]:
        """Items of one spec (or orphan reference), in plan order."""
        return [i for i in self.document["items"] if i["name"] == name]

    def item(self, name: str) -> dict[str, Any]:
        """The main item of a spec: the first one that is not a note or a document."""
        kinds = {"add-note", "upload-document"}
        return next(i for i in self.items(name) if i["kind"] not in kinds)


@dataclass
class PlanWorld:
    """Specs on disk plus an emulator, driven like a user would."""

    root: Path
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]
    emu: Emulator = field(default_factory=lambda: Emulator(now=START, project_id="demo"))

    def __post_init__(self) -> None:
        (self.specs / "docs").mkdir(parents=True)
        (self.specs / "docs" / "loa.pdf").write_bytes(b"%PDF-1.4 fake LOA\n")
        self.write(
            "portctl.yaml",
            {
                "apiVersion": "portctl/v1",
                "kind": "Settings",
                "spec": {"referencePrefix": "gitops/"},
            },
        )
        self.env_file.write_text(f"PLAN_PIN={PIN}\nPLAN_ACCOUNT={ACCOUNT}\n", "utf-8")
        self.monkeypatch.setenv("PORTCTL_EMULATOR_STATE", str(self.state))
        self.monkeypatch.setenv("PORTCTL_TODAY", TODAY.isoformat())
        self.monkeypatch.delenv("NO_COLOR", raising=False)

    @property
    def specs(self) -> Path:
        return self.root / "specs"

    @property
    def env_file(self) -> Path:
        return self.root / "plan.env"

    @property
    def state(self) -> Path:
        return self.root / "emulator.json"

    def write(self, filename: str, document: dict[str, Any]) -> None:
        """Write one YAML document under specs/."""
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
        (self.specs / filename).write_text(text, "utf-8")

    def spec(self, name: str, numbers: Sequence[str], **options: Any) -> None:
        """Write (or overwrite) the PortIn spec `name` (options of `port_in_document`)."""
        document = port_in_document(
            name, numbers, pin="${PLAN_PIN}", account="${PLAN_ACCOUNT}", **options
        )
        self.write(f"{name}.yaml", document)

    def desired(self, name: str) -> DesiredOrder:
        """The loaded, resolved spec `name`."""
        result = load_project(
            [self.specs],
            today=TODAY,
            env={"PLAN_PIN": PIN, "PLAN_ACCOUNT": ACCOUNT},
            resolve_secrets=True,
        )
        assert result.state is not None, [str(i) for i in result.issues]
        return next(o for o in result.state.orders if o.name == name)

    def client(self) -> PortingClient:
        """An API client on the in-memory emulator (for setting the world up)."""
        return PortingClient(
            base_url="http://127.0.0.1",
            project_id="demo",
            auth=StaticToken("x"),
            transport=self.emu.transport(),
        )

    def create(self, name: str, *, reference: str | None = None) -> Order:
        """Create the order of spec `name` as apply would (optionally under another reference)."""
        body = dict(self.desired(name).body)
        if reference is not None:
            body["customerOrderReference"] = reference
        with self.client() as client:
            return client.create_order(body)

    def confirm_all(self, order: Order, foc: str | None = None) -> None:
        """The losing carriers confirm every group of `order`."""
        for group in sorted({str(n.phone_number_group) for n in order.phone_numbers}):
            self.emu.confirm_group(order.id, group, foc)

    def plan(self, *args: str, emulator: bool = True) -> PlanResult:
        """`portctl plan specs [--emulator] --env-file ... --format json ARGS` on the state file."""
        save(self.emu, self.state)
        result = self._run(args, emulator=emulator)
        self.emu = load(self.state)
        return result

    def plan_served(self, *args: str) -> PlanResult:
        """The same against this emulator served on a port, reached like the real API."""
        with running(self.emu) as url:
            self.monkeypatch.setenv("SINCH_PORTING_URL", url)
            self.monkeypatch.setenv("SINCH_PROJECT_ID", "demo")
            self.monkeypatch.setenv("SINCH_ACCESS_TOKEN", "x")
            return self._run(args, emulator=False)

    def _run(self, args: Sequence[str], *, emulator: bool) -> PlanResult:
        self.capsys.readouterr()
        argv = ["plan", str(self.specs), "--env-file", str(self.env_file)]
        argv += ["--emulator"] if emulator else []
        argv += [] if "--format" in args else ["--format", "json"]
        with pytest.raises(SystemExit) as exit_info:
            main([*argv, *args])
        captured = self.capsys.readouterr()
        return PlanResult(int(exit_info.value.code or 0), captured.out, captured.err)


@pytest.fixture
def world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> PlanWorld:
    """A fresh world per test."""
    return PlanWorld(root=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
