"""`PortingClient`: every endpoint of the Sinch Porting API over one sync `httpx.Client`.

The client speaks the wire format of the OpenAPI document (reference §2) and adds what a
reconciler needs around it: typed answers (`reconciler.api.models`), typed errors
(`reconciler.api.errors`), safe retries (`reconciler.api.retry`), pagination to the end, and
bounded parallel reads for fetching many orders. The transport is injectable, which is how the
emulator (and every test) stands in for Sinch.

Mutations are sent once. If their fate is unknown (5xx, timeout after sending, reset) the
client raises `OutcomeUnknown` and leaves the decision to the caller, who must look first.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx
import pydantic
import stamina

from reconciler import __version__
from reconciler.api import errors
from reconciler.api.auth import Auth
from reconciler.api.models import (
    ActivationGroup,
    ActivationResult,
    Configuration,
    Document,
    DocumentRef,
    LiveModel,
    Note,
    Order,
    OrderSummary,
    Portability,
    parse_activation_groups,
)
from reconciler.api.retry import (
    CallRetries,
    RetryBudget,
    RetryEvent,
    RetryPolicy,
    parse_retry_after,
)
from reconciler.api.urls import require_secure_url

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=10.0)
"""Explicit timeouts: a hung connection must end in an error, never hang a CI job."""
DEFAULT_RETRY = RetryPolicy()
"""5 tries, 60 s per call, 300 s of retry waiting per run, `Retry-After` capped at 30 s."""
MAX_PAGE_SIZE = 1000
PORTABILITY_BATCH = 500
"""Numbers per portability check; the API documents no limit, orders stop at 500."""
M = TypeVar("M", bound=LiveModel)
_PROJECT_PREFIX = re.compile(r"^/v1/projects/[^/]+")
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport failures that happen before any byte of the request left this machine."""


