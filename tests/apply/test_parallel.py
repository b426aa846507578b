"""Independent orders are applied side by side (issue 12 point 3), with the serial guarantees.

In-process runs use the emulator behind `Serialized` (one request at a time, as served, after a
short pause so that items' requests overlap) and an explicit executor parallelism; the CLI runs
use `--parallelism N` against the served emulator.
"""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from collections import Counter
from typing import Any

import httpx
import pytest

from reconciler.api import PortingClient
from reconciler.api.session import Stopped
from reconciler.apply import ApplyReport, Executor, Outcome
from reconciler.apply.executor import INTERRUPTED_ITEM, Timed, independent_groups, workers_for
from reconciler.emulator import Emulator, Fault
from reconciler.essence import port_defaults
from reconciler.live import fetch_live
from reconciler.planning import PlanItem, build_plan
from reconciler.planning.items import Kind, Reason
from reconciler.planning.reads import PlanReads
from reconciler.savedplan import plan_fingerprints
from tests.apply.conftest import (
    ApplyWorld,
    Serialized,
    client_for,
    mutating,
    plan_and_execute,
    references,
)
from tests.world import TODAY

PARALLEL = 4
ORDER_PATH = re.compile(r"/orders/portIns/(\d+)")


def _numbers(index: int, count: int = 1) -> list[str]:
    return [f"+1312555{index:02d}{n:02d}" for n in range(count)]


def _many(world: ApplyWorld, count: int) -> list[str]:
    """`count` new specs; every third has a note, every fifth a document."""
    names = [f"order-{i:02d}" for i in range(count)]
    for index, name in enumerate(names):
        notes = ["LOA signed"] if index % 3 == 0 else []
        world.spec(name, _numbers(index, 1 + index % 3), notes=notes, documents=index % 5 == 0)
    return names


def _execute(world: ApplyWorld, **options: Any) -> tuple[ApplyReport, Serialized]:
    handler = Serialized(world.emu)
    report = plan_and_execute(
        world.emu, world.desired(), handler=handler, parallelism=PARALLEL, **options
    )
    return report, handler


def test_many_orders_side_by_side_converge_once_each_in_plan_order(world: ApplyWorld) -> None:
    names = _many(world, 24)
    planned = world.plan().actions
    report, _ = _execute(world)
    assert [r.item for r in report.results] == list(planned), "results in plan order"
    assert {r.outcome for r in report.results} == {Outcome.APPLIED}, [
        r.message for r in report.results if r.outcome is not Outcome.APPLIED
    ]
    assert references(world.emu) == [f"gitops/{n}" for n in names], "one order per spec"
    assert world.plan().actions == ()
    again, _ = _execute(world)
    assert again.results == ()


def test_requests_of_different_orders_overlap(world: ApplyWorld) -> None:
    _many(world, 12)
    handler = Serialized(world.emu, pause_s=0.01)
    desired = world.desired()
    with client_for(world.emu, handler) as client:
        live = fetch_live(client, PlanReads(desired))
        plan = build_plan(desired, live, today=TODAY)
        client.parallelism.peak = 0
        report = Executor(
            client,
            desired,
            fingerprints=plan_fingerprints(plan, live),
            defaults=port_defaults(live.configuration),
            parallelism=PARALLEL,
        ).run(plan)
        assert client.parallelism.peak > 1, "orders were applied one at a time"
        assert client.parallelism.peak <= PARALLEL
    assert {r.outcome for r in report.results} == {Outcome.APPLIED}


def test_each_item_records_exactly_its_own_calls(world: ApplyWorld) -> None:
    _many(world, 16)
    after_plan: list[int] = []
    report, _ = _execute(world, between=lambda _: after_plan.append(len(world.emu.request_log)))
    applying = world.emu.request_log[after_plan[0] :]
    recorded = [c for r in report.results for c in r.calls]
    assert len(recorded) == len(applying), "every request is one item's, and only one item's"
    assert Counter((c.method, c.path.split("?")[0]) for c in recorded) == Counter(
        (r.method, r.path.removeprefix("/v1/projects/demo")) for r in applying
    )
    for result in report.results:
        ids = {int(m[1]) for c in result.calls if (m := ORDER_PATH.match(c.path))}
        assert ids <= {result.order_id}, (result.item.name, result.calls)
        if result.item.kind == "create":
            assert [c.operation for c in result.calls].count("create_order") == 1


def test_creates_side_by_side_take_one_look_and_one_post_each(world: ApplyWorld) -> None:
    for index in range(20):
        world.spec(f"order-{index:02d}", _numbers(index, 2))
    after_plan: list[int] = []
    report, _ = _execute(world, between=lambda _: after_plan.append(len(world.emu.request_log)))
    applying = world.emu.request_log[after_plan[0] :]
    assert {r.outcome for r in report.results} == {Outcome.APPLIED}
    kinds = Counter((r.method, r.path.rsplit("/", 1)[-1]) for r in applying)
    assert kinds == {
        ("GET", "portIns"): 1,
        ("POST", "portabilityChecks"): 1,
        ("POST", "portIns"): 20,
    }
    assert len(applying) / 20 <= 2


