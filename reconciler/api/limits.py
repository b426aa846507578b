"""Bounds on one HTTP exchange with the API: an overall deadline, and a size cap per answer.

httpx's timeouts bound each socket operation, not a request: a server that sends one byte every
2 s never trips a 30 s read timeout and keeps a plan alive for as long as it likes, and
`response.read()` keeps whatever arrives, 100 MB included. So, per request:

- a deadline (`PORTCTL_REQUEST_DEADLINE`, default 60 s) covers connecting, sending, the headers
  and the whole body: every socket operation of the request gets at most the time left (a
  network backend under httpx's own, `DeadlineBackend`), and the body loop checks it too;
- the answer is streamed with a byte counter and refused past `PORTCTL_MAX_ANSWER_BYTES`
  (default 32 MiB: a 10 MB document base64-encoded, or a page of 1,000 orders, fits with room),
  before any of it is read when `Content-Length` already says so. Decoded bytes are counted, so
  a compressed answer cannot expand past the cap either.

Both end in a clear error naming the call, the limit and the variable (`reconciler.api.session`
turns them into the error class that decides what happens next).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import httpcore
import httpx

DEADLINE_VARIABLE = "PORTCTL_REQUEST_DEADLINE"
MAX_ANSWER_VARIABLE = "PORTCTL_MAX_ANSWER_BYTES"


class LimitSettingError(ValueError):
    """A limit variable that is not a positive number."""


class AnswerTooLarge(Exception):
    """The answer is longer than the cap (raised before the excess is read)."""

    def __init__(self, status: int, cap: int) -> None:
        super().__init__(f"the answer is larger than {cap} bytes ({MAX_ANSWER_VARIABLE})")
        self.status = status


@dataclass(frozen=True)
class ExchangeLimits:
    """The deadline (seconds) of one request and the size cap (bytes) of one answer."""

    deadline: float = 60.0
    max_answer_bytes: int = 32 * 1024 * 1024

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ExchangeLimits:
        """The limits `PORTCTL_REQUEST_DEADLINE` and `PORTCTL_MAX_ANSWER_BYTES` set, else the
        defaults; raises `LimitSettingError` naming the variable when one is not usable."""
        default = cls()
        deadline = _positive(environ, DEADLINE_VARIABLE, float, "a number of seconds")
        cap = _positive(environ, MAX_ANSWER_VARIABLE, int, "a whole number of bytes")
        return cls(
            deadline=default.deadline if deadline is None else deadline,
            max_answer_bytes=default.max_answer_bytes if cap is None else int(cap),
        )

    def deadline_message(self) -> str:
        """The error text of a request that ran out of time."""
        return (
            f"no complete answer within {self.deadline:g} s "
            f"(the per-request deadline, {DEADLINE_VARIABLE})"
        )


def _positive(
    environ: Mapping[str, str], name: str, kind: type[float] | type[int], what: str
) -> float | None:
    text = environ.get(name, "").strip()
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        value = 0
    if not 0 < value < float("inf"):  # NaN fails too
        raise LimitSettingError(f"{name} must be {what} greater than 0, not {text!r}")
    return value


_deadline: ContextVar[float | None] = ContextVar("portctl_request_deadline", default=None)
"""The `time.monotonic()` by which the request being sent on this thread must be done."""


@contextlib.contextmanager
def deadline_after(seconds: float) -> Iterator[float]:
    """Run the block under a deadline `seconds` from now (or an enclosing, earlier one: the
    token fetch inside an API request's auth flow); yields the deadline."""
    outer = _deadline.get()
    at = time.monotonic() + seconds
    if outer is not None:
        at = min(at, outer)
    token = _deadline.set(at)
    try:
        yield at
    finally:
        _deadline.reset(token)


DEADLINE_PASSED = "the request deadline passed"
"""The message of the timeout exceptions the deadline raises (how `session` tells them apart)."""


def _left(timeout: float | None, expired: type[Exception]) -> tuple[float | None, bool]:
    """`timeout` cut to the time left before the deadline, and whether the deadline is what
    bounds it; raises `expired` once the deadline has passed."""
    at = _deadline.get()
    if at is None:
        return timeout, False
    left = at - time.monotonic()
    if left <= 0:
        raise expired(DEADLINE_PASSED)
    if timeout is not None and timeout <= left:
        return timeout, False
    return left, True


T = TypeVar("T")


def _within(
    operation: Callable[[float | None], T], timeout: float | None, kind: type[Exception]
) -> T:
    """Run a socket operation with its timeout cut to the deadline; a timeout that the deadline
    caused is raised as `kind(DEADLINE_PASSED)`."""
    cut, by_deadline = _left(timeout, kind)
    try:
        return operation(cut)
    except kind:
        if by_deadline:
            raise kind(DEADLINE_PASSED) from None
        raise


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the current request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _within(lambda t: self._inner.read(max_bytes, t), timeout, httpcore.ReadTimeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _within(lambda t: self._inner.write(buffer, t), timeout, httpcore.WriteTimeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _connected(lambda t: self._inner.start_tls(ssl_context, server_hostname, t), timeout)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def _connected(
    connect: Callable[[float | None], httpcore.NetworkStream], timeout: float | None
) -> httpcore.NetworkStream:
    """A stream opened by `connect` within the deadline, its own operations cut to it too."""
    return _DeadlineStream(_within(connect, timeout, httpcore.ConnectTimeout))


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend, with each socket operation cut to the request deadline."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        return _connected(
            lambda t: self._inner.connect_tcp(host, port, t, local_address, socket_options),
            timeout,
        )

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        return _connected(
            lambda t: self._inner.connect_unix_socket(path, t, socket_options), timeout
        )

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def enforce_deadlines(client: httpx.Client) -> None:
    """Put each connection pool of `client` (its own, and the proxies' httpx mounted from the
    environment) on `DeadlineBackend`.

    httpx has no public way to pass a network backend to the pools it builds, and building them
    here would lose its proxy handling; so the backend is swapped on the pools it made. An
    injected transport (the embedded emulator, a test's MockTransport) has no socket and keeps
    the deadline checks of `read_bounded` only.
    """
    transports = [client._transport, *client._mounts.values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if backend is not None and not isinstance(backend, DeadlineBackend):
            setattr(pool, "_network_backend", DeadlineBackend(backend))  # noqa: B010


def bounded_exchange(
    http: httpx.Client, limits: ExchangeLimits, method: str, url: str, **options: Any
) -> httpx.Response:
    """`method url` sent and its answer read under `limits`: the deadline from the first byte
    out to the last byte in, the answer's size capped (`read_bounded`)."""
    with deadline_after(limits.deadline) as at, http.stream(method, url, **options) as streamed:
        return read_bounded(streamed, limits, at)


def ran_out(exc: BaseException) -> bool:
    """Whether a transport failure is the request's deadline passing (not a socket timeout)."""
    return isinstance(exc, httpx.TimeoutException) and str(exc) == DEADLINE_PASSED


def read_bounded(response: httpx.Response, limits: ExchangeLimits, at: float) -> httpx.Response:
    """Read a streamed `response` within the cap and the deadline; the answer, fully read.

    Raises `AnswerTooLarge` (before reading the excess), or `httpx.ReadTimeout` when the
    deadline `at` (a `time.monotonic()`) passes between two pieces of the body.
    """
    cap = limits.max_answer_bytes
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > cap:
        raise AnswerTooLarge(response.status_code, cap)
    pieces: list[bytes] = []
    size = 0
    for piece in response.iter_bytes():
        size += len(piece)
        if size > cap:
            raise AnswerTooLarge(response.status_code, cap)
        if time.monotonic() > at:
            raise httpx.ReadTimeout(DEADLINE_PASSED, request=response.request)
        pieces.append(piece)
    headers = [
        (name, value)
        for name, value in response.headers.multi_items()
        if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
    ]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=b"".join(pieces),
        request=response.request,
        extensions=response.extensions,
    )
