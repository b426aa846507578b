"""Live reads for the reports: the plan's reads plus the details a report shows.

A plan reads details only of orders it can act on; a report also wants the numbers, FOC
dates and notes of completed, canceled and canceling orders (the current order of each spec)
and the numbers of open orphans. Only GETs are added, so `drift` and `status` stay
read-only. The extra details go into the snapshot's `details`, which `build_plan` only
consults for the orders it reads anyway (and for orphans, to list their numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reconciler.api import PortingClient
from reconciler.desired import DesiredState
from reconciler.lifecycle import current_order, is_locked, open_orders
from reconciler.live import Listing, LiveSnapshot, fetch_live
from reconciler.planning.reads import PlanReads


@dataclass(frozen=True)
class ReportReads(PlanReads):
    """`PlanReads`, plus details of each spec's current order and of open orphans."""

    def details(self, listing: Listing) -> list[int]:
        """The plan's, the current order of each spec, and orphans not being canceled."""
        current = {
            summary.id
            for order in self.desired.orders
            for summary in current_order(listing.managed.get(order.reference, ()))
        }
        orphans = {s.id for s in listing.orphans if s.is_open}
        return sorted(set(super().details(listing)) | current | orphans)

    def activations(self, listing: Listing) -> list[int]:
        """The plan's, and every CONFIRMED order of an on-demand spec: `status` shows which
        of its groups are offered even when the spec approves none yet."""
        confirmed = {
            summary.id
            for order in self.desired.orders
            if order.activation_mode == "on-demand"
            for summary in open_orders(listing.managed.get(order.reference, ()))
            if is_locked(summary.status)
        }
        return sorted(set(super().activations(listing)) | confirmed)


def fetch_report_live(
    client: PortingClient, desired: DesiredState, *, now: datetime | None = None
) -> LiveSnapshot:
    """The live state drift and status report on (reads only)."""
    return fetch_live(client, ReportReads(desired), now=now)
