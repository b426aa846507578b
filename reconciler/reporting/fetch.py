"""Live reads for the reports: the plan's snapshot plus the details a report shows.

`fetch_live` reads details only of orders a plan can act on; a report also wants the numbers,
FOC dates and notes of completed, canceled and canceling orders (the current order of each
spec) and the numbers of open orphans. Only GETs are added, so `drift` and `status` stay
read-only. The extra details go into the snapshot's `details`, which `build_plan` only
consults for the orders it reads anyway (and for orphans, to list their numbers).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from reconciler.api import PortingClient
from reconciler.desired import DesiredState
from reconciler.lifecycle import current_order
from reconciler.live import LiveSnapshot, fetch_live


def fetch_report_live(
    client: PortingClient, desired: DesiredState, *, now: datetime | None = None
) -> LiveSnapshot:
    """`fetch_live`, plus details of each spec's current order and of open orphans."""
    snapshot = fetch_live(client, desired, now=now)
    current = {
        summary.id
        for order in desired.orders
        for summary in current_order(snapshot.managed.get(order.reference, ()))
    }
    orphans = {s.id for s in snapshot.orphans if s.is_open}
    wanted = sorted((current | orphans) - set(snapshot.details))
    extra = {i: order.raw for i, order in client.get_orders(wanted).items()}
    return replace(snapshot, details={**snapshot.details, **extra})
