"""portctl's core flows under every reading of the API: safety, not convenience.

Each cell switches one emulator variant (docs/api-notes.md#what-we-assume-about-the-sinch-api)
and runs, in-process: create, a create whose answer is lost, a second apply, an update, an
on-demand activation of one approved group, drift and import. Whatever the reading, these must
hold: never two open orders for one reference, never a stored secret other than the spec's,
never an unapproved group activated without an alert (exit 1), never an apply that keeps
finding work (a further apply converges, or repeats one clear error), and a clear error where
portctl cannot know.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from reconciler.api import ApiError
from reconciler.apply import ApplyReport
from reconciler.apply.outcomes import Outcome
from reconciler.emulator import Emulator, Fault
from reconciler.importing.run import ImportFilters, import_orders
from reconciler.planning.items import ACTION_KINDS
from reconciler.reporting import build_drift, fetch_report_live
from reconciler.spec import load_project
from tests.apply.conftest import (
    ACCOUNT,
    PIN,
    ApplyWorld,
    client_for,
    fresh_plan,
    open_orders,
    plan_and_execute,
    references,
)
from tests.core.builders import port_in_document
from tests.world import TODAY

ACME = ["+13125550141", "+14155550142"]
"""Two losing carriers, so two activation groups."""
ACME_2 = ["+13125550151"]
NOTE = "LOA  signed by the CFO"
"""Two blanks: a server that squeezes them must not make portctl add the note again."""

OK_OUTCOMES = (Outcome.APPLIED, Outcome.SKIPPED)

CELLS: list[dict[str, str]] = [
    {},
    {"paging": "zero"},
    {"paging": "ignore"},
    {"secrets-on-read": "mask"},
    {"secrets-on-read": "omit"},
    {"normalise": "upper-city"},
    {"normalise": "squash-space"},
    {"reference-filter": "substring"},
    {"activation-key": "groupIds-only"},
    {"activation-key": "phoneNumberGroups-only"},
    {"activation-key": "whole-order"},
    {"list-lag": "5s"},
    {"activations-shape": "skill"},
    {"document-path": "spec-only"},
    {"document-path": "skill-only"},
    {"phone-groups": "absent"},
    {"foc-date": "date"},
    {"time-zones": "us-only"},
    {"reference-length": "unlimited"},
    {"invalid-status": "400"},
    {"portability-open-orders": "ignore"},
    {"portability-open-orders": "ignore-canceling"},
    {"portability-open-orders": "waiting-only"},
]


@dataclass
class EmulatorClock:
    """Apply's waits move the emulator's virtual clock: a lagging list catches up in time."""

    emu: Emulator

    def __call__(self) -> Any:
        return self.emu.now

    def sleep(self, seconds: float) -> None:
        self.emu.advance(timedelta(seconds=seconds))


def write(world: ApplyWorld, name: str, numbers: list[str], **options: Any) -> None:
    groups = options.pop("groups", None)
    city = options.pop("city", "Chicago")
    document = port_in_document(
        name, numbers, pin="${APPLY_PIN}", account="${APPLY_ACCOUNT}", city=city, **options
    )
    if groups is not None:
        document["spec"]["activation"] = {"mode": "on-demand", "when": "manual", "groups": groups}
    world.write(f"{name}.yaml", document)


def apply(world: ApplyWorld) -> ApplyReport:
    """One apply; a minute passes afterwards (the next run is never in the same second)."""
    clock = EmulatorClock(world.emu)
    report = plan_and_execute(world.emu, world.desired(), clock=clock)  # type: ignore[arg-type]
    world.emu.advance(timedelta(minutes=1))
    return report


def failures(report: ApplyReport) -> list[str]:
    return sorted(
        f"{r.item.name}: {r.message}" for r in report.results if r.outcome not in OK_OUTCOMES
    )


def settle(world: ApplyWorld) -> list[ApplyReport]:
    """Apply until nothing is left to do; at most three more runs, and a stuck one must repeat
    the same clear failure (never an endless apply that keeps finding work)."""
    runs = [apply(world)]
    while fresh_plan(world.emu, world.desired()).actions and len(runs) < 3:
        runs.append(apply(world))
    left = fresh_plan(world.emu, world.desired()).actions
    if left:
        assert len(runs) >= 2, left
        assert failures(runs[-1]) == failures(runs[-2]), left
        assert failures(runs[-1]), left
    return runs


def assert_safe(world: ApplyWorld) -> None:
    """One open order per reference, and every stored secret is the spec's."""
    refs = references(world.emu)
    assert len(refs) == len(set(refs)), refs
    for order in open_orders(world.emu):
        for number in order["phoneNumbers"]:
            info = number["portOutInfo"]
            assert (info["existingPortOutPin"], info["accountNum"]) == (PIN, ACCOUNT)


