"""The webhook routes: the token path, the body cap, recording before answering, health and
metrics; the token never reaches a log line."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from starlette.applications import Starlette

from reconciler.watch.app import MAX_BODY_BYTES, create_app
from reconciler.watch.metrics import Metrics
from reconciler.watch.store import Store

TOKEN = "app-test-token-abcdef0123456789"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "state")


class Client:
    """Requests to the ASGI app in-process (httpx's ASGI transport; no socket)."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def request(self, method: str, path: str, **options: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://watch") as http:
                return await http.request(method, path, **options)

        return anyio.run(send)

    def post(self, path: str, **options: Any) -> httpx.Response:
        return self.request("POST", path, **options)

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)


def client_for(store: Store, *, healthy: bool = True) -> tuple[Client, list[int]]:
    woken: list[int] = []
    app = create_app(
        store=store,
        metrics=Metrics(),
        token=TOKEN,
        wake=lambda: woken.append(1),
        healthy=lambda: healthy,
    )
    return Client(app), woken


def test_a_webhook_is_recorded_before_the_answer(store: Store) -> None:
    http, woken = client_for(store)
    answer = http.post(f"/hooks/{TOKEN}", json={"type": "NUMBERS_REJECTED", "orderId": "42"})
    assert answer.status_code == 202
    assert store.pending_orders(10) == [(42, 1)]
    assert woken == [1]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/hooks/wrong-token"),
        ("POST", f"/hooks/{TOKEN[:-1]}"),
        ("GET", f"/hooks/{TOKEN}"),
        ("PUT", f"/hooks/{TOKEN}"),
        ("POST", "/hooks"),
        ("POST", "/"),
    ],
)
def test_anything_but_a_post_to_the_token_path_is_404(store: Store, method: str, path: str) -> None:
    http, _ = client_for(store)
    assert http.request(method, path, json={"type": "X", "orderId": 1}).status_code == 404
    assert store.pending_count() == 0


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b"[1, 2]", 400),
        (b'{"type": "ORDER_UPDATED"}', 400),
        (b'{"type": "ORDER_UPDATED", "orderId": "abc"}', 400),
        (b'{"type": "ORDER_UPDATED", "orderId": true}', 400),
        (b'{"orderId": 5}', 400),
        (b"{" + b" " * MAX_BODY_BYTES + b"}", 413),
    ],
)
def test_bodies_that_name_no_order_are_refused(store: Store, body: bytes, status: int) -> None:
    http, woken = client_for(store)
    answer = http.post(f"/hooks/{TOKEN}", content=body)
    assert answer.status_code == status
    assert store.pending_count() == 0
    assert woken == []


def test_the_token_is_never_logged(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    http, _ = client_for(store)
    with caplog.at_level(logging.DEBUG):
        http.post(f"/hooks/{TOKEN}", content=b"not json")
        http.post(f"/hooks/{TOKEN}", json={"type": "ORDER_UPDATED", "orderId": 7})
        http.post("/hooks/guess", json={"type": "ORDER_UPDATED", "orderId": 7})
    server_side = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]
    assert server_side, "the refusal is logged"
    assert not [line for line in server_side if TOKEN in line]


def test_health_and_metrics(store: Store) -> None:
    http, _ = client_for(store)
    http.post(f"/hooks/{TOKEN}", json={"type": "ORDER_UPDATED", "orderId": 7})
    assert http.get("/healthz").json() == {"status": "ok"}
    metrics = http.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    assert 'portctl_watch_webhooks_total{type="ORDER_UPDATED"} 1.0' in metrics.text
    sick, _ = client_for(store, healthy=False)
    assert sick.get("/healthz").status_code == 503
