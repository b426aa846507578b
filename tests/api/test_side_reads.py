"""Independent reads go out side by side, and their calls are on record as if made one after
the other: a read alongside the caller's (`PortingClient.alongside`; `fetch_live` reads the
configuration this way) and the batches of one portability check.

The transport below holds chosen requests at a barrier that needs two requests in flight at
once: read one after the other, the barrier breaks and the test fails.
"""

from __future__ import annotations

import itertools
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest

from reconciler.api import PortingClient, errors
from reconciler.api.client import PORTABILITY_BATCH, READ_THREADS
from reconciler.desired import DesiredState
from reconciler.emulator import Emulator
from reconciler.emulator.errors import ErrorAnswer, error_response
from reconciler.live import fetch_live
from reconciler.planning.reads import PlanReads
from tests.api.bodies import order_body
from tests.api.conftest import RecordingTransport, demo_client

Held = Callable[[httpx.Request], bool]
CONFIGURATION = {
    "contact": {"email": "ops@example.com", "name": "Ops", "phone": "+13125550100"},
    "webhookUrl": "https://hooks.example.com/porting",
    "defaultPortTime": "10:00:00",
    "defaultPortTimeZone": "US/Central",
}


@dataclass
class Together(httpx.BaseTransport):
    """Passes every request on; those `held` picks wait until two of them are in flight."""

    inner: httpx.BaseTransport
    held: Held

    def __post_init__(self) -> None:
        self.barrier = threading.Barrier(2, timeout=10)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.held(request):
            self.barrier.wait()
        return self.inner.handle_request(request)


def _configuration(request: httpx.Request) -> bool:
    return request.method == "GET" and request.url.path.endswith("/configuration")


def _first_page(request: httpx.Request) -> bool:
    listing = request.method == "GET" and request.url.path.endswith("/orders/portIns")
    return listing and request.url.params.get("page", "1") == "1"


def test_a_read_alongside_is_in_flight_with_the_callers_and_recorded_where_taken(
    recorder: RecordingTransport,
) -> None:
    transport = Together(recorder, lambda r: _configuration(r) or _first_page(r))
    with (
        demo_client(transport) as client,
        client.recording() as calls,
        client.alongside(client.get_configuration) as configuration,
    ):
        rows = client.list_orders()
        assert [c.operation for c in calls] == ["list_orders"]  # not told before taken
        found = configuration()
    assert rows == []
    assert found is None
    assert [(c.operation, c.result) for c in calls] == [
        ("list_orders", "ok"),
        ("get_configuration", "404"),  # none yet: get_configuration answers None
    ]


def test_the_error_of_a_read_alongside_is_raised_where_it_is_taken() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return error_response(ErrorAnswer(400, "no access to the configuration"))

    with (
        demo_client(httpx.MockTransport(refuse)) as client,
        client.recording() as calls,
        client.alongside(client.get_configuration) as configuration,
        pytest.raises(errors.BadRequest, match="no access to the configuration"),
    ):
        configuration()
    assert [(c.operation, c.result) for c in calls] == [("get_configuration", "400")]


def test_a_read_alongside_never_taken_is_waited_for_and_on_record(
    recorder: RecordingTransport,
) -> None:
    with demo_client(recorder) as client, client.recording() as calls:
        with (
            pytest.raises(RuntimeError, match="the block failed"),
            client.alongside(client.get_configuration),
        ):
            raise RuntimeError("the block failed")
        assert [c.operation for c in calls] == ["get_configuration"]
    assert client.calls["get_configuration"] == 1


def test_a_plan_reads_the_configuration_beside_the_order_list(
    recorder: RecordingTransport,
) -> None:
    transport = Together(recorder, lambda r: _configuration(r) or _first_page(r))
    with demo_client(transport) as client:
        client.create_configuration(CONFIGURATION)
        client.create_order(order_body(reference="gitops/acme"))
        live = fetch_live(client, PlanReads(DesiredState(orders=())))
    assert live.configuration is not None
    assert live.configuration["defaultPortTime"] == "10:00:00"
    assert live.api_calls == 2  # the list page and the configuration: both counted


def _portability(request: httpx.Request) -> bool:
    return request.url.path.endswith("/portabilityChecks")


def _numbers(count: int) -> list[str]:
    return [f"+1312{2000000 + i:07d}" for i in range(count)]