def group_of(order: dict[str, Any], number: str) -> str:
    return next(
        str(n["phoneNumberGroup"]) for n in order["phoneNumbers"] if n["phoneNumber"] == number
    )


@pytest.mark.parametrize(
    "chosen", CELLS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "default"
)
def test_core_flows_stay_safe(chosen: dict[str, str], world: ApplyWorld, tmp_path: Path) -> None:
    world.emu.set_variants(chosen)

    # create
    write(world, "acme-2", ACME_2, notes=[NOTE])
    if chosen.get("paging") == "zero":
        apply(world)  # nothing exists yet: the empty page 1 happens to be the whole list
        with pytest.raises(ApiError, match=r"read 0 of totalItems=1 .*`page`"):
            apply(world)  # page 1 is the second page now: refused, never planned from it
        assert_safe(world)
        assert len(open_orders(world.emu)) == 1
        return
    settle(world)
    assert_safe(world)

    # a create whose answer is lost; `acme` is a substring of `acme-2`'s reference
    write(world, "acme", ACME, on_demand=True, documents=True, notes=[NOTE])
    world.emu.add_fault(Fault(method="POST", path="/orders/portIns", mode="drop-after-commit"))
    settle(world)
    assert_safe(world)
    acme = world.order("gitops/acme")
    assert len(acme["notes"]) == 1
    assert len(acme["documents"]) == 1
    assert len(world.order("gitops/acme-2")["notes"]) == 1

    # update
    write(world, "acme", ACME, on_demand=True, documents=True, notes=[NOTE], city="Springfield")
    runs = settle(world)
    assert_safe(world)
    cities = {n["endUser"]["city"].casefold() for n in world.order("gitops/acme")["phoneNumbers"]}
    assert cities == {"springfield"}
    if chosen.get("normalise") == "upper-city":
        assert "server-normalised" in " ".join(r.message for r in runs[0].results)

    # activate one approved group of two
    acme = world.order("gitops/acme")
    for group in sorted({str(n["phoneNumberGroup"]) for n in acme["phoneNumbers"]}):
        world.emu.confirm_group(acme["id"], group, TODAY.isoformat())
    approved = group_of(acme, ACME[0])
    write(world, "acme", ACME, documents=True, notes=[NOTE], city="Springfield", groups=[approved])
    activation = apply(world)
    statuses = {
        n["phoneNumber"]: n["status"]
        for n in world.emu.world.orders[acme["id"]]["order"]["phoneNumbers"]
    }
    assert statuses[ACME[0]] == "ACTIVATED"
    if statuses[ACME[1]] == "ACTIVATED":  # an API that ignores the body: detected, not prevented
        assert chosen == {"activation-key": "whole-order"}
        assert not activation.ok
        assert any("ALERT" in r.message and r.outcome == "unknown" for r in activation.results)
    else:
        assert activation.ok, failures(activation)
    assert_safe(world)
    assert not [i for i in fresh_plan(world.emu, world.desired()).items if i.kind in ACTION_KINDS]

    # drift
    desired = world.desired()
    with client_for(world.emu) as client:
        live = fetch_report_live(client, desired)
    plan = fresh_plan(world.emu, desired)
    assert build_drift(desired, live, plan, today=TODAY).actionable == ()

    # import, then plan the imported specs (secrets unread): nothing to change
    out = tmp_path / "imported"
    with client_for(world.emu) as client:
        result = import_orders(client, out, ImportFilters(reference_prefix="gitops/"))
    assert len(result.written) == 2
    text = "".join(p.read_text() for p in result.written)
    assert PIN not in text
    assert "****" not in text
    loaded = load_project([out], today=TODAY, env={}, resolve_secrets=False)
    assert loaded.state is not None, [str(i) for i in loaded.issues]
    imported_plan = fresh_plan(world.emu, loaded.state)
    assert not imported_plan.actions, imported_plan.actions
