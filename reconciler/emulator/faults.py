"""Injected failures: the next N matching requests fail, slow down, or commit then drop.

A fault matches on the HTTP method (or `*`) and a path prefix taken after
`/v1/projects/{projectId}` (for the token endpoint, the full path `/oauth2/token`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, cast

import httpx

FaultMode = Literal["status", "latency", "drop-after-commit"]
MODES: tuple[str, ...] = ("status", "latency", "drop-after-commit")


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised after a request was fully processed and saved: the client sees a broken connection.

    Hosts catch it (the server closes the socket without answering; the embedded transport saves
    state first) and in-process `MockTransport` users get it as the `httpx.RemoteProtocolError`
    a real dropped connection produces.
    """


@dataclass
class Fault:
    """One fault rule; `count` is decremented each time it fires and the rule dies at 0."""

    method: str = "*"
    path: str = ""
    count: int = 1
    status: int | None = None
    retry_after: str | None = None
    latency_ms: int = 0
    mode: FaultMode = "status"

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        if self.mode not in MODES:
            raise ValueError(f"fault mode must be one of {', '.join(MODES)}")
        if self.count < 1:
            raise ValueError("fault count must be at least 1")
        if self.mode == "status" and self.status is None and self.latency_ms <= 0:
            raise ValueError("a status fault needs a status (or use latencyMs)")
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError("fault status must be an HTTP status code")
        if self.latency_ms < 0:
            raise ValueError("latencyMs must not be negative")

    def matches(self, method: str, path: str) -> bool:
        """Whether a request with this method and relative path is hit by the rule."""
        return self.method in ("*", "ANY", method.upper()) and path.startswith(self.path)

    def to_wire(self) -> dict[str, Any]:
        """The docs/design.md#emulator-control body form (`retryAfter`, `latencyMs`)."""
        data = asdict(self)
        return {
            "method": data["method"],
            "path": data["path"],
            "count": data["count"],
            "status": data["status"],
            "retryAfter": data["retry_after"],
            "latencyMs": data["latency_ms"],
            "mode": data["mode"],
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Fault:
        """Parse the body form of docs/design.md#emulator-control; ValueError/TypeError if bad."""
        retry = data.get("retryAfter")
        status = data.get("status")
        mode = data.get("mode")
        latency = int(data.get("latencyMs") or 0)
        if mode is None:
            mode = "latency" if status is None and latency > 0 else "status"
        if mode not in MODES:
            raise ValueError(f"fault mode must be one of {', '.join(MODES)}")
        return cls(
            method=str(data.get("method") or "*"),
            path=str(data.get("path") or ""),
            count=int(data.get("count", 1)),
            status=None if status is None else int(status),
            retry_after=None if retry is None else str(retry),
            latency_ms=latency,
            mode=cast(FaultMode, mode),
        )
