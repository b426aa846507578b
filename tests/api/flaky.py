"""A transport wrapper that breaks the first N exchanges the way a network does.

The emulator's own faults cover HTTP statuses and commit-then-drop; this covers failures that
happen before the server sees anything (connect errors) or on the way back (read timeouts).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx


@dataclass
class BreakFirst(httpx.BaseTransport):
    """Raise `error` for the first `count` requests matching `method`; then pass through.

    `after_send=True` forwards the request to `inner` first (it takes effect), then raises.
    """

    inner: httpx.BaseTransport
    error: type[httpx.TransportError]
    method: str = "*"
    count: int = 1
    after_send: bool = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.count > 0 and self.method in ("*", request.method):
            self.count -= 1
            if self.after_send:
                self.inner.handle_request(request)
            raise self.error("injected by the test", request=request)
        return self.inner.handle_request(request)
