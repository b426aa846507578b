"""The watcher's worker in-process against the emulator: what it acts on and what it never
acts on (the spec missing, differing, or the project locked by an apply), notifications and
their deduplication, coalescing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.apply.lock import apply_lock, lock_path
from reconciler.watch.metrics import Metrics
from reconciler.watch.store import Store
from reconciler.watch.worker import Worker, WorkerSettings
from tests.apply.conftest import ApplyWorld, client_for

HQ = ["+13125550141"]


def make_worker(world: ApplyWorld, state: Path, **overrides: Any) -> Worker:
    """A worker on the in-process emulator, settling at once, one generic target."""
    overrides.setdefault("client_factory", lambda: client_for(world.emu))
    settings = WorkerSettings(
        load_specs=world.desired,
        link=lambda oid: f"https://example.test/orders/{oid}",
        targets=("webhook",),
        resync_seconds=3600,
        quiet_seconds=0.0,
        **overrides,
    )
    return Worker(Store(state), Metrics(), settings)


@pytest.fixture
def ready(world: ApplyWorld) -> int:
    """A `when: ready` order, confirmed with its FOC today: its group is offered."""
    world.spec("hq", HQ, on_demand=True)
    assert all(r.outcome == "applied" for r in world.execute().results)
    order = world.order("gitops/hq")
    for group in {n["phoneNumberGroup"] for n in order["phoneNumbers"]}:
        world.emu.confirm_group(order["id"], group, "2026-11-26")
    return int(order["id"])


def activations(world: ApplyWorld) -> list[str]:
    return [r.path for r in world.emu.request_log if r.path.endswith("/activate")]


def events(store: Store) -> list[tuple[str, str]]:
    return [(n["event"], n["reference"]) for n in store.snapshot()["latestNotifications"]]


def look(worker: Worker, order_id: int, kind: str = "ORDER_UPDATED") -> None:
    """One webhook recorded, then processed."""
    worker.store.record_event(kind, order_id)
    worker.drain()


def test_a_ready_group_is_activated_once(world: ApplyWorld, ready: int, tmp_path: Path) -> None:
    worker = make_worker(world, tmp_path / "state")
    look(worker, ready)
    assert world.emu.world.orders[ready]["order"]["status"] == "COMPLETED"
    assert len(activations(world)) == 1
    look(worker, ready, "NUMBERS_ACTIVATED")  # a duplicate or late webhook does nothing
    assert len(activations(world)) == 1
    assert events(worker.store) == [("activated", "gitops/hq")]
    assert worker.store.snapshot()["events"] == {"pending": 0, "done": 2, "webhooks": 2}


def test_never_acts_when_the_spec_is_missing(world: ApplyWorld, ready: int, tmp_path: Path) -> None:
    (world.specs / "hq.yaml").unlink()
    world.spec("other", ["+13125550199"])  # the project still has specs
    worker = make_worker(world, tmp_path / "state")
    look(worker, ready)
    assert activations(world) == []
    assert events(worker.store) == [("spec_missing", "gitops/hq")]


def test_never_acts_when_the_spec_differs(world: ApplyWorld, ready: int, tmp_path: Path) -> None:
    world.spec("hq", HQ, on_demand=True, city="Evanston")
    worker = make_worker(world, tmp_path / "state")
    look(worker, ready)
    assert activations(world) == []
    assert events(worker.store) == [("order_confirmed_locked", "gitops/hq")]
    (note,) = worker.store.snapshot()["latestNotifications"]
    assert "city" in note["message"]
    assert "What to do" in note["message"]


def test_never_acts_while_an_apply_holds_the_lock(
    world: ApplyWorld, ready: int, tmp_path: Path
) -> None:
    path = lock_path([world.specs])
    worker = make_worker(world, tmp_path / "state", lock=lambda: apply_lock(path))
    with apply_lock(path):
        look(worker, ready)
    assert activations(world) == []
    assert events(worker.store) == [("apply_running", "gitops/hq")]
    worker.store.enqueue([ready], source="resync")  # the next resync, lock released
    worker.drain()
    assert len(activations(world)) == 1


def test_manual_activation_is_left_to_apply(world: ApplyWorld, tmp_path: Path) -> None:
    world.spec("hq", HQ, on_demand=True)
    document = (world.specs / "hq.yaml").read_text("utf-8")
    assert "when: ready" in document
    (world.specs / "hq.yaml").write_text(document.replace("when: ready", "when: manual"))
    assert all(r.outcome == "applied" for r in world.execute().results)
    order = world.order("gitops/hq")
    for group in {n["phoneNumberGroup"] for n in order["phoneNumbers"]}:
        world.emu.confirm_group(order["id"], group, "2026-11-26")
    worker = make_worker(world, tmp_path / "state")
    look(worker, int(order["id"]))
    assert activations(world) == []
    assert worker.store.snapshot()["events"]["done"] == 1  # the event was handled, not lost


def test_a_burst_for_one_order_is_one_read(world: ApplyWorld, tmp_path: Path) -> None:
    world.spec("hq", HQ)
    world.execute()
    order_id = int(world.order("gitops/hq")["id"])
    worker = make_worker(world, tmp_path / "state")
    before = len(world.emu.request_log)
    for kind in ["ORDER_UPDATED", "NUMBERS_CONFIRMED"] * 50:
        worker.store.record_event(kind, order_id)
    worker.drain()
    reads = [r for r in world.emu.request_log[before:] if r.path.endswith(f"/{order_id}")]
    assert len(reads) == 1
    assert worker.store.snapshot()["events"]["pending"] == 0


def test_pending_changes_are_a_notification_once(world: ApplyWorld, tmp_path: Path) -> None:
    world.spec("hq", HQ)
    world.execute()
    world.spec("hq", HQ, city="Evanston")
    order_id = int(world.order("gitops/hq")["id"])
    worker = make_worker(world, tmp_path / "state")
    look(worker, order_id)
    look(worker, order_id)
    assert events(worker.store) == [("update_pending", "gitops/hq")]
    assert [r.method for r in world.emu.request_log if r.method == "PUT"] == []


def test_stopping_finishes_the_order_in_hand_and_keeps_the_rest(
    world: ApplyWorld, tmp_path: Path
) -> None:
    world.spec("hq", HQ)
    world.spec("annex", ["+13125550161"])
    world.execute()
    first, second = sorted(int(world.order(f"gitops/{n}")["id"]) for n in ("hq", "annex"))
    worker: Worker | None = None

    def stop_on_first_read(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.endswith(f"/{first}"):
            assert worker is not None
            worker.stop()  # SIGTERM arrives while the first order is in hand
        return world.emu.handle(request)

    worker = make_worker(
        world, tmp_path / "state", client_factory=lambda: client_for(world.emu, stop_on_first_read)
    )
    worker.store.record_event("ORDER_UPDATED", first)
    worker.store.record_event("ORDER_UPDATED", second)
    worker.drain()
    assert worker.store.pending_orders(10) == [(second, 2)], "the rest stays pending"
