"""The live side of a plan: a read-only, immutable snapshot of what the Porting API holds.

`LiveSnapshot` is plain data so that the pure core (diff, plan, render) can be tested on
constructed values; `fetch_live` fills it through the API client with only reads (the batched
portability check is the one POST, and it changes nothing). Which orders to read is not
decided here: `fetch_live` carries out the reads a `LiveReads` asks for
(`reconciler.planning.reads.PlanReads` for a plan, with a report's additions for drift and
status).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from time import monotonic
from typing import TYPE_CHECKING, Any, Protocol

from reconciler.apidefaults import MAX_PAGE_SIZE
from reconciler.essence import numbers_digest
from reconciler.lifecycle import (
    OrderStatus,
    is_canceling,
    is_number_dropped,
    is_open,
    is_terminal,
    order_status,
)

if TYPE_CHECKING:
    from reconciler.api import Configuration, Order, OrderSummary, PortingClient


@dataclass(frozen=True)
class LiveOrderSummary:
    """An order as the list endpoint shows it: enough to decide whether details are needed."""

    id: int
    reference: str
    status: OrderStatus | str
    """Parsed by `reconciler.lifecycle.order_status` (an unknown status is kept as a string)."""
    created_date: str = ""
    rejected: int | None = None
    """REJECTED numbers on the order (the row's `rejectedQuantity`; None: not said)."""
    activated: int | None = None
    """ACTIVATED numbers on the order (the row's `activatedQuantity`; None: not said)."""

    @property
    def is_terminal(self) -> bool:
        """Nothing can change any more (`reconciler.lifecycle.is_terminal`)."""
        return is_terminal(self.status)

    @property
    def is_open(self) -> bool:
        """The order a spec's reference points at (`reconciler.lifecycle.is_open`)."""
        return is_open(self.status)


@dataclass(frozen=True)
class LiveSnapshot:
    """What the API holds for the specs being planned, read once at plan time."""

    managed: Mapping[str, tuple[LiveOrderSummary, ...]] = field(default_factory=dict)
    """Summaries of every live order whose reference is a spec's, by reference."""
    details: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    """Full order dicts (API JSON shape) of non-terminal managed orders (and pruned orphans)."""
    orphans: tuple[LiveOrderSummary, ...] = ()
    """Live orders whose reference starts with the non-empty prefix but match no spec."""
    configuration: Mapping[str, Any] | None = None
    available_activations: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    """Group names offered for activation, for CONFIRMED on-demand orders that want it."""
    portability: Mapping[str, tuple[bool, str]] = field(default_factory=dict)
    """number -> (portable, reason), for the numbers of orders to be created."""
    held_numbers: Mapping[str, int] = field(default_factory=dict)
    """Numbers on PENDING_CANCELATION orders (they cannot be resubmitted yet) -> order id."""
    occupied_numbers: Mapping[str, LiveOrderSummary] = field(default_factory=dict)
    """Numbers on open orders (any reference, managed or not) -> that order (lowest id), found
    when the plan may create an order: the API refuses a create whose numbers are on one."""
    holders_not_looked_up: frozenset[str] = frozenset()
    """Create numbers answered not portable whose holder was not looked up (over the cap)."""
    number_digests: Mapping[int, bytes | None] = field(default_factory=dict)
    """`essence.numbers_digest` of the orders read first (the managed ones), by order id:
    worked out as each order arrived, while the other reads were in flight (issue 12)."""
    fetched_at: datetime | None = None
    api_calls: int = 0
    listed_at: float | None = None
    """`time.monotonic()` just before the order list was asked for: how old this look is
    (apply uses it as its first look before creating, `reconciler.apply.context.CreateChecks`)."""


def _total_calls(client: PortingClient) -> int:
    """HTTP requests the client made so far (pages and retries included)."""
    return sum(client.calls.values())


def live_summary(row: OrderSummary) -> LiveOrderSummary:
    """A list row as `LiveOrderSummary` (status parsed, an unknown one kept as a string).

    Shared by `fetch_live` and the importer so both judge an order's state the same way."""
    raw = row.raw
    return LiveOrderSummary(
        id=int(row.id),
        reference=row.customer_order_reference or "",
        status=order_status(row.status),
        created_date=str(raw.get("createdDate") or ""),
        rejected=_count(raw.get("rejectedQuantity")),
        activated=_count(raw.get("activatedQuantity")),
    )


def _count(value: object) -> int | None:
    """A count of a list row (`number` in the OpenAPI document), None when absent or odd."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return int(value)


def _available_activations(
    client: PortingClient, order_ids: list[int]
) -> dict[int, tuple[str, ...]]:
    """`availableActivations` of each order, a few at a time (reads, like `get_orders`)."""

    def groups(order_id: int) -> tuple[str, ...]:
        return tuple(sorted(g.phone_number_group for g in client.available_activations(order_id)))

    if len(order_ids) <= 1:
        return {i: groups(i) for i in order_ids}
    with ThreadPoolExecutor(max_workers=min(8, len(order_ids))) as pool:
        return dict(zip(order_ids, pool.map(groups, order_ids), strict=True))


@dataclass(frozen=True)
class Listing:
    """The order list, sorted for the specs being planned (`LiveReads.listing`)."""

    rows: tuple[LiveOrderSummary, ...]
    """Every listed order."""
    managed: Mapping[str, tuple[LiveOrderSummary, ...]]
    """The listed orders whose reference is a spec's, by reference."""
    orphans: tuple[LiveOrderSummary, ...]
    """Listed orders under the specs' reference prefix that match no spec."""


class LiveReads(Protocol):
    """What to read beyond the order list: planning's decision, `fetch_live` carries it out."""

    def listing(self, rows: Sequence[LiveOrderSummary]) -> Listing:
        """The listed orders sorted into the specs' and orphans."""

    def details(self, listing: Listing) -> Iterable[int]:
        """Orders to read in full."""

    def activations(self, listing: Listing) -> Iterable[int]:
        """Orders whose `availableActivations` to read."""

    def portability(self, listing: Listing, held: Mapping[str, int]) -> Iterable[str]:
        """Numbers to check, once the numbers held by other orders (`held`: canceling or
        open ones) are known."""

    def taken(self, listing: Listing) -> TakenCheck | None:
        """How to find the checked numbers that orders not read hold; None when nothing may
        be created (then no number is to be checked, and no order's numbers are needed)."""


class TakenCheck(Protocol):
    """Which further reads find checked numbers that unread orders hold
    (`reconciler.planning.taken.TakenNumbers` says why and how)."""

    @property
    def lookup_cap(self) -> int:
        """Numbers answered not portable whose holder may be looked up by the list filter."""

    def probe_orders(self, details: Mapping[int, Mapping[str, Any]]) -> Iterable[int]:
        """Orders to read for probe numbers, given the orders read so far."""

    def probes(self, details: Mapping[int, Mapping[str, Any]]) -> Mapping[str, str]:
        """Probe numbers (by status) to check along with the creates' numbers."""

    def unseen(
        self, details: Mapping[int, Mapping[str, Any]], answers: Mapping[str, bool]
    ) -> Iterable[int]:
        """Orders to read because the check's answers do not speak for them."""

    def suspects(
        self, details: Mapping[int, Mapping[str, Any]], answers: Mapping[str, bool]
    ) -> Iterable[str]:
        """Numbers whose holder, if any, to look up (in this order)."""


def fetch_live(
    client: PortingClient,
    reads: LiveReads,
    *,
    now: datetime | None = None,
    digests_early: bool = True,
) -> LiveSnapshot:
    """Read what `reads` asks for, and nothing more; only reads (plus one portability check).

    Calls: the order list (pages of 1,000), details of the orders `reads` names (in
    parallel), `availableActivations` of the orders it names, one batched portability check
    for the numbers it names (none when it names none) and the configuration. When numbers
    are checked, `reads.taken` may add a GET per order status for probe numbers (checked in
    the same batch), GETs of orders the answers do not speak for, and lookups of the holders
    of numbers answered not portable (`reconciler.planning.taken`).

    With `digests_early` the managed orders' `essence.numbers_digest` is worked out as each
    arrives (`LiveSnapshot.number_digests`), while the other reads are in flight.
    """
    start = _total_calls(client)  # before the configuration read goes out
    with client.alongside(client.get_configuration) as configuration:
        snapshot = _fetch(client, reads, configuration, now=now, digests_early=digests_early)
    return replace(snapshot, api_calls=_total_calls(client) - start)


def _fetch(
    client: PortingClient,
    reads: LiveReads,
    configuration: Callable[[], Configuration | None],
    *,
    now: datetime | None,
    digests_early: bool,
) -> LiveSnapshot:
    """`fetch_live`, with the configuration read alongside the others (`configuration`
    waits for it); its `api_calls` are left for the caller to count."""
    listed_at = monotonic()
    rows = [live_summary(r) for r in client.list_orders(page_size=MAX_PAGE_SIZE)]
    listing = reads.listing(rows)
    digests: dict[int, bytes | None] = {}
    details = _read(client, reads.details(listing), digests if digests_early else None)
    by_id = {row.id: row for row in listing.rows}
    activations = _available_activations(client, list(reads.activations(listing)))
    check = reads.taken(listing)
    held: dict[str, int] = {}
    occupied: dict[str, LiveOrderSummary] = {}
    numbers: list[str] = []
    if check is not None:  # else nothing may be created: whose numbers are whose is moot
        held, occupied = _holders(details, by_id)
        numbers = _to_check(reads, listing, held, occupied)
    if not numbers:
        check = None
    if check is not None and (probe_orders := list(check.probe_orders(details))):
        details.update(_read(client, probe_orders))
        held, occupied = _holders(details, by_id)
        numbers = _to_check(reads, listing, held, occupied)
    probes = set(check.probes(details).values()) if check is not None and numbers else set()
    answers = {
        p.phone_number: (p.portable, p.reason or "")
        for p in (client.check_portability(sorted({*numbers, *probes})) if numbers else [])
    }
    not_looked_up: frozenset[str] = frozenset()
    if check is not None and numbers:
        portable = {number: answer[0] for number, answer in answers.items()}
        not_looked_up = _find_holders(client, check, details, by_id, portable)
        held, occupied = _holders(details, by_id)
    portability = {n: answers[n] for n in numbers if n in answers}
    found = configuration()
    return LiveSnapshot(
        managed=listing.managed,
        details=details,
        orphans=listing.orphans,
        configuration=found.raw if found is not None else None,
        available_activations=activations,
        portability=portability,
        held_numbers=held,
        occupied_numbers=occupied,
        holders_not_looked_up=not_looked_up,
        number_digests=digests,
        fetched_at=now or client.server_time or datetime.now(UTC),
        listed_at=listed_at,
    )


HOLDER_CANDIDATES = 5
"""Open or canceling orders one number lookup may name: a number is on one at most (the API
refuses a second), plus any that dropped it. More means the `phoneNumber` filter was not
applied, and the lookups stop rather than read the whole account."""


def _read(
    client: PortingClient,
    ids: Iterable[int],
    digests: dict[int, bytes | None] | None = None,
) -> dict[int, Mapping[str, Any]]:
    """Details of `ids` (in parallel), as the API's JSON; with `digests`, each order's
    `essence.numbers_digest` goes into it as the order arrives (`LiveSnapshot.number_digests`)."""
    if digests is None:
        return {i: order.raw for i, order in client.get_orders(ids).items()}

    def keep(order: Order) -> None:
        digests[order.id] = numbers_digest(order.raw)  # a dict item set: atomic in CPython

    return {i: order.raw for i, order in client.get_orders(ids, each=keep).items()}


def _to_check(
    reads: LiveReads,
    listing: Listing,
    held: Mapping[str, int],
    occupied: Mapping[str, LiveOrderSummary],
) -> list[str]:
    """The numbers `reads` wants checked, given those the orders read so far hold."""
    taken = {**held, **{number: row.id for number, row in occupied.items()}}
    return list(reads.portability(listing, taken))


def _holders(
    details: Mapping[int, Mapping[str, Any]], by_id: Mapping[int, LiveOrderSummary]
) -> tuple[dict[str, int], dict[str, LiveOrderSummary]]:
    """Numbers on the canceling orders read (-> order id) and on the open ones, unless
    dropped there (-> that order, the lowest id)."""
    held = {
        str(n.get("phoneNumber")): order_id
        for order_id, order in details.items()
        if is_canceling(order.get("status"))
        for n in order.get("phoneNumbers") or ()
    }
    occupied = {
        str(n.get("phoneNumber")): by_id[order_id]
        for order_id, order in sorted(details.items(), reverse=True)
        if order_id in by_id and is_open(order_status(order.get("status")))
        for n in order.get("phoneNumbers") or ()
        if not is_number_dropped(n.get("status"))
    }
    return held, occupied


def _find_holders(
    client: PortingClient,
    check: TakenCheck,
    details: dict[int, Mapping[str, Any]],
    by_id: dict[int, LiveOrderSummary],
    answers: Mapping[str, bool],
) -> frozenset[str]:
    """Read what the portability answers leave unknown: unread orders of the statuses the check
    does not see, and the holders of numbers answered not portable (the list's `phoneNumber`
    filter names candidates, their details confirm; at most `check.lookup_cap` lookups).
    `details` and `by_id` gain what was read; returns the numbers not looked up."""
    details.update(_read(client, check.unseen(details, answers)))
    held, occupied = _holders(details, by_id)
    skipped: list[str] = []
    lookups = 0
    for number in check.suspects(details, answers):
        if number in held or number in occupied:
            continue
        if lookups >= check.lookup_cap:
            skipped.append(number)
            continue
        lookups += 1
        candidates = [
            row
            for row in map(live_summary, client.list_orders(phone_number=number))
            if (is_open(row.status) or is_canceling(row.status)) and row.id not in details
        ]
        if len(candidates) > HOLDER_CANDIDATES:
            lookups = check.lookup_cap
            skipped.append(number)
            continue
        if candidates:
            for row in candidates:
                by_id.setdefault(row.id, row)
            details.update(_read(client, [row.id for row in candidates]))
            held, occupied = _holders(details, by_id)
            if not any(check.suspects(details, answers)):
                break  # every order that could hold a number is read: the rest are known
    return frozenset(skipped)
