"""A misbehaving Porting API on a real loopback socket, for driving `portctl` against it.

`serve(app)` runs a stdlib HTTP server in a thread; `app(request)` decides each answer. An answer
is a `Reply`: a status, a JSON value (or raw bytes), and optionally a trickle (bytes sent one at a
time with a pause between them) for the slow-server cases. Answers the app does not want to make
itself (`None`) come from a real in-memory emulator, so a hostile answer can be put on exactly
one endpoint while the rest of the API behaves.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from reconciler.emulator import Emulator


@dataclass(frozen=True)
class Seen:
    """One request as the hostile server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Reply:
    """What to answer: `json` (serialised) or `raw` bytes, optionally trickled."""

    status: int = 200
    json: Any = None
    raw: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    trickle_seconds: float = 0.0
    """Pause between single bytes of the body (0: send it at once)."""
    trickle_headers: bool = False
    """Trickle the status line and headers too, not only the body."""
    filler: int = 0
    """Blank bytes sent after the body, in 64 KiB writes with no `Content-Length` (the body
    ends when the connection closes): a huge but valid JSON answer."""

    def content(self) -> bytes:
        return self.raw if self.raw is not None else json.dumps(self.json).encode()


App = Callable[[Seen], Reply | None]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        seen = Seen(
            self.command,
            self.path,
            dict(self.headers.items()),
            self.rfile.read(length) if length else b"",
        )
        self.server.seen.append(seen)
        reply = self.server.app(seen)
        if reply is None:
            self._emulated(seen)
            return
        content = reply.content()
        head = [f"HTTP/1.1 {reply.status} X\r\n"]
        headers = {"Content-Type": "application/json", "Content-Length": str(len(content))}
        if reply.filler:
            headers = {"Content-Type": "application/json", "Connection": "close"}
        headers.update(reply.headers)
        head += [f"{k}: {v}\r\n" for k, v in headers.items()]
        head.append("\r\n")
        start = "".join(head).encode()
        with contextlib.suppress(OSError):
            if reply.trickle_headers:
                self._trickle(start, reply.trickle_seconds)
            else:
                self.wfile.write(start)
                self.wfile.flush()
            self._trickle(content, reply.trickle_seconds)
            self._fill(reply.filler)
        self.close_connection = bool(reply.trickle_seconds or reply.filler)

    def _fill(self, size: int) -> None:
        block = b" " * 65536
        while size > 0 and not self.server.stopping.is_set():
            piece = block[: min(size, len(block))]
            self.wfile.write(piece)
            self.server.sent += len(piece)
            size -= len(piece)
        self.wfile.flush()

    def _trickle(self, data: bytes, pause: float) -> None:
        if not pause:
            self.wfile.write(data)
            self.wfile.flush()
            return
        for i in range(len(data)):
            if self.server.stopping.is_set():
                return
            self.wfile.write(data[i : i + 1])
            self.wfile.flush()
            time.sleep(pause)

    def _emulated(self, seen: Seen) -> None:
        with self.server.lock:
            response = emulated(self.server.emulator, seen)
        self.send_response_only(response.status_code)
        for name, value in response.headers.items():
            if name.lower() not in {"content-length", "transfer-encoding", "connection"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.content)))
        self.end_headers()
        self.wfile.write(response.content)

    do_GET = do_POST = do_PUT = do_DELETE = _any

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the tests read portctl's output, not this server's."""


def emulated(emulator: Emulator, seen: Seen) -> httpx.Response:
    """What `emulator` answers to the request (an app may pass it on, or change it)."""
    request = httpx.Request(
        seen.method, f"http://localhost{seen.path}", headers=seen.headers, content=seen.body
    )
    return emulator.handle(request)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, app: App, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator
        self.lock = threading.Lock()
        self.seen: list[Seen] = []
        self.stopping = threading.Event()
        self.sent = 0
        """Filler bytes written so far (what a client that stops reading did not take)."""
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """portctl hanging up mid-answer is what several tests provoke: not worth a traceback."""


@dataclass(frozen=True)
class Hostile:
    """A running hostile server: its base URL and the requests it received."""

    url: str
    seen: list[Seen]
    emulator: Emulator
    server: _Server

    @property
    def filler_sent(self) -> int:
        """Filler bytes the server managed to write before the client hung up."""
        return self.server.sent


@contextlib.contextmanager
def serve(app: App, emulator: Emulator | None = None) -> Iterator[Hostile]:
    """Serve `app` (falling back on `emulator`, a fresh one by default) for the block."""
    server = _Server(app, emulator or Emulator())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.daemon = True
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        yield Hostile(url, server.seen, server.emulator, server)
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
