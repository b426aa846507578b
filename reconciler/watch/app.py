"""The watcher's HTTP routes (ASGI, Starlette).

Starlette because it is a small, maintained ASGI toolkit (routing, requests, responses, body
streaming) with no framework on top, served by uvicorn, the reference ASGI server; both are
widely used, typed and install as wheels.

* `POST /hooks/<token>`: a Sinch porting webhook. The token (`PORTCTL_WATCH_TOKEN`) is the only
  authentication Sinch's unsigned webhooks allow, so a wrong token, or any other method, is a
  plain 404 (nothing tells a prober the path exists). The body is capped (`MAX_BODY_BYTES`,
  413), must be a JSON object naming an order (`orderId`, 400 otherwise), and is recorded in
  the store (committed) before the 202 answer; the worker is woken, never waited for.
* `GET /healthz`: 200 while the worker thread runs, 503 otherwise.
* `GET /metrics`: Prometheus text format.
* Anything else: 404.

Nothing here logs a path: the token is in it.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from reconciler.watch.metrics import CONTENT_TYPE, Metrics
from reconciler.watch.store import Store

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
"""Webhook bodies above this are refused (an ORDER_UPDATED of 500 numbers is well under it)."""
KNOWN_TYPES = frozenset(
    {
        "ORDER_UPDATED",
        "NUMBERS_CONFIRMED",
        "NUMBERS_REJECTED",
        "NUMBERS_ACTIVATED",
        "NEW_ORDER_NOTE",
    }
)
"""docs/api-notes.md#webhooks; other types are recorded too (they still name an order)."""
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class Refused(Exception):
    """A webhook that is not recorded: status and reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def parse_webhook(body: bytes) -> tuple[str, int]:
    """(type, order id) from a webhook body; `Refused` (400) when it names no order."""
    try:
        payload: Any = json.loads(body)
    except ValueError:
        raise Refused(400, "body is not JSON") from None
    if not isinstance(payload, dict):
        raise Refused(400, "body is not a JSON object")
    kind = payload.get("type", payload.get("event"))
    order_id = payload.get("orderId")
    if isinstance(order_id, str) and order_id.strip().isdigit():
        order_id = int(order_id.strip())
    if isinstance(order_id, bool) or not isinstance(order_id, int) or order_id < 0:
        raise Refused(400, "orderId must be an order id")
    if not isinstance(kind, str) or not kind:
        raise Refused(400, "type must be a string")
    return kind[:64], order_id


async def _read_capped(request: Request) -> bytes:
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
        raise Refused(413, "body too large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise Refused(413, "body too large")
    return bytes(body)


def create_app(
    *,
    store: Store,
    metrics: Metrics,
    token: str,
    wake: Callable[[], None],
    healthy: Callable[[], bool],
) -> Starlette:
    """The ASGI application of one watcher."""
    expected = token.encode()

    async def hook(request: Request) -> Response:
        given = str(request.path_params.get("token", "")).encode()
        if request.method != "POST" or not hmac.compare_digest(given, expected):
            metrics.refused.labels("not_found").inc()
            return PlainTextResponse("Not Found", status_code=404)
        try:
            kind, order_id = parse_webhook(await _read_capped(request))
        except Refused as exc:
            metrics.refused.labels(exc.reason).inc()
            log.info("webhook refused: %s", exc.reason)
            return JSONResponse({"error": exc.reason}, status_code=exc.status)
        await run_in_threadpool(store.record_event, kind, order_id)
        metrics.webhooks.labels(kind if kind in KNOWN_TYPES else "other").inc()
        wake()
        return JSONResponse({"accepted": True}, status_code=202)

    async def healthz(_: Request) -> Response:
        ok = healthy()
        return JSONResponse(
            {"status": "ok" if ok else "worker stopped"}, status_code=200 if ok else 503
        )

    async def metrics_route(_: Request) -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    return Starlette(
        routes=[
            Route("/hooks/{token}", hook, methods=ALL_METHODS),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics_route, methods=["GET"]),
        ]
    )
