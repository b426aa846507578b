"""`portctl emulator serve`: the emulator on a real socket (stdlib threading HTTP server).

HTTP/1.1 keep-alive with Nagle off (small JSON answers would otherwise wait ~40 ms for the
client's delayed ACK). Requests are handled one at a time under a lock, so the emulator needs
no thread safety of its own. With a state file, the world is loaded at start (created if
missing), reloaded when another process changed the file, and saved atomically after every
mutating request, all under the same `fcntl` lock the embedded transport uses. Injected latency
is a real sleep here (outside the lock); a `drop-after-commit` fault saves the state and then
closes the connection without an answer.

A malformed request (a bad `Content-Length`, bad chunking, a body over `MAX_REQUEST_BYTES`, a
client that stops sending mid-body) gets a 4xx JSON error, the connection is closed (where the
next request starts is unknown) and one warning line is logged: never a stdlib traceback, and
never more memory than the cap. JSON nested too deeply is refused by the routes (a 400).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from reconciler.emulator.core import LATENCY_EXTENSION, Emulator
from reconciler.emulator.errors import ErrorAnswer, error_response
from reconciler.emulator.faults import ConnectionDropped
from reconciler.emulator.store import StateFile, file_lock

log = logging.getLogger(__name__)
HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "keep-alive"}
SHUTDOWN_POLL_SECONDS = 0.02
"""How often a background server checks for shutdown (the stdlib's 0.5 s makes each stop slow)."""
MAX_REQUEST_BYTES = 16 * 1024 * 1024
"""Largest request body served: a 10 MB document (the emulator's limit) base64-encoded in JSON
fits; anything larger is a 413 before it is read."""
SOCKET_TIMEOUT_SECONDS = 30.0
"""A client silent this long (mid-body, or idle on a kept-alive connection) is dropped."""
MAX_LINE_BYTES = 1024
"""Longest chunk-size or trailer line read."""
MAX_TRAILERS = 64
LINGER_SECONDS = 0.5
LINGER_READS = 16
"""After refusing a request, at most this many reads (of 64 KiB) are discarded."""


class MalformedRequest(Exception):
    """A request that cannot be read as HTTP/1.1: answered with `status`, then closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


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

    timeout = SOCKET_TIMEOUT_SECONDS
    """Socket timeout (the stdlib's default is none: one silent client held a thread forever)."""

    def _line(self) -> bytes:
        line = self.rfile.readline(MAX_LINE_BYTES + 1)
        if len(line) > MAX_LINE_BYTES:
            raise MalformedRequest(400, "a chunk-size or trailer line is too long")
        return line

    def _exactly(self, size: int) -> bytes:
        data = self.rfile.read(size)
        if len(data) < size:
            raise MalformedRequest(400, "the request body ended early")
        return data

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            text = self._line().split(b";")[0].strip()
            if not text or not all(c in b"0123456789abcdefABCDEF" for c in text):
                raise MalformedRequest(400, "bad chunked encoding (chunk size is not hex)")
            size = int(text, 16)
            if size == 0:
                for _ in range(MAX_TRAILERS):
                    if self._line() in (b"\r\n", b"\n", b""):
                        return b"".join(chunks)
                raise MalformedRequest(400, "bad chunked encoding (too many trailers)")
            total += size
            if total > MAX_REQUEST_BYTES:
                raise MalformedRequest(413, f"request body over {MAX_REQUEST_BYTES} bytes")
            chunks.append(self._exactly(size))
            if self._line() not in (b"\r\n", b"\n"):
                raise MalformedRequest(400, "bad chunked encoding (no line end after a chunk)")

    def _read_body(self) -> bytes:
        """The request body, by Content-Length or chunked transfer encoding, within the cap."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        lengths = {v.strip() for v in self.headers.get_all("Content-Length") or ()}
        if not lengths:
            return b""
        length = lengths.pop()
        if lengths or not length.isdigit():
            raise MalformedRequest(400, "bad Content-Length")
        if int(length) > MAX_REQUEST_BYTES:
            raise MalformedRequest(413, f"request body over {MAX_REQUEST_BYTES} bytes")
        return self._exactly(int(length))

    def _refuse(self, problem: MalformedRequest) -> None:
        """Answer a malformed request, log one line, and close the connection."""
        log.warning(
            "emulator: refused a malformed %s %s from %s: %s",
            self.command,
            self.path,
            self.address_string(),
            problem.message,
        )
        self.close_connection = True
        response = error_response(ErrorAnswer(problem.status, problem.message))
        self.send_response_only(response.status_code)
        self.send_header("Server", self.version_string())
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(response.content)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(response.content)
        self.wfile.flush()
        self._linger()

    def _linger(self) -> None:
        """Half-close, then discard what the client still sends (a little, briefly): closing
        with unread bytes would reset the connection and lose the answer on its way."""
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(LINGER_SECONDS)
            for _ in range(LINGER_READS):
                if not self.connection.recv(65536):
                    break

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except MalformedRequest as problem:
            self._refuse(problem)
            return
        except TimeoutError:
            log.warning(
                "emulator: dropped %s %s from %s: the body did not arrive within %.0f s",
                self.command,
                self.path,
                self.address_string(),
                self.timeout,
            )
            self.close_connection = True
            return
        host = self.headers.get("Host") or "emulator"
        try:
            request = httpx.Request(
                self.command,
                f"http://{host}{self.path}",
                headers=list(self.headers.items()),
                content=body,
            )
        except (httpx.InvalidURL, ValueError):  # a bad Host or target, non-ASCII headers
            self._refuse(MalformedRequest(400, "bad request target, Host or header"))
            return
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
