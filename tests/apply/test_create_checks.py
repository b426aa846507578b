"""The look before each create is batched: one order list and one portability batch for the
creates still to come, taken again when older than `CHECKS_FRESH_S` (issue 12 point 3); the
plan apply has just made is the first such look (`CreateChecks.from_plan`)."""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Sequence

from reconciler.api import PortingClient
from reconciler.apply import ApplyReport, Executor, Observer
from reconciler.apply.context import CHECKS_FRESH_S, CreateChecks
from reconciler.apply.executor import Timed
from reconciler.essence import port_defaults
from reconciler.live import fetch_live
from reconciler.planning import PlanItem, build_plan
from reconciler.planning.reads import PlanReads
from reconciler.savedplan import plan_fingerprints
from tests.apply.conftest import ApplyWorld, VirtualClock, client_for, references
from tests.world import TODAY

NUMBERS = {"alpha": ["+13125550141", "+13125550142"], "beta": ["+13125550151"]}
NUMBERS["gamma"] = ["+13125550161"]


class _AfterFirstItem:
    """An observer that makes `number` non-portable once the first item has finished."""

    def __init__(self, world: ApplyWorld, number: str) -> None:
        self.world, self.number = world, number

    def started(self, index: int, total: int, item: PlanItem) -> None:
        """Nothing to do before an item."""

    def finished(self, index: int, total: int, timed: Timed) -> None:
        if index == 1:
            self.world.emu.mark_nonportable([self.number])


def _execute(
    world: ApplyWorld,
    monotonic: Callable[[], float],
    observers: Sequence[Observer] = (),
    plan_look_age: float | None = None,
    after_plan: Callable[[PortingClient], object] = lambda _: None,
) -> ApplyReport:
    """Plan and execute in-process, with the batch aged by `monotonic`; with `plan_look_age`,
    the plan's own look is the first one, that many seconds old when apply starts;
    `after_plan` runs between the plan and the apply."""
    desired = world.desired()
    clock = VirtualClock()
    with client_for(world.emu) as client:
        live = fetch_live(client, PlanReads(desired))
        plan = build_plan(desired, live, today=TODAY)
        after_plan(client)
        first_look = None
        if plan_look_age is not None:
            look = CreateChecks.from_plan(live)
            assert look is not None
            first_look = dataclasses.replace(look, taken_at=monotonic() - plan_look_age)
        return Executor(
            client,
            desired,
            fingerprints=plan_fingerprints(plan, live),
            defaults=port_defaults(live.configuration),
            clock=clock,
            sleep=clock.sleep,
            monotonic=monotonic,
            observers=observers,
            first_look=first_look,
        ).run(plan)


def _operations(report: ApplyReport) -> Counter[str]:
    return Counter(c.operation for r in report.results for c in r.calls)


def test_three_creates_share_one_list_and_one_portability_batch(world: ApplyWorld) -> None:
    for name, numbers in NUMBERS.items():
        world.spec(name, numbers)
    report = _execute(world, monotonic=lambda: 0.0)
    assert {r.item.name: str(r.outcome) for r in report.results} == dict.fromkeys(
        NUMBERS, "applied"
    )
    assert _operations(report) == {
        "list_orders": 1,
        "check_portability": 1,
        "create_order": 3,
    }
    assert references(world.emu) == sorted(f"gitops/{name}" for name in NUMBERS)


def test_a_batch_older_than_the_limit_is_taken_again_before_the_next_post(
    world: ApplyWorld,
) -> None:
    for name, numbers in NUMBERS.items():
        world.spec(name, numbers)
    ticks = iter(range(0, 1000, int(CHECKS_FRESH_S) + 1))
    report = _execute(world, monotonic=lambda: float(next(ticks)))
    assert _operations(report)["check_portability"] == 3
    assert _operations(report)["list_orders"] == 3
    assert references(world.emu) == sorted(f"gitops/{name}" for name in NUMBERS)


def test_a_fresh_batch_is_trusted_and_an_aged_one_sees_a_later_change(world: ApplyWorld) -> None:
    for name, numbers in NUMBERS.items():
        world.spec(name, numbers)
    changed = NUMBERS["beta"][0]
    aged = iter(range(0, 1000, int(CHECKS_FRESH_S) + 1))
    report = _execute(
        world, monotonic=lambda: float(next(aged)), observers=[_AfterFirstItem(world, changed)]
    )
    outcomes = {r.item.name: str(r.outcome) for r in report.results}
    assert outcomes == {"alpha": "applied", "beta": "failed", "gamma": "applied"}
    beta = next(r for r in report.results if r.item.name == "beta")
    assert changed in beta.message
    assert "create_order" not in {c.operation for c in beta.calls}


def test_the_plans_own_look_serves_creates_while_it_is_fresh(world: ApplyWorld) -> None:
    for name, numbers in NUMBERS.items():
        world.spec(name, numbers)
    report = _execute(world, monotonic=time.monotonic, plan_look_age=0.0)
    assert _operations(report) == {"create_order": 3}
    assert references(world.emu) == sorted(f"gitops/{name}" for name in NUMBERS)


def test_a_stale_plan_look_is_taken_again_and_sees_an_order_made_since(
    world: ApplyWorld,
) -> None:
    for name, numbers in NUMBERS.items():
        world.spec(name, numbers)
    alpha = next(o for o in world.desired().orders if o.name == "alpha")
    report = _execute(
        world,
        monotonic=time.monotonic,
        plan_look_age=CHECKS_FRESH_S + 1,
        # after the plan, before the apply (a person at the prompt): alpha's order appears
        after_plan=lambda client: client.create_order(alpha.body),
    )
    outcomes = {r.item.name: str(r.outcome) for r in report.results}
    assert outcomes == {"alpha": "skipped", "beta": "applied", "gamma": "applied"}
    assert _operations(report)["list_orders"] == 1
    assert references(world.emu) == sorted(f"gitops/{name}" for name in NUMBERS)