def test_lost_answers_side_by_side_never_duplicate_an_order(world: ApplyWorld) -> None:
    names = [f"order-{i:02d}" for i in range(12)]
    for index, name in enumerate(names):
        world.spec(name, _numbers(index, 2), notes=["LOA signed"] if index % 2 else [])
    world.emu.add_fault(
        Fault(method="POST", path="/orders/portIns", count=5, mode="drop-after-commit")
    )
    for _ in range(3):
        report, _ = _execute(world)
        # each create that lost its answer found its own order by its own reference
        lost = [r for r in report.results if any(c.result == "outcome-unknown" for c in r.calls)]
        assert all(r.outcome is not Outcome.FAILED for r in lost), [r.message for r in lost]
        if not world.plan().actions:
            break
    assert world.plan().actions == ()
    every = sorted(r["order"]["customerOrderReference"] for r in world.emu.world.orders.values())
    assert every == [f"gitops/{n}" for n in names], "one order per reference, ever"
    noted = [o for o in world.emu.world.orders.values() if o["order"]["notes"]]
    assert all(len(o["order"]["notes"]) == 1 for o in noted)


def test_an_order_and_a_number_it_frees_stay_in_one_group() -> None:
    def item(kind: str, name: str, order_id: int | None, numbers: tuple[str, ...]) -> PlanItem:
        return PlanItem(
            Kind(kind), name, Reason.ORDER_MISSING, "", order_id=order_id, numbers=numbers
        )

    actions = [
        item("configure", "defaults", None, ()),
        item("update", "alpha", 1, ("+13125550141",)),
        item("cancel", "delta", 4, ("+13125550171",)),
        item("create", "beta", None, ("+13125550141",)),
        item("create", "gamma", None, ("+13125550161",)),
        item("add-note", "gamma", None, ()),
        item("add-note", "alpha", 1, ()),
    ]
    assert independent_groups(actions) == [[0], [1, 3, 6], [2], [4, 5]]
    assert workers_for(8, 8) == 1, "a plan of a few orders runs one after another"
    assert workers_for(9, 8) == 8
    assert workers_for(300, 8) == 8


def test_budgets_hold_when_orders_run_side_by_side(world: ApplyWorld) -> None:
    names = _many(world, 10)
    assert world.cli("--auto-approve", "--parallelism", "2").code == 0
    for name in names[:4]:
        world.spec(name, _numbers(names.index(name), 1 + names.index(name) % 3), state="canceled")
    world.emu.request_log.clear()
    refused = world.cli("--auto-approve", "--parallelism", "2", "--max-cancels", "3")
    assert refused.code == 1
    assert "safety budget exceeded" in refused.err
    assert mutating(world.emu.request_log) == []
    world.spec("extra", _numbers(40))
    done = world.cli(
        "--auto-approve", "--parallelism", "2", "--max-cancels", "4", "--format", "json"
    )
    assert done.code == 0, done.err
    deletes = [r for r in world.emu.request_log if r.method == "DELETE"]
    assert len(deletes) == 4, "one DELETE per planned cancel, however the items interleave"


