"""A small world for plan tests: spec files in a temp dir, an emulator, and the real CLI.

`PlanWorld` writes specs, sets the emulator up through its own controls (orders are created
with the API client, carriers confirm or reject through `Emulator` controls), then runs
`portctl plan --emulator --format json` exactly as a user would, on a state file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest

from reconciler.api import Order
from reconciler.desired import DesiredOrder
from reconciler.emulator.server import running
from reconciler.emulator.store import load, save
from tests.world import TODAY, CliRun, SpecWorld

__all__ = ["ACCOUNT", "PIN", "TODAY", "PlanResult", "PlanWorld", "world"]

PIN = "PLAN-PIN-4711"
ACCOUNT = "PLAN-ACCT-8800"


class PlanResult(CliRun):
    """What one `portctl plan` run printed and returned."""

    def items(self, name: str) -> list[dict[str, Any]]:
        """Items of one spec (or orphan reference), in plan order."""
        return [i for i in self.document["items"] if i["name"] == name]

    def item(self, name: str) -> dict[str, Any]:
        """The main item of a spec: the first one that is not a note or a document."""
        kinds = {"add-note", "upload-document"}
        return next(i for i in self.items(name) if i["kind"] not in kinds)


@dataclass
class PlanWorld(SpecWorld):
    """Specs on disk plus an emulator, planned like a user would (colour left to the CLI)."""

    prefix: ClassVar[str] = "PLAN"
    secrets: ClassVar[dict[str, str]] = {"PLAN_PIN": PIN, "PLAN_ACCOUNT": ACCOUNT}

    def __post_init__(self) -> None:
        super().__post_init__()
        self.monkeypatch.delenv("NO_COLOR", raising=False)

    def desired(self, name: str) -> DesiredOrder:
        """The loaded, resolved spec `name`."""
        return next(o for o in self.load().orders if o.name == name)

    def create(self, name: str, *, reference: str | None = None) -> Order:
        """Create the order of spec `name` as apply would (optionally under another reference)."""
        body = dict(self.desired(name).body)
        if reference is not None:
            body["customerOrderReference"] = reference
        with self.client() as client:
            return client.create_order(body)

    def plan(self, *args: str, emulator: bool = True) -> PlanResult:
        """`portctl plan specs [--emulator] --env-file ... --format json ARGS` on the state file."""
        save(self.emu, self.state)
        result = self._run(args, emulator=emulator)
        self.emu = load(self.state)
        return result

    def plan_served(self, *args: str) -> PlanResult:
        """The same against this emulator served on a port, reached like the real API."""
        with running(self.emu) as url:
            self.serve_env(url)
            return self._run(args, emulator=False)

    def _run(self, args: Sequence[str], *, emulator: bool) -> PlanResult:
        argv = ["plan", str(self.specs), "--env-file", str(self.env_file)]
        argv += ["--emulator"] if emulator else []
        argv += [] if "--format" in args else ["--format", "json"]
        run = self.main([*argv, *args])
        return PlanResult(run.code, run.out, run.err)


@pytest.fixture
def world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> PlanWorld:
    """A fresh world per test."""
    return PlanWorld(root=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
