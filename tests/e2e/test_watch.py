"""`portctl watch` end to end: `portctl emulator serve` sends its webhooks to a `portctl watch`
process (the project configuration's webhookUrl), which notifies a loopback receiver.

* a `when: ready` order is activated once the clock reaches its FOC date, without apply;
* a rejection is exactly one notification (the carrier's note travels inside it);
* `kill -9` mid-stream, restart: every accepted webhook is processed, no activation repeated;
* a burst of 1,000 webhooks (duplicates, out of order): all accepted, memory bounded, each
  order read from the API at most once.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.apply.conftest import write_spec
from tests.e2e.watchworld import WatchWorld, stop, wait_for, watch_world

pytestmark = pytest.mark.slow

CONFIRMED_AT = "2026-11-28T15:00:00Z"
"""The carriers have answered (confirm after 2 business days) by then."""
FOC_REACHED_AT = "2026-12-15T16:00:00Z"
"""The port date of the specs (`port_in_document`), which is the FOC."""


def order_id(world: WatchWorld, name: str) -> int:
    return int(world.life.orders()[f"gitops/{name}"]["id"])


def activations_of(world: WatchWorld, oid: int) -> int:
    return len(world.requests("POST", rf"/orders/portIns/{oid}/activate$"))


def reads_of(world: WatchWorld) -> Counter[str]:
    """GET /orders/portIns/{id} per order id."""
    paths = world.requests("GET", r"/orders/portIns/\d+$")
    return Counter(p.rsplit("/", 1)[1] for p in paths)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[WatchWorld]:
    with watch_world(tmp_path) as built:
        yield built


def test_ready_order_is_activated_at_its_foc_date_without_apply(world: WatchWorld) -> None:
    life = world.life
    write_spec(life.specs, "hq", ["+13125550141", "+13125550142"], on_demand=True)
    assert life.apply().code == 0
    watcher = world.start(resync="2s")
    world.point_webhooks_at(watcher)
    oid = order_id(world, "hq")

    life.set_clock(CONFIRMED_AT)  # webhooks: NUMBERS_CONFIRMED, ORDER_UPDATED
    wait_for("the confirmation to be processed", lambda: world.status()["events"]["webhooks"])
    wait_for("the watcher to settle", world.settled)
    assert life.orders()["gitops/hq"]["status"] == "CONFIRMED"
    assert activations_of(world, oid) == 0, "not before the FOC date"

    life.set_clock(FOC_REACHED_AT)  # no webhook: the resync finds the offered group
    wait_for(
        "the order to complete",
        lambda: life.orders()["gitops/hq"]["status"] == "COMPLETED",
    )
    assert activations_of(world, oid) == 1
    status = world.status_cli()
    assert status["formatVersion"] == 1
    assert [(a["orderId"], a["action"], a["outcome"]) for a in status["latestActions"]] == [
        (oid, "activate", "applied")
    ]
    told = wait_for("the activation notice", world.receiver.received)
    assert [(b["order"], b["event"]) for b in told] == [(oid, "activated")]
    assert told[0]["reference"] == "gitops/hq"
    stop(watcher)
    assert watcher.process.returncode == 0, watcher.log_text()
    announce, *lines = watcher.log_text().splitlines()
    assert "listening on" in announce
    logged = [json.loads(line) for line in lines]  # --log-format json: JSON lines only
    assert {"time", "level", "logger", "message"} <= set(logged[-1])
    assert any(entry.get("outcome") == "applied" for entry in logged)
    world.assert_no_secrets()


def test_a_rejection_is_exactly_one_notification(world: WatchWorld) -> None:
    life = world.life
    write_spec(life.specs, "annex", ["+13125550161"], pin="${BAD_PIN}")
    assert life.apply().code == 0
    watcher = world.start(resync="1s")
    world.point_webhooks_at(watcher)
    oid = order_id(world, "annex")

    life.set_clock(CONFIRMED_AT)  # NUMBERS_REJECTED, a Sinch note, ORDER_UPDATED
    told = wait_for("the rejection notice", world.receiver.received)
    resyncs = world.status()["lastResync"]
    wait_for("two more resyncs", lambda: world.status()["lastResync"] != resyncs, timeout=20)
    wait_for("the watcher to settle", world.settled)
    told = world.receiver.received()
    assert len(told) == 1, told
    (body,) = told
    assert body["order"] == oid
    assert body["reference"] == "gitops/annex"
    assert body["event"] == "numbers_rejected"
    assert "+13125550161 rejected: Invalid port-out PIN" in body["message"]
    assert "What to do" in body["message"]
    assert "The losing carrier rejected group" in body["message"], "Sinch's note folded in"
    assert str(oid) in body["link"]
    assert activations_of(world, oid) == 0
    stop(watcher)
    world.assert_no_secrets()


def test_kill_9_mid_stream_loses_no_event_and_repeats_no_action(world: WatchWorld) -> None:
    life = world.life
    write_spec(life.specs, "alpha", ["+13125550171"], on_demand=True)
    write_spec(life.specs, "beta", ["+13125550181"], on_demand=True)
    assert life.apply().code == 0
    first = world.start()
    world.point_webhooks_at(first)
    alpha, beta = order_id(world, "alpha"), order_id(world, "beta")
    today = life.today

    def confirm(oid: int) -> None:
        order = life.control("GET", "/_emulator/state")["world"]["orders"]
        rec = next(r for r in order if r["order"]["id"] == oid)
        for group in sorted({n["phoneNumberGroup"] for n in rec["order"]["phoneNumbers"]}):
            life.control(
                "POST",
                f"/_emulator/orders/{oid}/groups/{group}/confirm",
                {"focDate": today},
            )

    confirm(alpha)  # webhooks -> the watcher activates alpha
    wait_for("alpha to complete", lambda: life.orders()["gitops/alpha"]["status"] == "COMPLETED")
    sent_before = world.status()["events"]["webhooks"]

    # mid-stream: beta's confirmation webhooks and replays of alpha's are accepted (202,
    # committed), then the watcher dies before its settle window lets it process them
    replays = [{"type": "ORDER_UPDATED", "orderId": str(alpha)} for _ in range(5)]
    for body in replays:
        assert httpx.post(first.hook_url, json=body, timeout=10).status_code == 202
    confirm(beta)  # its webhooks are answered before the control call returns
    first.process.kill()
    first.process.wait(timeout=10)
    accepted = world.status()["events"]
    assert accepted["pending"] > 0, "killed before processing"
    assert life.orders()["gitops/beta"]["status"] == "CONFIRMED"

    second = world.start()
    wait_for("beta to complete", lambda: life.orders()["gitops/beta"]["status"] == "COMPLETED")
    wait_for("the watcher to settle", world.settled)
    after = world.status()
    assert after["events"]["webhooks"] == accepted["webhooks"] > sent_before
    assert after["events"]["pending"] == 0, "every accepted event processed"
    assert activations_of(world, alpha) == 1
    assert activations_of(world, beta) == 1
    applied = sorted(a["orderId"] for a in after["latestActions"] if a["outcome"] == "applied")
    assert applied == sorted([alpha, beta])
    stop(second)
    world.assert_no_secrets()


def test_a_burst_of_1000_webhooks_reads_each_order_once(world: WatchWorld) -> None:
    life = world.life
    names = [f"site-{i:02d}" for i in range(20)]
    for i, name in enumerate(names):
        write_spec(life.specs, name, [f"+1312555{i:04d}"])
    assert life.apply().code == 0
    watcher = world.start()
    wait_for("the start-up resync", lambda: world.status()["lastResync"])
    wait_for("the watcher to settle", world.settled)
    ids = [order_id(world, name) for name in names]
    before_reads = reads_of(world)
    before_rss = watcher.rss_kib()

    rng = random.Random(13)  # noqa: S311 (seeded test data)
    kinds = ["ORDER_UPDATED", "NUMBERS_CONFIRMED", "NEW_ORDER_NOTE", "NUMBERS_REJECTED"]
    bodies = [{"type": rng.choice(kinds), "orderId": str(rng.choice(ids))} for _ in range(1000)]
    started = time.monotonic()
    with httpx.Client(timeout=30) as http, ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(lambda b: http.post(watcher.hook_url, json=b).status_code, bodies))
    took = time.monotonic() - started
    assert codes == [202] * 1000
    print(f"1,000 webhooks accepted in {took:.2f} s ({1000 / took:.0f}/s)")
    wait_for("the burst to be processed", world.settled, timeout=60)

    after_reads = reads_of(world)
    touched = {str(b["orderId"]) for b in bodies}
    extra = {oid: after_reads[oid] - before_reads[oid] for oid in touched}
    assert extra == dict.fromkeys(touched, 1), "each order read exactly once for the burst"
    assert world.status()["events"]["webhooks"] == 1000
    grown = watcher.rss_kib() - before_rss
    assert grown < 40_000, f"memory grew by {grown} KiB"
    metrics = httpx.get(f"{watcher.url}/metrics", timeout=10).text
    assert 'portctl_watch_webhooks_total{type="ORDER_UPDATED"}' in metrics
    assert httpx.get(f"{watcher.url}/healthz", timeout=10).json() == {"status": "ok"}
    assert httpx.get(f"{watcher.url}/hooks/wrong-token", timeout=10).status_code == 404
    stop(watcher)
    world.assert_no_secrets()