def test_sigterm_with_several_orders_in_flight(
    world: ApplyWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [f"order-{i:02d}" for i in range(8)]
    for index, name in enumerate(names):
        world.spec(name, _numbers(index), notes=["LOA signed"])
    handle = Emulator.handle
    seen: dict[str, int] = {"creates": 0, "after": 0}
    killed_on: list[str] = []
    stopped = threading.Event()
    stop = PortingClient.stop

    def noted_stop(client: PortingClient) -> None:
        stop(client)
        stopped.set()

    monkeypatch.setattr(PortingClient, "stop", noted_stop)

    def terminated_on_third_create(self: Emulator, *args: Any, **kwargs: Any) -> Any:
        request: httpx.Request = args[0] if args else kwargs["request"]
        if stopped.is_set() and request.url.path.startswith("/v1/"):
            seen["after"] += 1
        answer = handle(self, *args, **kwargs)
        if request.method == "POST" and request.url.path.endswith("/portIns"):
            seen["creates"] += 1
            if seen["creates"] == 3:
                killed_on.append(json.loads(request.content)["customerOrderReference"])
                os.kill(os.getpid(), signal.SIGTERM)
        return answer

    monkeypatch.setattr(Emulator, "handle", terminated_on_third_create)
    log = world.root / "audit.jsonl"
    run = world.cli(
        "--auto-approve", "--parallelism", "2", "--audit-log", str(log), "--format", "json"
    )
    assert run.code == 130, run.err
    assert stopped.is_set()
    # the client refuses to send once stopped: a request arriving later was past that check
    # already, at most one per worker
    assert seen["after"] <= 2
    lines = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    started = [(x["order"]["name"], x["action"]) for x in lines if x["event"] == "started"]
    finished = {
        (x["order"]["name"], x["action"]): x["outcome"] for x in lines if x["event"] == "finished"
    }
    assert sorted(started) == sorted(finished), "every started item has its outcome"
    results = run.document["results"]
    assert [(r["name"], r["action"]) for r in results] == [
        (i["name"], i["kind"])
        for i in run.document["plan"]["items"]
        if (i["name"], i["kind"]) in finished
    ], "results in plan order"
    # The create whose POST the signal came in: unknown, or applied if its answer was back
    # before the run could stop (the signal is handled in the waiting thread).
    killed = next(r for r in results if r["reference"] == killed_on[0] and r["action"] == "create")
    assert killed["outcome"] in ("unknown", "applied")
    unknown = [r for r in results if r["outcome"] == "unknown"]
    assert len(unknown) <= 2, "at most the items in hand"
    assert run.document["notRun"], "the run stopped"
    assert len(run.document["notRun"]) == 16 - len(results)
    # The next run finishes the job: no order twice.
    monkeypatch.setattr(Emulator, "handle", handle)
    again = world.cli("--auto-approve", "--parallelism", "2")
    assert again.code == 0, again.err
    assert references(world.emu) == [f"gitops/{n}" for n in names]
    assert all(len(o["notes"]) == 1 for o in (r["order"] for r in world.emu.world.orders.values()))


def test_a_stopped_client_sends_nothing_from_any_thread(world: ApplyWorld) -> None:
    world.spec("alpha", _numbers(1))
    body = world.desired().orders[0].body
    with client_for(world.emu) as client:
        client.list_orders()
        client.stop()
        with client.recording() as calls, pytest.raises(Stopped):
            client.create_order(body)
        with pytest.raises(Stopped):
            client.get_orders([1, 2, 3])
    assert calls == [], "a refused request is no call"
    assert [r.method for r in world.emu.request_log] == ["GET"]


class _Told:
    """An observer that keeps what it is told, with whether the run had returned by then."""

    def __init__(self) -> None:
        self.outcomes: list[tuple[int, str, bool]] = []
        self.returned = False

    def started(self, index: int, total: int, item: PlanItem) -> None:
        """Nothing to keep."""

    def finished(self, index: int, total: int, timed: Timed) -> None:
        self.outcomes.append((index, str(timed.result.outcome), self.returned))


def test_a_second_interrupt_stops_waiting_for_the_request_on_the_wire(
    world: ApplyWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    for index in range(6):
        world.spec(f"order-{index:02d}", _numbers(index))
    serialized = Serialized(world.emu)
    stopped, returned, answered = threading.Event(), threading.Event(), threading.Event()
    stop = PortingClient.stop

    def noted_stop(client: PortingClient) -> None:
        stop(client)
        stopped.set()

    monkeypatch.setattr(PortingClient, "stop", noted_stop)
    posts: list[str] = []

    def hanging_third_create(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/portIns"):
            posts.append(request.url.path)
            if len(posts) == 3:
                os.kill(os.getpid(), signal.SIGTERM)
                assert stopped.wait(10), "the first interrupt stops the client"
                os.kill(os.getpid(), signal.SIGTERM)
                returned.wait(10)  # on the wire until the run has returned without it
                answer = serialized(request)
                answered.set()
                return answer
        return serialized(request)

    told = _Told()
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        report = plan_and_execute(
            world.emu,
            world.desired(),
            handler=hanging_third_create,
            parallelism=2,
            observers=[told],
        )
        told.returned = True
        assert not answered.is_set(), "the run gave up on the request on the wire"
        returned.set()
        assert answered.wait(10)
        time.sleep(0.2)  # the worker takes the late answer: it must change nothing
    finally:
        returned.set()
        signal.signal(signal.SIGTERM, previous)
    assert report.interrupted
    unknown = [r for r in report.results if r.outcome is Outcome.UNKNOWN]
    assert unknown
    assert all(r.message == INTERRUPTED_ITEM for r in unknown)
    assert len(report.results) + len(report.not_run) == 6
    assert len(told.outcomes) == len(report.results)
    assert not any(after for _, _, after in told.outcomes), "nobody is told after the run"


def test_progress_lines_count_items_done_whatever_order_they_finish_in(
    world: ApplyWorld,
) -> None:
    names = _many(world, 6)
    total = len(world.plan().actions)
    run = world.cli("--auto-approve", "--parallelism", "2")
    assert run.code == 0, run.err
    lines = [line for line in run.err.splitlines() if line.startswith("[")]
    assert [line.split("]")[0] for line in lines] == [f"[{n}/{total}" for n in range(1, total + 1)]
    assert sorted(n for n in names if any(f" {n}" in line for line in lines)) == names
