"""The whole life of port-in orders, driven as a user would: `portctl` subprocesses against
`portctl emulator serve` over real HTTP, the carriers played through the emulator's control
routes and its virtual clock.

create -> re-plan empty -> edit -> update (a cancel refused without --max-cancels, done with
it) -> clock to confirmation (one order CONFIRMED, one REJECTED for its PIN) -> edit the
confirmed order -> blocked (exit 3) while the rejected PIN, fixed in the spec, resubmits through
an update -> clock to the FOC date -> on-demand group offered -> activate -> completed; notes
and the document uploaded exactly once; a last apply makes no mutating call.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.apply.conftest import ENV, PIN, write_settings, write_spec
from tests.served import PORTCTL, served_emulator

HQ = ["+13125550141", "+13125550142"]
BRANCH = ["+13125550151"]
ANNEX = ["+13125550161"]
NOTE = "LOA signed by the CFO"


@dataclass
class Run:
    """One finished `portctl` process."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """stdout as JSON (for `--format json` runs)."""
        return json.loads(self.out)


@dataclass
class Lifecycle:
    """A served emulator, a specs directory and a way to run portctl against them."""

    url: str
    root: Path
    today: str = "2026-11-26"

    @property
    def specs(self) -> Path:
        return self.root / "specs"

    def portctl(self, *args: str) -> Run:
        """`portctl ARGS` as a subprocess, environment as in CI (no TTY)."""
        env = {
            **os.environ,
            "SINCH_PORTING_URL": self.url,
            "SINCH_PROJECT_ID": "demo",
            "SINCH_ACCESS_TOKEN": "x",
            "PORTCTL_TODAY": self.today,
            "NO_COLOR": "1",
        }
        done = subprocess.run(
            [PORTCTL, *args],
            capture_output=True,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=120,
            check=False,
        )
        assert PIN not in done.stdout + done.stderr
        return Run(done.returncode, done.stdout, done.stderr)

    def apply(self, *args: str) -> Run:
        """`portctl apply specs --env-file ... --auto-approve --format json ARGS`."""
        return self.portctl(
            "apply",
            str(self.specs),
            "--env-file",
            str(self.root / "apply.env"),
            "--auto-approve",
            "--format",
            "json",
            *args,
        )

    def plan(self, *args: str) -> Run:
        """`portctl plan specs --env-file ... --detailed-exitcode --format json ARGS`."""
        return self.portctl(
            "plan",
            str(self.specs),
            "--env-file",
            str(self.root / "apply.env"),
            "--detailed-exitcode",
            "--format",
            "json",
            *args,
        )

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call a `/_emulator/...` control route."""
        response = httpx.request(method, self.url + path, json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def set_clock(self, moment: str) -> None:
        """Move the virtual clock (the carrier simulation runs) and keep PORTCTL_TODAY with it."""
        self.control("POST", "/_emulator/clock", {"set": moment})
        self.today = moment[:10]

    def orders(self) -> dict[str, dict[str, Any]]:
        """Every order by reference (one per reference is asserted)."""
        orders = [
            rec["order"] for rec in self.control("GET", "/_emulator/state")["world"]["orders"]
        ]
        by_reference = {o["customerOrderReference"]: o for o in orders}
        assert len(by_reference) == len(orders), "never two orders with one reference"
        return by_reference

    def mutating_requests(self) -> int:
        """How many POST/PUT/DELETE API requests (not portability checks) the emulator saw."""
        log = self.control("GET", "/_emulator/state")["requestLog"]
        return sum(
            1 for r in log if r["method"] != "GET" and not r["path"].endswith("/portabilityChecks")
        )


@pytest.fixture
def life(tmp_path: Path) -> Iterator[Lifecycle]:
    """`portctl emulator serve` on a free port, clock set to 2026-11-26 15:00 UTC."""
    with served_emulator() as served:
        specs = tmp_path / "specs"
        (specs / "docs").mkdir(parents=True)
        (specs / "docs" / "loa.pdf").write_bytes(b"%PDF-1.4 fake LOA\n")
        write_settings(specs)
        (tmp_path / "apply.env").write_text("".join(f"{k}={v}\n" for k, v in ENV.items()), "utf-8")
        life = Lifecycle(url=served.url, root=tmp_path)
        life.set_clock("2026-11-26T15:00:00Z")
        yield life


def _results(run: Run) -> list[tuple[str, str, str]]:
    return [(r["name"], r["action"], r["outcome"]) for r in run.json()["results"]]


@pytest.mark.slow
def test_whole_lifecycle_through_the_cli(life: Lifecycle) -> None:
    specs = life.specs
    write_spec(specs, "hq", HQ, on_demand=True, notes=[NOTE], documents=True)
    write_spec(specs, "branch", BRANCH)
    write_spec(specs, "annex", ANNEX, pin="${BAD_PIN}")

    created = life.apply()
    assert created.code == 0, created.err
    assert sorted(_results(created)) == [
        ("annex", "create", "applied"),
        ("branch", "create", "applied"),
        ("hq", "add-note", "applied"),
        ("hq", "create", "applied"),
        ("hq", "upload-document", "applied"),
    ]
    assert "[5/5]" in created.err, "progress lines on stderr"
    assert life.plan().code == 0, "a fresh plan right after apply is empty"

    # edit: one update, one cancel; the cancel needs --max-cancels
    write_spec(specs, "hq", HQ, on_demand=True, notes=[NOTE], documents=True, city="Evanston")
    write_spec(specs, "branch", BRANCH, state="canceled")
    before = life.mutating_requests()
    refused = life.apply()
    assert refused.code == 1
    assert "--max-cancels" in refused.err
    assert life.mutating_requests() == before, "a budget breach changes nothing"
    updated = life.apply("--max-cancels", "1")
    assert updated.code == 0, updated.err
    assert sorted(_results(updated)) == [
        ("branch", "cancel", "applied"),
        ("hq", "update", "applied"),
    ]
    orders = life.orders()
    assert orders["gitops/hq"]["phoneNumbers"][0]["endUser"]["city"] == "Evanston"
    assert orders["gitops/branch"]["status"] == "PENDING_CANCELATION"

    # the carriers answer: hq confirmed, annex rejected (bad PIN), branch canceled for good
    life.set_clock("2026-11-28T15:00:00Z")
    orders = life.orders()
    assert orders["gitops/hq"]["status"] == "CONFIRMED"
    assert orders["gitops/branch"]["status"] == "CANCELED"
    assert {n["status"] for n in orders["gitops/annex"]["phoneNumbers"]} == {"REJECTED"}
    rejected = life.plan()
    annex = next(i for i in rejected.json()["items"] if i["name"] == "annex")
    assert "number_rejected" in {n["code"] for n in annex["notices"]}

    # edit the confirmed order (blocked) and fix the PIN (update): exit 3
    write_spec(specs, "hq", HQ, on_demand=True, notes=[NOTE], documents=True, city="Skokie")
    write_spec(specs, "annex", ANNEX)
    blocked = life.apply()
    assert blocked.code == 3, blocked.err
    assert _results(blocked) == [("annex", "update", "applied")]
    hq_item = next(i for i in blocked.json()["plan"]["items"] if i["name"] == "hq")
    assert hq_item["kind"] == "blocked"
    assert {n["status"] for n in life.orders()["gitops/annex"]["phoneNumbers"]} == {"PENDING"}

    # back to the confirmed data; at the FOC date the group is offered and activated
    write_spec(specs, "hq", HQ, on_demand=True, notes=[NOTE], documents=True, city="Evanston")
    life.set_clock("2026-12-15T16:00:00Z")
    offered = life.plan()
    assert offered.code == 2
    activate = next(i for i in offered.json()["items"] if i["kind"] == "activate")
    assert activate["name"] == "hq"
    assert activate["groups"]
    activated = life.apply()
    assert activated.code == 0, activated.err
    assert _results(activated) == [("hq", "activate", "applied")]
    orders = life.orders()
    assert orders["gitops/hq"]["status"] == "COMPLETED"
    assert orders["gitops/annex"]["status"] == "COMPLETED", "scheduled port ran at its FOC"
    assert [n["note"] for n in orders["gitops/hq"]["notes"]] == [NOTE]
    assert [d["documentName"] for d in orders["gitops/hq"]["documents"]] == ["loa.pdf"]

    # everything done: plan empty, and apply makes no mutating call
    assert life.plan().code == 0
    before = life.mutating_requests()
    again = life.apply()
    assert again.code == 0
    assert again.json()["summary"]["mutatingCalls"] == 0
    assert life.mutating_requests() == before
