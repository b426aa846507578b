"""Live reads for the reports: the plan's snapshot plus the details lifecycle facts need.

`fetch_live` reads details only of orders a plan can act on; a report also wants the numbers,
FOC dates and notes of completed, canceled and canceling orders (the current order of each
spec). Only GETs are added here, so `drift` and `status` stay read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reconciler.api import PortingClient
from reconciler.desired import DesiredState
from reconciler.live import LiveSnapshot, fetch_live
from reconciler.reporting.lifecycle import current_order


@dataclass(frozen=True)
class ReportLive:
    """What a report reads: the plan's snapshot and the current orders' full details."""

    snapshot: LiveSnapshot
    details: Mapping[int, Mapping[str, Any]]


def fetch_report_live(
    client: PortingClient, desired: DesiredState, *, now: datetime | None = None
) -> ReportLive:
    """`fetch_live`, then the details of each spec's current order it did not read."""
    snapshot = fetch_live(client, desired, now=now)
    wanted = sorted(
        {
            summary.id
            for order in desired.orders
            for summary in current_order(snapshot.managed.get(order.reference, ()))
            if summary.id not in snapshot.details
        }
    )
    extra = {i: order.raw for i, order in client.get_orders(wanted).items()}
    return ReportLive(snapshot=snapshot, details={**snapshot.details, **extra})
