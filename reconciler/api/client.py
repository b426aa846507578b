"""`PortingClient`: every endpoint of the Sinch Porting API over one sync `httpx.Client`.

The client speaks the wire format of the OpenAPI document (docs/api-notes.md#endpoints) and adds
what a reconciler needs around it: typed answers (`reconciler.api.models`), typed errors
(`reconciler.api.errors`), safe retries (`reconciler.api.retry`, applied by
`reconciler.api.session`), pagination to the end, and bounded parallel reads for fetching many
orders. The transport is injectable, which is how the emulator (and every test) stands in for
Sinch.

Mutations are sent once. If their fate is unknown (5xx, timeout after sending, reset) the
client raises `OutcomeUnknown` and leaves the decision to the caller, who must look first.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx
import pydantic

from reconciler.api import errors
from reconciler.api.auth import Auth
from reconciler.api.concurrency import AdaptiveLimit
from reconciler.api.limits import ExchangeLimits
from reconciler.api.models import (
    ActivationGroup,
    ActivationResult,
    Configuration,
    DocumentRef,
    DownloadedDocument,
    Note,
    Order,
    OrderPage,
    OrderSummary,
    PhoneNumberGroup,
    PortabilityAnswer,
    PortabilityCheckResult,
    parse_activation_groups,
)
from reconciler.api.retry import RetryEvent, RetryPolicy
from reconciler.api.session import (
    ApiCall,
    ApiSession,
    accepted,
    json_body,
    parse,
    parse_body,
    shape_error,
)
from reconciler.api.urls import require_secure_url
from reconciler.apidefaults import MAX_PAGE_SIZE
from reconciler.lifecycle import order_status

T = TypeVar("T")

READ_THREADS = "portctl-read"
"""How the names of the threads that only read the API begin (`get_orders`'s, the list's pages
read ahead, reads alongside): `reconciler.cli.run` may end the process with one unfinished, as a
read left unfinished changes nothing."""

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=10.0)
"""Explicit timeouts: a hung connection must end in an error, never hang a CI job."""
DEFAULT_RETRY = RetryPolicy()
"""5 tries, 60 s per call, 300 s of retry waiting per run, `Retry-After` capped at 30 s."""
DEFAULT_LIMITS = ExchangeLimits()
"""60 s per request, 32 MiB per answer (`PORTCTL_REQUEST_DEADLINE`, `PORTCTL_MAX_ANSWER_BYTES`)."""
PORTABILITY_BATCH = 500
"""Numbers per portability check; the API documents no limit, orders stop at 500."""


def format_instant(value: datetime | date) -> str:
    """`YYYY-MM-DDThh:mm:ss.SSSZ` in UTC, the list filters' format; a date means its midnight."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _paging_error(what: str) -> errors.ApiError:
    """The order list did not page the way portctl reads it; names what to check."""
    return errors.ApiError(
        status=None,
        method="GET",
        path="/orders/portIns",
        message=f"the order list does not page as portctl expects: {what}; check the `page` "
        "query parameter (1-based numbers) against `totalItems`/`totalPages` with "
        "`portctl doctor --api`; nothing was planned from a partial list",
    )


@contextlib.contextmanager
def _reading_pool(workers: int, name: str) -> Iterator[ThreadPoolExecutor]:
    """A pool of threads that only read the API (named `name`, which begins `READ_THREADS`),
    shut down on leaving: once its reads have ended, or at once on an interrupt (Ctrl-C),
    leaving them unfinished, since a read changes nothing and the user is not kept waiting."""
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
    interrupted = False
    try:
        yield pool
    except BaseException as exc:
        interrupted = not isinstance(exc, Exception)
        raise
    finally:
        pool.shutdown(wait=not interrupted, cancel_futures=True)