def test_the_batches_of_a_portability_check_go_out_side_by_side_and_answer_in_order(
    recorder: RecordingTransport,
) -> None:
    numbers = _numbers(PORTABILITY_BATCH + 3)
    with demo_client(Together(recorder, _portability)) as client, client.recording() as calls:
        answers = client.check_portability(numbers)
    assert [a.phone_number for a in answers] == numbers
    assert [(c.operation, c.result) for c in calls] == [("check_portability", "ok")] * 2
    sent = [e.request for e in recorder.exchanges if _portability(e.request)]
    assert len(sent) == 2


def test_the_first_batch_that_failed_raises_and_every_batch_is_on_record(emu: Emulator) -> None:
    """The second batch fails: its error is raised, after the first batch's answer came."""
    inner = emu.transport()
    last = _numbers(PORTABILITY_BATCH + 1)[-1]

    def second_refused(request: httpx.Request) -> httpx.Response:
        if _portability(request) and last in request.content.decode():
            return error_response(ErrorAnswer(400, "the second batch is refused"))
        return inner.handle_request(request)

    client: PortingClient
    with (
        demo_client(httpx.MockTransport(second_refused)) as client,
        client.recording() as calls,
        pytest.raises(errors.BadRequest, match="the second batch is refused"),
    ):
        client.check_portability(_numbers(PORTABILITY_BATCH + 1))
    assert [(c.operation, c.result) for c in calls] == [
        ("check_portability", "ok"),
        ("check_portability", "400"),
    ]


@dataclass
class Stuck(httpx.BaseTransport):
    """Holds every request matching `held` until `release` is set (an API that hangs); `on_hold`
    runs on the holding thread first."""

    inner: httpx.BaseTransport
    held: Held
    on_hold: Callable[[], None] = lambda: None

    def __post_init__(self) -> None:
        self.release = threading.Event()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.held(request):
            self.on_hold()
            self.release.wait(timeout=30)
        return self.inner.handle_request(request)


def _left_behind_end(stuck: Stuck) -> None:
    """Let the reads an interrupt left unfinished end (the test's emulator answers them)."""
    stuck.release.set()
    for thread in threading.enumerate():
        if thread.name.startswith(READ_THREADS):
            thread.join(timeout=10)


def _interrupted_beside(client: PortingClient) -> None:
    with client.alongside(client.get_configuration):
        client.list_orders()
        raise KeyboardInterrupt


def test_an_interrupt_does_not_wait_for_a_read_alongside(recorder: RecordingTransport) -> None:
    """Ctrl-C while the configuration read hangs: the block's interrupt goes on at once."""
    stuck = Stuck(recorder, _configuration)
    with demo_client(stuck) as client:
        began = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            _interrupted_beside(client)
        assert time.monotonic() - began < 10
        _left_behind_end(stuck)


def _interrupt_when_held(count: int) -> Callable[[], None]:
    """An `on_hold` sending this thread one real SIGINT (Ctrl-C) once `count` requests hang
    (once: a second SIGINT would break a wait all the same)."""
    main = threading.get_ident()
    held = itertools.count(1)

    def interrupt() -> None:
        if next(held) == count:
            signal.pthread_kill(main, signal.SIGINT)

    return interrupt


def test_an_interrupt_does_not_wait_for_the_batches_of_a_portability_check(
    recorder: RecordingTransport,
) -> None:
    """Ctrl-C while both batches hang: raised at once."""
    stuck = Stuck(recorder, _portability, on_hold=_interrupt_when_held(2))
    with demo_client(stuck) as client:
        began = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            client.check_portability(_numbers(PORTABILITY_BATCH + 1))
        assert time.monotonic() - began < 10
        _left_behind_end(stuck)


def test_an_interrupt_does_not_wait_for_orders_read_in_parallel(
    recorder: RecordingTransport,
) -> None:
    """Ctrl-C while two order GETs hang (`get_orders`): raised at once."""

    def order_read(request: httpx.Request) -> bool:
        return request.method == "GET" and "/orders/portIns/" in request.url.path

    stuck = Stuck(recorder, order_read, on_hold=_interrupt_when_held(2))
    with demo_client(stuck) as client:
        made = [
            client.create_order(order_body([f"+1312555{700 + i:04d}"], reference=f"r-{i}")).id
            for i in range(2)
        ]
        began = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            client.get_orders(made)
        assert time.monotonic() - began < 10
        _left_behind_end(stuck)
