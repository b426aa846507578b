"""`ApiSession`: one HTTP call to the Porting API, with retries, error mapping and counting.

This is the plumbing under `PortingClient`: it owns the single `httpx.Client`, sends a logical
call under the rules of `reconciler.api.retry`, turns every failure into the error class that
decides what happens next (`reconciler.api.errors`), and parses answers into live models
without ever quoting a value (answers can hold PINs). Each finished logical call is told to
the call hooks of the thread that made it as an `ApiCall`: that is how apply records which
calls each plan item made (`PortingClient.recording`), also when items run on several threads,
without a second layer restating every endpoint. `stop` makes the session refuse every request
not yet sent (`Stopped`): an interrupted apply sends nothing after the interrupt.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, TypeVar

import httpx
import pydantic
import stamina

from reconciler import __version__
from reconciler.api import errors
from reconciler.api.auth import Auth
from reconciler.api.concurrency import AdaptiveLimit
from reconciler.api.limits import (
    AnswerTooLarge,
    ExchangeLimits,
    bounded_exchange,
    enforce_deadlines,
    ran_out,
)
from reconciler.api.models import LiveModel
from reconciler.api.retry import (
    CallRetries,
    RetryBudget,
    RetryEvent,
    RetryPolicy,
    parse_retry_after,
)

log = logging.getLogger(__name__)

M = TypeVar("M", bound=LiveModel)
T = TypeVar("T")
_PROJECT_PREFIX = re.compile(r"^/v1/projects/[^/]+")
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport failures that happen before any byte of the request left this machine."""
_PAGING = frozenset({"page", "pageSize"})
"""Query parameters left out of `ApiCall.path`: how a list is read, not what is listed."""


class StreamedBody(Protocol):
    """A request body sent in pieces, of a length known up front, iterable more than once (a
    retry of a request that never left sends it again)."""

    def __iter__(self) -> Iterator[bytes]: ...

    def __len__(self) -> int: ...


@dataclass(frozen=True)
class ApiCall:
    """One logical API call as its caller made it (the retries inside it are not separate)."""

    operation: str
    method: str
    path: str
    """Relative to the project, with the query's filters (`/orders/portIns?phoneNumber=...`)."""
    result: str
    """`ok`, an HTTP status (`422`), `outcome-unknown` or `no-answer`."""
    after_stop: bool = False
    """The call ended after `ApiSession.stop`: it was in flight when the session was stopped."""

    @property
    def mutating(self) -> bool:
        """POST/PUT/DELETE, except the portability check (a query sent as POST)."""
        return self.method != "GET" and self.operation != "check_portability"

    def to_dict(self) -> dict[str, str]:
        """JSON shape (audit log, json output)."""
        return {
            "operation": self.operation,
            "method": self.method,
            "path": self.path,
            "result": self.result,
        }


CallHook = Callable[[ApiCall], None]
"""Told about every logical call when it ends, answered or failed."""


class Stopped(Exception):
    """The session was stopped (`ApiSession.stop`): this request was refused before sending.

    Not an `ApiError` on purpose: nothing was asked of the API, nothing is retried, and no
    handler of API errors mistakes it for an answer."""


def _result_of(exc: errors.ApiError) -> str:
    if isinstance(exc, errors.OutcomeUnknown):
        return "outcome-unknown"
    if isinstance(exc, errors.TransportFailure) or exc.status is None:
        return "no-answer"
    return str(exc.status)


def _shown_path(path: str, params: Mapping[str, str | int] | None) -> str:
    filters = [f"{k}={v}" for k, v in (params or {}).items() if k not in _PAGING]
    return f"{path}?{'&'.join(filters)}" if filters else path