class _PagesAhead:
    """The pages of one order list, read up to `workers` ahead of the one being checked.

    Page 1 says how many pages there are (`totalPages`); the pages after it are then read side
    by side on a small pool, through the same session (its adaptive limit decides how many go
    out at once; retries, deadlines and `stop` apply per page as they do to any call). They
    are handed to `list_orders` strictly in page order, so its paging checks see exactly what
    a one-by-one read would, and a failed page raises its error when its turn comes (pages
    read after it are dropped, unread ones cancelled). A page nobody read ahead (page 1, or
    every page when `totalPages` is missing) is read on the caller's thread.

    The calls of the pages read ahead are told to the caller's call hooks (`recording`) in page
    order, as a one-by-one read tells them (`PortingClient._recorded` keeps them): one
    `list_orders` entry per page sent, pages read ahead and then dropped included (every
    request sent is on record).
    """

    def __init__(
        self,
        read: Callable[[int], OrderPage],
        *,
        recorded: Callable[[Callable[[], OrderPage], list[ApiCall]], OrderPage],
        tell: Callable[[ApiCall], None],
        workers: int,
    ) -> None:
        self._read = read
        self._recorded = recorded
        self._tell_one = tell
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._ahead: dict[int, Future[OrderPage]] = {}
        self._calls: dict[int, list[ApiCall]] = {}
        self._next = 2

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        for page in sorted(self._calls):
            self._tell(self._calls.pop(page))

    def read_ahead(self, *, after: int, last: int) -> None:
        """Start reading the pages after `after`, up to `last` and at most `workers` ahead."""
        until = min(last, after + self._workers)
        if self._next > until:
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                max_workers=self._workers, thread_name_prefix=f"{READ_THREADS}-page"
            )
        while self._next <= until:
            calls = self._calls[self._next] = []
            read = partial(self._read, self._next)
            self._ahead[self._next] = self._pool.submit(self._recorded, read, calls)
            self._next += 1

    def take(self, page: int) -> OrderPage:
        """Page `page`: the one read ahead (its calls told now), or read now on this thread."""
        future = self._ahead.pop(page, None)
        if future is None:
            self._next = max(self._next, page + 1)
            return self._read(page)
        try:
            return future.result()
        finally:
            if future.done():  # else (an interrupt) the exit tells them once the page ends
                self._tell(self._calls.pop(page, []))

    def _tell(self, calls: list[ApiCall]) -> None:
        for call in calls:
            self._tell_one(call)


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
        limits: ExchangeLimits = DEFAULT_LIMITS,
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
        self._max_parallel = max_parallel_reads
        self._session = ApiSession(
            api_root=api_root,
            auth=auth,
            transport=transport,
            timeout=timeout,
            retry=retry,
            max_parallel=max_parallel_reads,
            limits=limits,
        )

    @property
    def calls(self) -> Counter[str]:
        """HTTP requests sent, by client method (retries and pages included), for `--stats`."""
        return self._session.calls

    @property
    def parallelism(self) -> AdaptiveLimit:
        """The gate every request passes: requests in flight now, at most, and the peak."""
        return self._session.parallelism

    @property
    def server_time(self) -> datetime | None:
        """The API's clock at its latest answer (`Date` header), if it sent one.

        "Today" for plan notices (FOC or port date in the next 7 days) is the API's today, which
        for the emulator is its virtual clock rather than the machine's.
        """
        return self._session.server_time

    @property
    def retry_log(self) -> list[RetryEvent]:
        """Every retry decided so far, with the wait that was chosen."""
        return self._session.retry_log

    @contextlib.contextmanager
    def recording(self) -> Iterator[list[ApiCall]]:
        """The logical calls this thread makes while the block runs, in order, with how each
        ended (calls of other threads are not in it; neither are those of a pool the block
        starts, like `get_orders`'s, except those told back to this thread: `list_orders`'s
        pages in page order, a read `alongside` where its result is taken, a portability
        check's batches in batch order).

        Apply records each plan item's calls this way for its outcome table and audit log,
        also when items run side by side.
        """
        calls: list[ApiCall] = []
        hook = calls.append
        self._session.hooks.append(hook)
        try:
            yield calls
        finally:
            self._session.hooks.remove(hook)

    @contextlib.contextmanager
    def alongside(self, read: Callable[[], T]) -> Iterator[Callable[[], T]]:
        """Run `read` (calls of this client) on a thread of its own while the block runs, and
        yield what waits for its result (raising its error): an independent read costs no
        round trip of its own. Its calls are told to this thread's hooks when the result is
        taken, as if made then and here. Leaving the block waits for the read to end (a
        result not taken is dropped, its calls told), except on an interrupt (Ctrl-C), which
        leaves it unfinished (`_reading_pool`)."""
        calls: list[ApiCall] = []

        def taken() -> T:
            try:
                return future.result()
            finally:
                tell()

        def tell() -> None:
            while calls:
                self._session.tell(calls.pop(0))

        try:
            with _reading_pool(1, f"{READ_THREADS}-side") as side:
                future = side.submit(self._recorded, read, calls)
                yield taken
        finally:
            tell()

    def _side_by_side(self, reads: Sequence[Callable[[], T]]) -> list[T]:
        """The results of `reads` (independent calls of this client), in order, read side by
        side (as many at a time as `get_orders` reads); their calls are told to this thread's
        hooks in the order of `reads`, as if made one after the other here. The first read
        that failed, in that order, raises its error once all have ended; an interrupt
        (Ctrl-C) is raised at once, leaving the reads unfinished (`_reading_pool`)."""
        if len(reads) <= 1:
            return [read() for read in reads]
        calls: list[list[ApiCall]] = [[] for _ in reads]
        workers = min(self._max_parallel, len(reads))
        try:
            with _reading_pool(workers, f"{READ_THREADS}-side") as pool:
                futures = [
                    pool.submit(self._recorded, r, c) for r, c in zip(reads, calls, strict=True)
                ]
                wait(futures)
        finally:
            for made in calls:
                for call in list(made):
                    self._session.tell(call)
        return [future.result() for future in futures]

    def _recorded(self, read: Callable[[], T], calls: list[ApiCall]) -> T:
        """On a pool thread (`alongside`, `_side_by_side`, the list's pages read ahead):
        `read()`, with the calls it made put in `calls` (also when it fails) for the hooks of
        the thread that asked."""
        with self.recording() as made:
            try:
                return read()
            finally:
                calls.extend(made)

    def stop(self) -> None:
        """Send nothing more, from any thread: each request not yet sent raises
        `reconciler.api.session.Stopped`; one already on the wire finishes and is recorded as
        ended `after_stop`. An interrupted apply calls it; the client stays stopped."""
        self._session.stop()

    @property
    def auth(self) -> Auth:
        """The credentials in use (e.g. `ClientCredentials.fetches` for `--stats`)."""
        return self._auth

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pools (the API's and, if any, the token endpoint's)."""
        self._session.close()
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

    # -- portability ---------------------------------------------------------------------------

    def check_portability(self, numbers: Iterable[str]) -> list[PortabilityCheckResult]:
        """Ask whether each number can be ported (a query, so it is retried like a read), in
        batches of `PORTABILITY_BATCH` numbers sent side by side; the answers batch by batch,
        each batch's as the API gives them."""
        wanted = list(numbers)
        batches = [
            partial(self._check_batch, wanted[start : start + PORTABILITY_BATCH])
            for start in range(0, len(wanted), PORTABILITY_BATCH)
        ]
        return [answer for batch in self._side_by_side(batches) for answer in batch]

    def _check_batch(self, numbers: list[str]) -> list[PortabilityCheckResult]:
        response = self._session.call(
            "check_portability",
            "POST",
            "/portabilityChecks",
            json={"phoneNumbers": numbers},
            idempotent=True,
        )
        return parse_body(PortabilityAnswer, response).phone_numbers

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
        """Every order matching the filters, all pages read (pages are 1-based): once page 1
        gives `totalPages`, the next pages are read in parallel (`_PagesAhead`) and checked
        one by one in page order; without it, one after the other.

        Paging is checked, never trusted (docs/api-notes.md#what-we-assume-about-the-sinch-api):
        a page that repeats earlier orders (`page` ignored) or a total short of `totalItems`
        (`page` 0-based, or pages lost) is an `ApiError`, because a plan made from a partial
        list would propose creating orders that exist.
        """
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}")
        params: dict[str, str | int] = {"pageSize": page_size}
        for key, value in (
            ("orderStatus", order_status(status) if status else None),
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
        total_items: int | None = None
        with _PagesAhead(
            lambda page: self._list_page(params, page),
            recorded=self._recorded,
            tell=self._session.tell,
            workers=self._max_parallel,
        ) as pages:
            while True:
                answer = pages.take(page)
                rows = answer.orders
                before = len(found)
                for summary in rows:
                    found.setdefault(summary.id, summary)
                total_pages = answer.total_pages
                if answer.total_items is not None:
                    total_items = answer.total_items
                if rows and len(found) == before:
                    raise _paging_error(
                        f"page {page} repeated orders of an earlier page (is `page` ignored?)"
                    )
                if not rows:
                    break
                if isinstance(total_pages, int):
                    if page >= total_pages:
                        break
                    pages.read_ahead(after=page, last=total_pages)
                elif len(rows) < page_size:
                    break
                page += 1
        if total_items is not None and len(found) < total_items:
            raise _paging_error(
                f"read {len(found)} of totalItems={total_items} orders (a short page)"
            )
        return list(found.values())

    def _list_page(self, params: Mapping[str, str | int], page: int) -> OrderPage:
        """One page of the order list, parsed (`list_orders` checks how pages fit together)."""
        response = self._session.call(
            "list_orders", "GET", "/orders/portIns", params={**params, "page": str(page)}
        )
        return parse_body(OrderPage, response)

    def get_json(self, path: str, *, params: Mapping[str, str] | None = None) -> Any:
        """The JSON answer of a GET the typed methods do not cover, as sent (for
        `portctl doctor --api`, which probes how the API pages, filters and shows secrets)."""
        response = self._session.call("get_json", "GET", path, params=dict(params or {}))
        return json_body(response)

    def get_order(self, order_id: int) -> Order:
        """One order with its numbers, notes and documents."""
        return parse_body(
            Order, self._session.call("get_order", "GET", f"/orders/portIns/{order_id}")
        )

    def get_orders(
        self, ids: Iterable[int], *, each: Callable[[Order], object] | None = None
    ) -> dict[int, Order]:
        """Many orders, read in parallel over the one shared client: as many at a time as the
        adaptive limit allows (`parallelism`), never more than `max_parallel_reads`.

        `each` is called with every order as it arrives, on the thread that read it: work on
        one order done while the others are still on the wire (it must be thread-safe)."""
        unique = list(dict.fromkeys(ids))
        if not unique:
            return {}
        workers = min(self._max_parallel, len(unique))
        read = self.get_order if each is None else partial(_read_then, self.get_order, each)
        with _reading_pool(workers, READ_THREADS) as pool:
            futures = {i: pool.submit(read, i) for i in unique}
            # One wake-up when all are read (or one failed), not one per order: 2,000 wake-ups
            # of this thread cost the readers the GIL on every answer (issue 12).
            wait(futures.values(), return_when=FIRST_EXCEPTION)
            return {i: futures[i].result() for i in unique}

    def create_order(self, body: Mapping[str, Any]) -> Order:
        """Create a port-in order (201). Raises `OutcomeUnknown` if it may or may not exist."""
        response = self._session.call("create_order", "POST", "/orders/portIns", json=dict(body))
        return accepted(response, lambda r: parse_body(Order, r))

    def update_order(self, order_id: int, body: Mapping[str, Any]) -> Order:
        """Replace a PENDING order with `body` (a full object: omitted fields are cleared)."""
        response = self._session.call(
            "update_order", "PUT", f"/orders/portIns/{order_id}", json=dict(body)
        )
        return accepted(response, lambda r: parse_body(Order, r))

    def cancel_order(self, order_id: int) -> None:
        """Cancel a PENDING order (it goes PENDING_CANCELATION, then CANCELED)."""
        self._session.call("cancel_order", "DELETE", f"/orders/portIns/{order_id}")

    # -- notes and documents -------------------------------------------------------------------

    def add_note(self, order_id: int, text: str) -> Note:
        """Post a note on an order."""
        response = self._session.call(
            "add_note", "POST", f"/orders/portIns/{order_id}/notes", json={"note": text}
        )
        return accepted(response, lambda r: parse_body(Note, r))

    def upload_document(
        self, order_id: int, *, name: str, description: str, content: bytes | Path
    ) -> DocumentRef:
        """Attach a document (e.g. the LOA), sent base64-encoded inside JSON.

        With a `Path` the body is streamed: the file is read and encoded from disk in chunks as
        the request goes out, so a document is never held in memory whole.
        """
        if isinstance(content, bytes):
            payload = {
                "documentName": name,
                "description": description,
                "fileContent": base64.b64encode(content).decode("ascii"),
            }
            response = self._session.call(
                "upload_document", "POST", f"/orders/portIns/{order_id}/documents", json=payload
            )
        else:
            body = DocumentBody.of(content, name=name, description=description)
            response = self._session.call(
                "upload_document", "POST", f"/orders/portIns/{order_id}/documents", body=body
            )
        return accepted(response, lambda r: parse_body(DocumentRef, r))

    def download_document(self, order_id: int, document_id: int | str) -> DownloadedDocument:
        """A document with its content.

        The OpenAPI path has no `portIns` segment, the skill's has one
        (docs/api-notes.md#document-conflicts): the OpenAPI path is tried first and the other only
        when the first answers 404.
        """
        doc = quote(str(document_id), safe="")
        try:
            response = self._session.call(
                "download_document", "GET", f"/orders/{order_id}/documents/{doc}"
            )
        except errors.NotFound as first:
            try:
                response = self._session.call(
                    "download_document", "GET", f"/orders/portIns/{order_id}/documents/{doc}"
                )
            except errors.NotFound:
                raise first from None
        return parse_body(DownloadedDocument, response)

    # -- activation ----------------------------------------------------------------------------

    def available_activations(self, order_id: int) -> list[ActivationGroup]:
        """Groups that can be activated now (FOC reached, numbers routing on Sinch)."""
        response = self._session.call(
            "available_activations", "GET", f"/orders/portIns/{order_id}/availableActivations"
        )
        try:
            return parse_activation_groups(json_body(response, (list, dict)))
        except pydantic.ValidationError as exc:
            raise shape_error(exc, response, "a list of activation groups") from exc

    def phone_groups(self, order_id: int) -> list[PhoneNumberGroup]:
        """Every number of an order by activation group, confirmed or not.

        Only the skill documents this endpoint (`GET /orders/portIns/phoneGroups/{orderId}`,
        docs/api-notes.md#document-conflicts); its answer is taken to be an array of the OpenAPI
        document's otherwise unused `PhoneNumberGroupItem`.
        """
        response = self._session.call(
            "phone_groups", "GET", f"/orders/portIns/phoneGroups/{order_id}"
        )
        return [parse(PhoneNumberGroup, item, response) for item in json_body(response, list)]

    def activate(self, order_id: int, groups: Sequence[str] | None) -> ActivationResult:
        """Activate named groups of an on-demand order, or (groups=None) the whole order.

        The groups go under both documented keys, the OpenAPI `phoneNumberGroups` and the
        skill's `groupIds` (docs/api-notes.md#document-conflicts): an API that read only the
        key portctl left out would see "no groups" and activate the whole order, which cannot
        be undone. With both, either reading activates exactly the approved groups; an API
        that refused the unknown key would fail the call, activating nothing.
        """
        payload = (
            None
            if groups is None
            else {"phoneNumberGroups": list(groups), "groupIds": list(groups)}
        )
        response = self._session.call(
            "activate", "POST", f"/orders/portIns/{order_id}/activate", json=payload
        )
        if not response.content:
            return ActivationResult()
        return accepted(response, lambda r: parse_body(ActivationResult, r))

    # -- configuration -------------------------------------------------------------------------

    def get_configuration(self) -> Configuration | None:
        """The project's porting defaults, or None when none were ever created (404)."""
        try:
            response = self._session.call("get_configuration", "GET", "/configuration")
        except errors.NotFound:
            return None
        return parse_body(Configuration, response)

    def create_configuration(self, body: Mapping[str, Any]) -> Configuration:
        """Create the project's porting defaults."""
        response = self._session.call(
            "create_configuration", "POST", "/configuration", json=dict(body)
        )
        return accepted(response, lambda r: parse_body(Configuration, r))

    def update_configuration(self, body: Mapping[str, Any]) -> Configuration:
        """Update the project's porting defaults."""
        response = self._session.call(
            "update_configuration", "PUT", "/configuration", json=dict(body)
        )
        return accepted(response, lambda r: parse_body(Configuration, r))


_CHUNK = 3 * 256 * 1024
"""Bytes of file per streamed piece (a multiple of 3, so each piece encodes on its own)."""


@dataclass(frozen=True)
class DocumentBody:
    """The JSON body of a document upload, `{"documentName", "description", "fileContent"}`,
    produced piece by piece from the file on disk (`PortingClient.upload_document`)."""

    head: bytes
    path: Path
    size: int
    tail: bytes = b'"}'

    @classmethod
    def of(cls, path: Path, *, name: str, description: str) -> DocumentBody:
        """The body for `path` as it is now (its size fixes the Content-Length)."""
        fields = json.dumps({"documentName": name, "description": description})
        head = (fields[:-1] + ', "fileContent": "').encode()
        return cls(head=head, path=path, size=path.stat().st_size)

    def __len__(self) -> int:
        return len(self.head) + 4 * ((self.size + 2) // 3) + len(self.tail)

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        with self.path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                yield base64.b64encode(chunk)
        yield self.tail


def _read_then(
    read: Callable[[int], Order], each: Callable[[Order], object], order_id: int
) -> Order:
    """`read(order_id)`, then `each` of the order (`PortingClient.get_orders`)."""
    order = read(order_id)
    each(order)
    return order
