"""The live side of a plan: a read-only, immutable snapshot of what the Porting API holds.

`LiveSnapshot` is plain data so that the pure core (diff, plan, render) can be tested on
constructed values; `fetch_live` fills it through the API client with only reads (the batched
portability check is the one POST, and it changes nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from reconciler.desired import DesiredOrder, DesiredState
from reconciler.lifecycle import (
    OrderStatus,
    is_canceling,
    is_changeable,
    is_locked,
    is_open,
    is_terminal,
    open_orders,
    order_status,
    ported,
)

if TYPE_CHECKING:
    from reconciler.api import OrderSummary, PortingClient

MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class LiveOrderSummary:
    """An order as the list endpoint shows it: enough to decide whether details are needed."""

    id: int
    reference: str
    status: OrderStatus | str
    """Parsed by `reconciler.lifecycle.order_status` (an unknown status is kept as a string)."""
    created_date: str = ""

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
    fetched_at: datetime | None = None
    api_calls: int = 0


def _total_calls(client: PortingClient) -> int:
    """HTTP requests the client made so far (pages and retries included)."""
    return sum(client.calls.values())


def _wants_activation(order: DesiredOrder) -> bool:
    return (
        order.state == "active"
        and order.activation_mode == "on-demand"
        and (order.activation_when == "ready" or bool(order.activation_groups))
    )


def live_summary(row: OrderSummary) -> LiveOrderSummary:
    """A list row as `LiveOrderSummary` (status parsed, an unknown one kept as a string).

    Shared by `fetch_live` and the importer so both judge an order's state the same way."""
    return LiveOrderSummary(
        id=int(row.id),
        reference=row.customer_order_reference or "",
        status=order_status(row.status),
        created_date=str(row.raw.get("createdDate") or ""),
    )


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


def fetch_live(
    client: PortingClient,
    desired: DesiredState,
    *,
    prune: bool = False,
    now: datetime | None = None,
) -> LiveSnapshot:
    """Read what the plan needs, and nothing more; only reads (plus one portability check).

    Calls: the order list (pages of 1,000, filtered locally: the API has no prefix filter),
    the configuration, details of non-terminal managed orders in parallel (plus
    PENDING_CANCELATION orders when a create could collide with their numbers, and PENDING
    orphans under `--prune`), `availableActivations` of CONFIRMED on-demand orders that want
    activation, and one batched portability check for the numbers of orders to create.
    """
    start = _total_calls(client)
    rows = [live_summary(r) for r in client.list_orders(page_size=MAX_PAGE_SIZE)]
    wanted = {o.reference: o for o in desired.orders}
    managed: dict[str, list[LiveOrderSummary]] = {}
    orphans: list[LiveOrderSummary] = []
    prefix = desired.reference_prefix
    for row in rows:
        if row.reference in wanted:
            managed.setdefault(row.reference, []).append(row)
        elif prefix and row.reference.startswith(prefix):
            orphans.append(row)
    creates = [
        o
        for o in desired.orders
        if o.state == "active" and not open_orders(managed.get(o.reference, ()))
    ]
    ids = [s.id for group in managed.values() for s in group if not s.is_terminal]
    if creates:
        ids += [s.id for s in rows if is_canceling(s.status)]
    if prune:
        ids += [s.id for s in orphans if is_changeable(s.status)]
    details = {i: order.raw for i, order in client.get_orders(sorted(set(ids))).items()}
    held = {
        str(n.get("phoneNumber")): order_id
        for order_id, order in details.items()
        if is_canceling(order.get("status"))
        for n in order.get("phoneNumbers") or ()
    }
    offered_ids = sorted(
        current[0].id
        for order in desired.orders
        if _wants_activation(order)
        and len(current := open_orders(managed.get(order.reference, ()))) == 1
        and is_locked(current[0].status)
    )
    activations = _available_activations(client, offered_ids)
    numbers = sorted(
        {
            n
            for o in creates
            if not any(number in held for number in o.phone_numbers)
            and not ported(managed.get(o.reference, ()))
            for n in o.phone_numbers
        }
    )
    portability = {
        p.phone_number: (p.portable, p.reason or "")
        for p in (client.check_portability(numbers) if numbers else [])
    }
    configuration = client.get_configuration()
    return LiveSnapshot(
        managed={ref: tuple(group) for ref, group in managed.items()},
        details=details,
        orphans=tuple(sorted(orphans, key=lambda s: (s.reference, s.id))),
        configuration=configuration.raw if configuration is not None else None,
        available_activations=activations,
        portability=portability,
        held_numbers=held,
        fetched_at=now or client.server_time or datetime.now(UTC),
        api_calls=_total_calls(client) - start,
    )