def format_instant(value: datetime | date) -> str:
    """`YYYY-MM-DDThh:mm:ss.SSSZ` in UTC, the list filters' format; a date means its midnight."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


class PortingClient:
    """A client of one project of the Porting API; use as a context manager.

    `calls` counts HTTP requests per client method (retries and pages included) for `--stats`;
    `retry_log` lists every retry with the wait that was chosen.
    """

    def __init__(
        self,
        *,
        base_url: str,
        project_id: str,
        auth: Auth,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        max_parallel_reads: int = 8,
    ) -> None:
        if not project_id:
            raise ValueError("project_id must not be empty")
        if max_parallel_reads < 1:
            raise ValueError("max_parallel_reads must be at least 1")
        root = require_secure_url(base_url, what="SINCH_PORTING_URL")
        api_root = str(root).rstrip("/")
        if "/v1/projects/" not in root.path:
            api_root += f"/v1/projects/{quote(project_id, safe='')}"
        self.project_id = project_id
        self._auth = auth
        self._retry = retry
        self._budget = RetryBudget(retry.run_budget_seconds)
        self._max_parallel = max_parallel_reads
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.retry_log: list[RetryEvent] = []
        self._http = httpx.Client(
            base_url=api_root,
            auth=auth,
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": f"portctl/{__version__}", "Accept": "application/json"},
            limits=httpx.Limits(
                max_connections=max_parallel_reads + 2,
                max_keepalive_connections=max_parallel_reads,
            ),
        )

    @property
    def auth(self) -> Auth:
        """The credentials in use (e.g. `ClientCredentials.fetches` for `--stats`)."""
        return self._auth

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pools (the API's and, if any, the token endpoint's)."""
        self._http.close()
        closer = getattr(self._auth, "close", None)
        if callable(closer):
            closer()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- plumbing ----------------------------------------------------------------------------

    def _record(self, event: RetryEvent) -> None:
        with self._lock:
            self.retry_log.append(event)

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send one logical call with the retry rules of `reconciler.api.retry`."""
        safe = method == "GET" if idempotent is None else idempotent
        hook = CallRetries(
            policy=self._retry, budget=self._budget, operation=operation, record=self._record
        )
        for attempt in stamina.retry_context(
            on=hook, attempts=self._retry.attempts, timeout=self._retry.per_call_timeout
        ):
            with attempt:
                return self._send(operation, method, path, json=json, params=params, safe=safe)
        raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover

    def _send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        json: Any,
        params: Mapping[str, str | int] | None,
        safe: bool,
    ) -> httpx.Response:
        """One HTTP exchange, its failure turned into the error class that decides retrying."""
        with self._lock:
            self.calls[operation] += 1
        try:
            response = self._http.request(method, path, json=json, params=params)
        except _NOT_SENT as exc:
            raise errors.TransportFailure(
                status=None, method=method, path=path, message=f"{type(exc).__name__}: {exc}"
            ) from exc
        except httpx.TransportError as exc:
            message = f"{type(exc).__name__}: {exc}"
            if safe:
                raise errors.TransportFailure(
                    status=None, method=method, path=path, message=message
                ) from exc
            raise errors.OutcomeUnknown(
                status=None,
                method=method,
                path=path,
                message=f"{message}; the request was sent and may have taken effect",
            ) from exc
        log.debug("%s %s -> %s", method, path, response.status_code)
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

    @staticmethod
    def _body(response: httpx.Response) -> Any:
        """The JSON body of a successful answer (None when empty)."""
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            request = response.request
            raise errors.ApiError(
                status=response.status_code,
                method=request.method,
                path=_relative_path(request),
                message="the answer is not valid JSON",
            ) from exc

    def _model(self, cls: type[M], response: httpx.Response) -> M:
        """Parse a JSON object answer into `cls`; a malformed answer is an `ApiError`."""
        body = self._body(response)
        request = response.request
        if not isinstance(body, dict):
            raise errors.ApiError(
                status=response.status_code,
                method=request.method,
                path=_relative_path(request),
                message=f"expected a JSON object for {cls.__name__}, got {type(body).__name__}",
            )
        try:
            return cls.from_api(body)
        except pydantic.ValidationError as exc:
            raise _shape_error(exc, response, cls.__name__) from exc

    # -- portability ---------------------------------------------------------------------------

    def check_portability(self, numbers: Iterable[str]) -> list[Portability]:
        """Ask whether each number can be ported (a query, so it is retried like a read)."""
        wanted = list(numbers)
        answers: list[Portability] = []
        for start in range(0, len(wanted), PORTABILITY_BATCH):
            batch = wanted[start : start + PORTABILITY_BATCH]
            response = self._call(
                "check_portability",
                "POST",
                "/portabilityChecks",
                json={"phoneNumbers": batch},
                idempotent=True,
            )
            body = self._body(response)
            items = body.get("phoneNumbers", []) if isinstance(body, dict) else []
            answers.extend(Portability.from_api(i) for i in items if isinstance(i, dict))
        return answers

    # -- orders --------------------------------------------------------------------------------

    def list_orders(
        self,
        *,
        status: str | None = None,
        reference: str | None = None,
        phone_number: str | None = None,
        order_id: int | None = None,
        created_start: datetime | date | None = None,
        created_end: datetime | date | None = None,
        foc_start: datetime | date | None = None,
        foc_end: datetime | date | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> list[OrderSummary]:
        """Every order matching the filters, all pages read (pages are 1-based)."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}")
        params: dict[str, str | int] = {"pageSize": page_size}
        for key, value in (
            ("orderStatus", status.upper() if status else None),
            ("customerOrderReference", reference),
            ("phoneNumber", phone_number),
            ("orderId", order_id),
        ):
            if value is not None:
                params[key] = value
        for key, moment in (
            ("createdDateStart", created_start),
            ("createdDateEnd", created_end),
            ("focStartDate", foc_start),
            ("focEndDate", foc_end),
        ):
            if moment is not None:
                params[key] = format_instant(moment)
        found: dict[int, OrderSummary] = {}
        page = 1
        while True:
            response = self._call(
                "list_orders", "GET", "/orders/portIns", params={**params, "page": str(page)}
            )
            body = self._body(response)
            body = body if isinstance(body, dict) else {}
            rows = [r for r in body.get("orders") or [] if isinstance(r, dict)]
            before = len(found)
            for row in rows:
                summary = _parse(OrderSummary, row, response)
                found.setdefault(summary.id, summary)
            total_pages = body.get("totalPages")
            if len(found) == before:
                break  # an empty page, or a server that ignores `page`: nothing new to read
            if isinstance(total_pages, int):
                if page >= total_pages:
                    break
            elif len(rows) < page_size:
                break
            page += 1
        return list(found.values())

    def get_order(self, order_id: int) -> Order:
        """One order with its numbers, notes and documents."""
        return self._model(Order, self._call("get_order", "GET", f"/orders/portIns/{order_id}"))

    def get_orders(self, ids: Iterable[int]) -> dict[int, Order]:
        """Many orders, read `max_parallel_reads` at a time over the one shared client."""
        unique = list(dict.fromkeys(ids))
        if not unique:
            return {}
        workers = min(self._max_parallel, len(unique))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="portctl-read")
        futures: dict[int, Future[Order]] = {}
        try:
            futures = {i: pool.submit(self.get_order, i) for i in unique}
            return {i: futures[i].result() for i in unique}
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def create_order(self, body: Mapping[str, Any]) -> Order:
        """Create a port-in order (201). Raises `OutcomeUnknown` if it may or may not exist."""
        response = self._call("create_order", "POST", "/orders/portIns", json=dict(body))
        return self._model(Order, response)

    def update_order(self, order_id: int, body: Mapping[str, Any]) -> Order:
        """Replace a PENDING order with `body` (a full object: omitted fields are cleared)."""
        response = self._call("update_order", "PUT", f"/orders/portIns/{order_id}", json=dict(body))
        return self._model(Order, response)

    def cancel_order(self, order_id: int) -> None:
        """Cancel a PENDING order (it goes PENDING_CANCELATION, then CANCELED)."""
        self._call("cancel_order", "DELETE", f"/orders/portIns/{order_id}")

    # -- notes and documents -------------------------------------------------------------------

    def add_note(self, order_id: int, text: str) -> Note:
        """Post a note on an order."""
        response = self._call(
            "add_note", "POST", f"/orders/portIns/{order_id}/notes", json={"note": text}
        )
        return self._model(Note, response)

    def upload_document(
        self, order_id: int, *, name: str, description: str, content: bytes
    ) -> DocumentRef:
        """Attach a document (e.g. the LOA), sent base64-encoded inside JSON."""
        payload = {
            "documentName": name,
            "description": description,
            "fileContent": base64.b64encode(content).decode("ascii"),
        }
        response = self._call(
            "upload_document", "POST", f"/orders/portIns/{order_id}/documents", json=payload
        )
        return self._model(DocumentRef, response)

    def download_document(self, order_id: int, document_id: int | str) -> Document:
        """A document with its content.

        The OpenAPI path has no `portIns` segment, the skill's has one (reference §2.9): the
        OpenAPI path is tried first and the other only when the first answers 404.
        """
        doc = quote(str(document_id), safe="")
        try:
            response = self._call("download_document", "GET", f"/orders/{order_id}/documents/{doc}")
        except errors.NotFound as first:
            try:
                response = self._call(
                    "download_document", "GET", f"/orders/portIns/{order_id}/documents/{doc}"
                )
            except errors.NotFound:
                raise first from None
        return self._model(Document, response)

    # -- activation ----------------------------------------------------------------------------

    def available_activations(self, order_id: int) -> list[ActivationGroup]:
        """Groups that can be activated now (FOC reached, numbers routing on Sinch)."""
        response = self._call(
            "available_activations", "GET", f"/orders/portIns/{order_id}/availableActivations"
        )
        try:
            return parse_activation_groups(self._body(response))
        except pydantic.ValidationError as exc:
            raise _shape_error(exc, response, "ActivationGroup") from exc

    def activate(self, order_id: int, groups: Sequence[str] | None) -> ActivationResult:
        """Activate named groups of an on-demand order, or (groups=None) the whole order."""
        payload = None if groups is None else {"phoneNumberGroups": list(groups)}
        response = self._call(
            "activate", "POST", f"/orders/portIns/{order_id}/activate", json=payload
        )
        if not response.content:
            return ActivationResult()
        return self._model(ActivationResult, response)

    # -- configuration -------------------------------------------------------------------------

    def get_configuration(self) -> Configuration | None:
        """The project's porting defaults, or None when none were ever created (404)."""
        try:
            response = self._call("get_configuration", "GET", "/configuration")
        except errors.NotFound:
            return None
        return self._model(Configuration, response)

    def create_configuration(self, body: Mapping[str, Any]) -> Configuration:
        """Create the project's porting defaults."""
        response = self._call("create_configuration", "POST", "/configuration", json=dict(body))
        return self._model(Configuration, response)

    def update_configuration(self, body: Mapping[str, Any]) -> Configuration:
        """Update the project's porting defaults."""
        response = self._call("update_configuration", "PUT", "/configuration", json=dict(body))
        return self._model(Configuration, response)


def _relative_path(request: httpx.Request) -> str:
    """The request path after `/v1/projects/{projectId}`, as error messages show it."""
    return _PROJECT_PREFIX.sub("", request.url.path, count=1) or "/"


def _parse(cls: type[M], data: dict[str, Any], response: httpx.Response) -> M:
    try:
        return cls.from_api(data)
    except pydantic.ValidationError as exc:
        raise _shape_error(exc, response, cls.__name__) from exc


def _shape_error(
    exc: pydantic.ValidationError, response: httpx.Response, what: str
) -> errors.ApiError:
    """An answer we cannot read; names the fields only (values may be secrets)."""
    problems = "; ".join(
        ".".join(str(p) for p in e["loc"]) + f": {e['msg']}"
        for e in exc.errors(include_input=False, include_url=False)
    )
    return errors.ApiError(
        status=response.status_code,
        method=response.request.method,
        path=_relative_path(response.request),
        message=f"unexpected {what} in the answer ({problems})",
    )
