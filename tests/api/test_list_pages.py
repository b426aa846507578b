"""The order list read in parallel after page 1: same rows, same order, same checks, same calls.

`list_orders` reads page 1, then the pages its `totalPages` announces side by side, and checks
them one by one in page order (docs/api-notes.md#what-we-assume-about-the-sinch-api). These
tests wrap the in-process emulator's transport to hold, fail or reshape single pages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import httpx
import pytest

from reconciler.api import PortingClient, errors
from reconciler.emulator import Emulator
from reconciler.emulator.errors import ErrorAnswer, error_response
from tests.api.bodies import order_body
from tests.api.conftest import RecordingTransport, demo_client

ORDERS = 9
PAGE_SIZE = 2
PAGES = 5
"""9 orders in pages of 2: four full pages and a last one of one order."""


def _page(request: httpx.Request) -> int | None:
    if request.method != "GET" or not request.url.path.endswith("/orders/portIns"):
        return None
    return int(request.url.params.get("page", "1"))


class Send(Protocol):
    """Sends the page's request on (as another page's, if `instead` is given)."""

    def __call__(self, instead: int | None = None) -> httpx.Response: ...


@dataclass
class PerPage(httpx.BaseTransport):
    """Passes every request to `inner`; a list page's answer goes through `answer` first."""

    inner: httpx.BaseTransport
    answer: Callable[[int, Send], httpx.Response]
    threads: dict[int, str] = field(default_factory=dict)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        page = _page(request)
        if page is None:
            return self.inner.handle_request(request)
        self.threads[page] = threading.current_thread().name

        def send(instead: int | None = None) -> httpx.Response:
            if instead is not None:
                request.url = request.url.copy_set_param("page", str(instead))
            return self.inner.handle_request(request)

        return self.answer(page, send)


def _made(client: PortingClient) -> list[int]:
    return [
        client.create_order(order_body([f"+1312555{600 + i:04d}"], reference=f"pages-{i}")).id
        for i in range(ORDERS)
    ]


def test_pages_after_the_first_are_read_side_by_side_and_kept_in_page_order(
    recorder: RecordingTransport,
) -> None:
    """Pages 2..5 all wait until four of them are in flight together: read one after the other,
    the list would fail here (the barrier breaks) instead of passing."""
    together = threading.Barrier(PAGES - 1, timeout=10)

    def held(page: int, send: Send) -> httpx.Response:
        if page > 1:
            together.wait()
        return send()

    transport = PerPage(recorder, held)
    with demo_client(transport) as client:
        made = _made(client)
        with client.recording() as calls:
            rows = client.list_orders(page_size=PAGE_SIZE)
    assert [r.id for r in rows] == made
    assert client.calls["list_orders"] == PAGES
    assert [(c.operation, c.result) for c in calls] == [("list_orders", "ok")] * PAGES
    assert transport.threads[1] == threading.current_thread().name
    assert all(transport.threads[p].startswith("portctl-read-page") for p in range(2, PAGES + 1))


def test_without_total_pages_the_pages_are_read_one_after_the_other(
    recorder: RecordingTransport,
) -> None:
    def unannounced(page: int, send: Send) -> httpx.Response:
        answer = send()
        body = answer.json()
        del body["totalPages"]
        return httpx.Response(200, json=body, request=answer.request)

    transport = PerPage(recorder, unannounced)
    with demo_client(transport) as client:
        made = _made(client)
        rows = client.list_orders(page_size=PAGE_SIZE)
    assert [r.id for r in rows] == made
    assert set(transport.threads.values()) == {threading.current_thread().name}
    assert sorted(transport.threads) == list(range(1, PAGES + 1))


def test_a_page_that_fails_fails_the_list_in_its_turn_and_is_recorded_in_page_order(
    recorder: RecordingTransport,
) -> None:
    def third_refused(page: int, send: Send) -> httpx.Response:
        if page == 3:
            return error_response(ErrorAnswer(400, "page 3 refused by the test"))
        return send()

    with demo_client(PerPage(recorder, third_refused)) as client:
        _made(client)
        with client.recording() as calls, pytest.raises(errors.ApiError, match="page 3 refused"):
            client.list_orders(page_size=PAGE_SIZE)
    results = [c.result for c in calls]
    # Pages 1-3 as a one-by-one read records them; pages read ahead of the failure follow.
    assert results[:3] == ["ok", "ok", "400"]
    assert results[3:] == ["ok"] * (len(results) - 3)
    assert len(results) == client.calls["list_orders"] <= PAGES


def test_a_page_read_ahead_is_retried_like_any_read(recorder: RecordingTransport) -> None:
    failed: list[int] = []

    def third_busy_once(page: int, send: Send) -> httpx.Response:
        if page == 3 and not failed:
            failed.append(page)
            return error_response(ErrorAnswer(503, "busy"))
        return send()

    with demo_client(PerPage(recorder, third_busy_once)) as client:
        made = _made(client)
        rows = client.list_orders(page_size=PAGE_SIZE)
    assert [r.id for r in rows] == made
    assert client.calls["list_orders"] == PAGES + 1
    assert [e.operation for e in client.retry_log] == ["list_orders"]


def test_a_page_repeating_an_earlier_one_is_refused_among_pages_read_ahead(
    recorder: RecordingTransport,
) -> None:
    """Page 4 answers as page 2 (a server losing its place mid-list): refused, although pages 3
    and 5 arrived fine around it."""

    def fourth_repeats(page: int, send: Send) -> httpx.Response:
        return send(2) if page == 4 else send()

    with demo_client(PerPage(recorder, fourth_repeats)) as client:
        _made(client)
        with pytest.raises(errors.ApiError, match=r"page 4 repeated orders of an earlier page"):
            client.list_orders(page_size=PAGE_SIZE)


def test_one_page_needs_no_pool(client: PortingClient, emu: Emulator) -> None:
    made = _made(client)
    rows = client.list_orders(page_size=ORDERS)
    assert [r.id for r in rows] == made
    assert client.calls["list_orders"] == 1
    assert not [t for t in threading.enumerate() if t.name.startswith("portctl-read-page")]
