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
from reconciler.lifecycle import current_order
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


def fetch_report_live(
    client: PortingClient, desired: DesiredState, *, now: datetime | None = None
) -> LiveSnapshot:
    """The live state drift and status report on (reads only)."""
    return fetch_live(client, ReportReads(desired), now=now)
