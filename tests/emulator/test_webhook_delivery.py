"""The default webhook sender: a real best-effort POST, only to http(s) URLs, never raising."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from reconciler.emulator import Emulator
from reconciler.emulator.server import running
from reconciler.emulator.webhooks import post_webhook
from tests.emulator.conftest import START, order


class Receiver(ThreadingHTTPServer):
    """Collects the JSON bodies POSTed to it."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        super().__init__(("127.0.0.1", 0), ReceiverHandler)


class ReceiverHandler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.server.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_a_served_emulator_posts_webhooks_to_the_configured_url(receiver: Receiver) -> None:
    hook_url = f"http://127.0.0.1:{receiver.server_address[1]}/porting"
    with (
        running(Emulator(now=START)) as url,
        httpx.Client(
            base_url=f"{url}/v1/projects/demo", headers={"Authorization": "Bearer x"}
        ) as client,
    ):
        client.post("/configuration", json={"webhookUrl": hook_url})
        oid = client.post("/orders/portIns", json=order("+13125550141")).json()["id"]
        client.post(f"/orders/portIns/{oid}/notes", json={"note": "hello"})
    assert [(e["type"], e["orderId"]) for e in receiver.received] == [
        ("ORDER_UPDATED", str(oid)),
        ("NEW_ORDER_NOTE", str(oid)),
    ]


def test_urls_without_a_scheme_are_skipped_and_failures_only_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="reconciler.emulator.webhooks")
    post_webhook("my.callback.server", {"type": "ORDER_UPDATED"})
    post_webhook("http://127.0.0.1:9/refused", {"type": "NEW_ORDER_NOTE"})
    post_webhook("https://hooks.example.com/p", {"type": "NUMBERS_CONFIRMED"}, loopback_only=True)
    messages = [r.getMessage() for r in caplog.records]
    assert any("not an http(s) URL" in m for m in messages)
    assert any("NUMBERS_CONFIRMED" in m and "not a loopback host" in m for m in messages)
    assert any("NEW_ORDER_NOTE" in m and "failed" in m for m in messages)