class ApiSession:
    """The shared `httpx.Client` of one project, plus call counters and the retry log."""

    def __init__(
        self,
        *,
        api_root: str,
        auth: Auth,
        transport: httpx.BaseTransport | None,
        timeout: httpx.Timeout,
        retry: RetryPolicy,
        max_parallel: int,
        limits: ExchangeLimits,
    ) -> None:
        self._retry = retry
        self.parallelism = AdaptiveLimit(max_parallel)
        """How many requests go out together (starts at 8, halves on 429, <= `max_parallel`)."""
        self._limits = limits
        self._budget = RetryBudget(retry.run_budget_seconds)
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        """HTTP requests sent, by client method (retries and pages included)."""
        self.retry_log: list[RetryEvent] = []
        self._local = threading.local()
        self._stopped = threading.Event()
        self.server_time: datetime | None = None
        """The `Date` of the latest answer: the API's own clock (an emulator's virtual one)."""
        self._http = httpx.Client(
            base_url=api_root,
            auth=auth,
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": f"portctl/{__version__}", "Accept": "application/json"},
            limits=httpx.Limits(
                max_connections=max_parallel + 2, max_keepalive_connections=max_parallel
            ),
        )
        enforce_deadlines(self._http)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    @property
    def hooks(self) -> list[CallHook]:
        """The calling thread's call hooks: told about each logical call this thread makes, as
        it ends (`PortingClient.recording` adds one). Per thread, so that items running side by
        side each hear only their own calls."""
        hooks: list[CallHook] | None = getattr(self._local, "hooks", None)
        if hooks is None:
            hooks = self._local.hooks = []
        return hooks

    def stop(self) -> None:
        """Refuse every request from now on (`Stopped`), on every thread; requests already on
        the wire finish, and their calls are told as `after_stop`. For good: a stopped session
        is not started again."""
        self._stopped.set()

    @property
    def stopped(self) -> bool:
        """Whether `stop` was called."""
        return self._stopped.is_set()

    def _record(self, event: RetryEvent) -> None:
        with self._lock:
            self.retry_log.append(event)

    def call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        body: StreamedBody | None = None,
        params: Mapping[str, str | int] | None = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send one logical call; `idempotent` defaults to "is a GET". The hooks hear of it.

        `body` is a JSON body streamed from its source instead of `json` (document uploads).
        """
        safe = method == "GET" if idempotent is None else idempotent
        shown = _shown_path(path, params)
        if body is None:
            sent: dict[str, Any] = {"json": json}
        else:
            headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
            sent = {"content": body, "headers": headers}
        try:
            response = self._retried(operation, method, path, params=params, safe=safe, sent=sent)
        except errors.ApiError as exc:
            self.tell(ApiCall(operation, method, shown, _result_of(exc), self.stopped))
            raise
        self.tell(ApiCall(operation, method, shown, "ok", self.stopped))
        return response

    def tell(self, call: ApiCall) -> None:
        """Tell the calling thread's hooks about `call` (also for calls another thread made
        on this one's behalf: the list's pages read ahead)."""
        for hook in tuple(self.hooks):
            hook(call)

    def _refuse_if_stopped(self, method: str, path: str) -> None:
        if self._stopped.is_set():
            raise Stopped(f"{method} {path} not sent: the run was interrupted")

    def _retried(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None,
        safe: bool,
        sent: dict[str, Any],
    ) -> httpx.Response:
        """`_send` under the retry rules of `reconciler.api.retry` (`sent`: the body, as httpx
        takes it, sent again by every attempt)."""
        retries = CallRetries(
            policy=self._retry, budget=self._budget, operation=operation, record=self._record
        )
        for attempt in stamina.retry_context(
            on=retries, attempts=self._retry.attempts, timeout=self._retry.per_call_timeout
        ):
            with attempt:
                return self._send(operation, method, path, params=params, safe=safe, sent=sent)
        raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover

    def _reason(self, exc: httpx.TransportError) -> str:
        """What went wrong, in words: the deadline by name, other failures by their class."""
        if ran_out(exc):
            return self._limits.deadline_message()
        return f"{type(exc).__name__}: {exc}"

    def _note_server_time(self, response: httpx.Response) -> None:
        moment = _server_date(response)
        if moment is not None:
            with self._lock:
                self.server_time = moment

    def _send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None,
        safe: bool,
        sent: dict[str, Any],
    ) -> httpx.Response:
        """One HTTP exchange, its failure turned into the error class that decides retrying.

        Refused (`Stopped`) once the session is stopped, also after waiting for a slot."""
        self._refuse_if_stopped(method, path)
        with self.parallelism.slot() as ticket:
            self._refuse_if_stopped(method, path)
            with self._lock:
                self.calls[operation] += 1
            response = self._exchange(method, path, params=params, sent=sent, safe=safe)
        log.debug("%s %s -> %s", method, path, response.status_code)
        self._note_server_time(response)
        if response.status_code == 429:
            self.parallelism.rate_limited(ticket)
        else:
            self.parallelism.succeeded()
        if response.is_success:
            return response
        retry_after = parse_retry_after(
            response.headers.get("Retry-After"), now=self._retry.clock()
        )
        error = errors.from_response(response, method=method, path=path, retry_after=retry_after)
        if not safe and response.status_code >= 500:
            raise errors.OutcomeUnknown(
                status=response.status_code,
                method=method,
                path=path,
                message=f"{error.message}; the request may have taken effect",
                field_violations=error.field_violations,
            )
        raise error

    def _exchange(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None,
        sent: dict[str, Any],
        safe: bool,
    ) -> httpx.Response:
        """Send the request and read its answer (bounded); transport failures mapped."""
        try:
            return bounded_exchange(self._http, self._limits, method, path, params=params, **sent)
        except _NOT_SENT as exc:
            raise errors.TransportFailure(
                status=None, method=method, path=path, message=self._reason(exc)
            ) from exc
        except httpx.TransportError as exc:
            message = self._reason(exc)
            if safe:
                failure = errors.DeadlineExceeded if ran_out(exc) else errors.TransportFailure
                raise failure(status=None, method=method, path=path, message=message) from exc
            raise errors.OutcomeUnknown(
                status=None,
                method=method,
                path=path,
                message=f"{message}; the request was sent and may have taken effect",
            ) from exc
        except AnswerTooLarge as exc:
            raise _too_large(exc, method=method, path=path, safe=safe) from exc


def _too_large(exc: AnswerTooLarge, *, method: str, path: str, safe: bool) -> errors.ApiError:
    """An answer over the cap: an error for a read or a refused mutation; for a mutation the
    server may have carried out (2xx, 5xx), an unknown outcome."""
    status = exc.status
    if not safe and not 400 <= status < 500:
        return errors.OutcomeUnknown(
            status=status,
            method=method,
            path=path,
            message=f"{exc}; the request may have taken effect",
        )
    cls = errors.ApiError if status < 400 else errors.error_class(status)
    return cls(status=status, method=method, path=path, message=str(exc))


def _server_date(response: httpx.Response) -> datetime | None:
    """The answer's `Date` header as an aware datetime, or None when absent or malformed."""
    try:
        moment = parsedate_to_datetime(response.headers.get("Date", ""))
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else None


