"""Which live orders a plan needs read: decided here, carried out by `reconciler.live`.

The decision table (`build`) only looks at what it needs, so what it needs is a planning rule
too: details of the orders a plan can act on, `availableActivations` of orders that want
activating, portability of the numbers of orders to be created, and how to find those
numbers on orders not read (`reconciler.planning.taken`). Keeping these rules next to the
table means a new case that looks at another order is one edit here, and `fetch_live` stays a
plain executor of the reads (list, details, activations, portability, lookups,
configuration) that a `PlanReads` asks for. Pure: decides from the order list and specs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from reconciler.desired import DesiredOrder, DesiredState
from reconciler.lifecycle import is_changeable, is_locked, open_orders, ported
from reconciler.live import Listing, LiveOrderSummary
from reconciler.planning.taken import TakenNumbers, calibratable, may_hold


def _wants_activation(order: DesiredOrder) -> bool:
    return (
        order.state == "active"
        and order.activation_mode == "on-demand"
        and (order.activation_when == "ready" or bool(order.activation_groups))
    )


@dataclass(frozen=True)
class PlanReads:
    """The reads `build_plan` needs for `desired` (with `prune`: PENDING orphans too)."""

    desired: DesiredState
    prune: bool = False
    _creates_of: list[tuple[Listing, tuple[DesiredOrder, ...]]] = field(
        default_factory=list, init=False, compare=False, repr=False
    )
    """`_creates` of the latest listing asked about (one plan asks three times: 10,000 specs
    were 20 ms a time; issue 12). Kept with the listing itself, compared by identity."""

    def listing(self, rows: Sequence[LiveOrderSummary]) -> Listing:
        """The listed orders sorted into the specs' (by reference) and orphans.

        Orphans carry the specs' non-empty reference prefix but match no spec; the API has
        no prefix filter, so the whole list is read and sorted here. When only some specs
        were loaded (`DesiredState.whole_project` false) there are no orphans: an order under
        the prefix may be a spec left out.
        """
        wanted = {o.reference for o in self.desired.orders}
        prefix = self.desired.reference_prefix if self.desired.whole_project else ""
        managed: dict[str, list[LiveOrderSummary]] = {}
        orphans: list[LiveOrderSummary] = []
        for row in rows:
            if row.reference in wanted:
                managed.setdefault(row.reference, []).append(row)
            elif prefix and row.reference.startswith(prefix):
                orphans.append(row)
        return Listing(
            rows=tuple(rows),
            managed={ref: tuple(group) for ref, group in managed.items()},
            orphans=tuple(sorted(orphans, key=lambda s: (s.reference, s.id))),
        )

    def _creates(self, listing: Listing) -> tuple[DesiredOrder, ...]:
        """Specs that want an order and have no open one, whose numbers are not ported
        already (`lifecycle.ported`: the plan says so, and creates nothing): the plan may
        create them."""
        if self._creates_of and self._creates_of[0][0] is listing:
            return self._creates_of[0][1]
        creates = tuple(
            o
            for o in self.desired.orders
            if o.state == "active"
            and not open_orders(group := listing.managed.get(o.reference, ()))
            and not ported(group)
        )
        self._creates_of[:] = [(listing, creates)]
        return creates

    def details(self, listing: Listing) -> list[int]:
        """Non-terminal managed orders; PENDING orphans under `--prune`; and when a create may
        be planned, the open or PENDING_CANCELATION orders of any reference whose numbers the
        portability check cannot be calibrated for (their list row counts REJECTED or
        ACTIVATED numbers, or does not say: `reconciler.planning.taken`). The others are
        found through the check (`taken`): the API refuses a create whose numbers are on
        one, so the plan blocks it first."""
        ids = [s.id for group in listing.managed.values() for s in group if not s.is_terminal]
        if self._creates(listing):
            ids += [s.id for s in listing.rows if may_hold(s.status) and not calibratable(s)]
        if self.prune:
            ids += [s.id for s in listing.orphans if is_changeable(s.status)]
        return sorted(set(ids))

    def taken(self, listing: Listing) -> TakenNumbers | None:
        """How the creates' numbers other orders hold are found (None when nothing may be
        created): a portability check calibrated by probe numbers, then lookups."""
        return TakenNumbers(listing) if self._creates(listing) else None

    def activations(self, listing: Listing) -> list[int]:
        """The one open, CONFIRMED order of each on-demand spec that wants activating."""
        return sorted(
            current[0].id
            for order in self.desired.orders
            if _wants_activation(order)
            and len(current := open_orders(listing.managed.get(order.reference, ()))) == 1
            and is_locked(current[0].status)
        )

    def portability(self, listing: Listing, held: Mapping[str, int]) -> list[str]:
        """Numbers of orders to create (unless already ported) that no order read so far
        holds. Checked number by number, not create by create: `held` is only what was read
        (`taken`), and a number an update of this plan frees must not keep the create's other
        numbers from being checked, and so found on orders not read."""
        return sorted({n for o in self._creates(listing) for n in o.phone_numbers if n not in held})
