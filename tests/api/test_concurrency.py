"""Adaptive concurrency (issue 12): start at 8, halve on 429, grow back, never above the ceiling."""

from __future__ import annotations

import threading
import time

import pytest

from reconciler.api import PortingClient
from reconciler.api.concurrency import AdaptiveLimit
from reconciler.emulator import Emulator, Fault
from tests.api.bodies import order_body


def test_the_limit_starts_at_eight_or_the_ceiling() -> None:
    assert AdaptiveLimit().limit == 8
    assert AdaptiveLimit(3).limit == 3
    assert AdaptiveLimit(32).limit == 8
    with pytest.raises(ValueError, match="at least 1"):
        AdaptiveLimit(0)


def test_a_429_halves_the_limit_once_per_window_and_successes_grow_it_to_the_ceiling() -> None:
    gate = AdaptiveLimit(10)
    with gate.slot() as first, gate.slot() as second:
        pass
    gate.rate_limited(first)
    gate.rate_limited(second)  # sent in the same window: the limit already dropped for it
    assert gate.limit == 4
    with gate.slot() as third:
        pass
    gate.rate_limited(third)
    assert gate.limit == 2
    for _ in range(2 + 3 + 4 + 5 + 6 + 7 + 8 + 9):
        gate.succeeded()
    assert gate.limit == 10
    for _ in range(50):
        gate.succeeded()
    assert gate.limit == 10


def test_no_more_requests_than_the_limit_are_ever_in_flight() -> None:
    gate = AdaptiveLimit(3)
    in_flight = 0
    worst = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal in_flight, worst
        with gate.slot():
            with lock:
                in_flight += 1
                worst = max(worst, in_flight)
            time.sleep(0.005)
            with lock:
                in_flight -= 1

    threads = [threading.Thread(target=work) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert worst == gate.peak == 3


def test_reads_back_off_on_429_and_still_read_everything(
    client: PortingClient, emu: Emulator
) -> None:
    ids = [
        client.create_order(order_body((f"+131255501{i:02d}",), reference=f"r-{i}")).id
        for i in range(12)
    ]
    emu.add_fault(
        Fault(method="GET", path="/orders/portIns/", count=3, status=429, retry_after="1")
    )

    orders = client.get_orders(ids)

    assert sorted(orders) == sorted(ids)
    assert client.parallelism.limit < 8
    assert client.parallelism.peak <= 8