def relative_path(request: httpx.Request) -> str:
    """The request path after `/v1/projects/{projectId}`, as error messages show it."""
    return _PROJECT_PREFIX.sub("", request.url.path, count=1) or "/"


_JSON_NAMES = {dict: "object", list: "array", str: "string", int: "number", float: "number"}


def _json_kind(value: Any) -> str:
    return "nothing" if value is None else _JSON_NAMES.get(type(value), type(value).__name__)


def _unreadable(response: httpx.Response, message: str) -> errors.UnreadableAnswer:
    request = response.request
    return errors.UnreadableAnswer(
        status=response.status_code,
        method=request.method,
        path=relative_path(request),
        message=message,
    )


def json_body(response: httpx.Response, expect: type | tuple[type, ...] | None = None) -> Any:
    """The JSON body of a successful answer (None when empty); `expect` = the required type."""
    data = None
    if response.content:
        try:
            data = response.json()
        except (ValueError, RecursionError) as exc:
            raise _unreadable(response, "the answer is not valid JSON") from exc
    if expect is not None and not isinstance(data, expect):
        kinds = expect if isinstance(expect, tuple) else (expect,)
        wanted = " or ".join(f"an {_JSON_NAMES[k]}" for k in kinds)
        raise _unreadable(response, f"expected {wanted} in the answer, got {_json_kind(data)}")
    return data


def parse(cls: type[M], data: Any, response: httpx.Response) -> M:
    """Build `cls` from a JSON object of `response`; anything unreadable is `UnreadableAnswer`.

    `data` must be freshly decoded from `response` and used for nothing else: the model keeps
    it as its raw data, uncopied (`LiveModel.from_json`)."""
    if not isinstance(data, dict):
        raise _unreadable(
            response, f"expected an object ({cls.__name__}) in the answer, got {_json_kind(data)}"
        )
    try:
        return cls.from_json(data)
    except pydantic.ValidationError as exc:
        raise shape_error(exc, response, f"an object ({cls.__name__})") from exc
    except RecursionError as exc:
        raise _unreadable(response, "the answer is nested too deeply to read") from exc


def parse_body(cls: type[M], response: httpx.Response) -> M:
    """`parse` applied to the whole JSON body."""
    return parse(cls, json_body(response), response)


MAX_SHAPE_PROBLEMS = 3
"""Shape problems named in one error line (the rest are counted)."""


def shape_error(
    exc: pydantic.ValidationError, response: httpx.Response, what: str
) -> errors.UnreadableAnswer:
    """An answer we cannot read; names the fields only (values may be secrets)."""
    found = exc.errors(include_input=False, include_url=False)
    problems = "; ".join(
        (".".join(str(p) for p in e["loc"]) or "the answer") + f": {e['msg']}"
        for e in found[:MAX_SHAPE_PROBLEMS]
    )
    if len(found) > MAX_SHAPE_PROBLEMS:
        problems += f" (and {len(found) - MAX_SHAPE_PROBLEMS} more)"
    return _unreadable(response, f"expected {what} in the answer ({problems})")


def accepted(response: httpx.Response, read: Callable[[httpx.Response], T]) -> T:
    """`read(response)` for the answer to a mutation the server accepted (2xx).

    An unreadable answer does not mean the request failed: it is an `OutcomeUnknown`, which
    apply resolves by looking (docs/design.md#apply-semantics), never reports as failed.
    """
    try:
        return read(response)
    except errors.UnreadableAnswer as exc:
        raise errors.OutcomeUnknown(
            status=exc.status,
            method=exc.method,
            path=exc.path,
            message=f"{exc.message}; the request was accepted and may have taken effect",
        ) from exc
