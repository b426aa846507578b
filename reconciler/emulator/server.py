"""`portctl emulator serve`: the emulator on a real socket (stdlib threading HTTP server).

HTTP/1.1 keep-alive with Nagle off (small JSON answers would otherwise wait ~40 ms for the
client's delayed ACK). Requests are handled one at a time under a lock, so the emulator needs
no thread safety of its own. With a state file, the world is loaded at start (created if
missing), reloaded when another process changed the file, and saved atomically after every
mutating request, all under the same `fcntl` lock the embedded transport uses. Injected latency
is a real sleep here (outside the lock); a `drop-after-commit` fault saves the state and then
closes the connection without an answer.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from reconciler.emulator.core import LATENCY_EXTENSION, Emulator
from reconciler.emulator.faults import ConnectionDropped
from reconciler.emulator.store import StateFile, file_lock

log = logging.getLogger(__name__)
HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "keep-alive"}
SHUTDOWN_POLL_SECONDS = 0.02
"""How often a background server checks for shutdown (the stdlib's 0.5 s makes each stop slow)."""


class EmulatorServer(ThreadingHTTPServer):
    """A threading HTTP server in front of one emulator (in memory or bound to a file)."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    """Listen backlog: the stdlib's 5 resets connections when a burst of clients connects at once
    (16 threads opening their pools together did, on a busy machine)."""

    def __init__(self, address: tuple[str, int], target: Emulator | StateFile) -> None:
        self.target = target
        self.lock = threading.Lock()
        super().__init__(address, EmulatorRequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up before its answer (Ctrl-C, a timeout) is routine, not a crash:
        one log line instead of the stdlib's traceback on the `emulator serve` terminal."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            log.info("client %s went away before its answer was sent", client_address)
            return
        super().handle_error(request, client_address)

    @contextlib.contextmanager
    def emulator(self) -> Iterator[Emulator]:
        """The emulator, exclusively (thread lock, plus the file lock with a state file)."""
        with self.lock:
            if isinstance(self.target, Emulator):
                yield self.target
                return
            with file_lock(self.target.path):
                emu = self.target.current()
                try:
                    yield emu
                finally:
                    self.target.commit()

    def exchange(self, request: httpx.Request) -> tuple[httpx.Response | None, Emulator]:
        """Handle one request; None as the response means "drop the connection"."""
        with self.emulator() as emu:
            inline, emu.defer_webhooks = emu.defer_webhooks, True
            try:
                response: httpx.Response | None = emu.handle(request)
            except ConnectionDropped:
                response = None
            finally:
                emu.defer_webhooks = inline
            outbox = emu.take_webhooks()
        emu.send_webhooks(outbox)
        return response, emu


class EmulatorRequestHandler(BaseHTTPRequestHandler):
    """Turns each HTTP request into an `httpx.Request` for `Emulator.handle`."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: EmulatorServer

    def _read_body(self) -> bytes:
        """The request body, by Content-Length or chunked transfer encoding."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        body = self._read_body()
        host = self.headers.get("Host") or "emulator"
        request = httpx.Request(
            self.command,
            f"http://{host}{self.path}",
            headers=list(self.headers.items()),
            content=body,
        )
        response, _ = self.server.exchange(request)
        if response is None:
            self.close_connection = True
            return
        latency = response.extensions.get(LATENCY_EXTENSION, 0)
        if latency:
            time.sleep(latency / 1000)
        content = response.content
        # send_response_only: the emulator's own `Date` header (its virtual clock) is the one
        # sent, not the stdlib's wall-clock one.
        self.send_response_only(response.status_code)
        self.send_header("Server", self.version_string())
        for name, value in response.headers.multi_items():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    def __getattr__(self, name: str) -> Callable[[], None]:
        """Every method (`do_GET`, `do_TRACE`, `do_QUERY`, ...) reaches the emulator, which
        answers 405 where a route does not allow it (the stdlib would answer an HTML 501)."""
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        """Route access logs to `logging` (debug) instead of stderr."""
        log.debug("%s %s", self.address_string(), format % args)


def make_server(
    target: Emulator | Path | str, host: str = "127.0.0.1", port: int = 8787
) -> EmulatorServer:
    """A server for an emulator object, or for a state file (loaded or created now)."""
    if isinstance(target, Emulator):
        return EmulatorServer((host, port), target)
    state = StateFile(Path(target))
    with file_lock(state.path):
        state.current()
    return EmulatorServer((host, port), state)


@contextlib.contextmanager
def running(
    target: Emulator | Path | str, *, host: str = "127.0.0.1", port: int = 0
) -> Iterator[str]:
    """Serve in a background thread for the duration of the block; yields the base URL."""
    server = make_server(target, host, port)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
        name="emulator-server",
        daemon=True,
    )
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
