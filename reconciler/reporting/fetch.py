"""Live reads for the reports: the plan's reads plus the details a report shows.

A plan reads details only of orders it can act on; a report also wants the numbers, FOC
dates and notes of completed, canceled and canceling orders (the current order of each spec)
and the numbers of open orphans. Only GETs are added, so `drift` and `status` stay
read-only. The extra details go into the snapshot's `details`, which `build_plan` only
consults for the orders it reads anyway (and for orphans, to list their numbers).

Finished (COMPLETED or CANCELED) orders still need a GET each: the lifecycle section shows
their numbers by status, FOC range, port date, activation groups and carrier notes, and the
list row has only counts (`phoneNumberQuantity`, ...), no dates, groups or notes. What the
report keeps of them is cut down to what `reporting.facts` reads (`report_fields`), read a
chunk at a time, so a mature repository (most orders finished) does not hold every finished
order in full, twice (model and JSON), at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from reconciler.api import PortingClient
from reconciler.desired import DesiredState
from reconciler.lifecycle import current_order, is_locked, is_terminal, open_orders
from reconciler.live import Listing, LiveSnapshot, fetch_live
from reconciler.planning.reads import PlanReads

FINISHED_CHUNK = 500
"""Finished orders read (and cut down) per batch: enough to keep every parallel read busy."""

_NUMBER_FIELDS = ("phoneNumber", "status", "focDate", "phoneNumberGroup", "rejectReason")
_NOTE_FIELDS = ("note", "createdTime", "createdBy")


@dataclass(frozen=True)
class ReportReads(PlanReads):
    """`PlanReads`, plus details of each spec's current order and of open orphans.

    `details` leaves out finished current orders the plan does not read itself:
    `fetch_report_live` reads those afterwards, in chunks, keeping only `report_fields`."""

    def details(self, listing: Listing) -> list[int]:
        """The plan's, each spec's unfinished current order, and orphans not being canceled."""
        current = {
            summary.id
            for order in self.desired.orders
            for summary in current_order(listing.managed.get(order.reference, ()))
            if not is_terminal(summary.status)
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


def report_fields(order: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a finished order `reporting.facts.order_facts` reads (status, numbers with
    status, FOC date, group and reject reason, the desired port date, notes); nothing else,
    so no secret of the order (PIN, account number) is kept either."""
    schedule = order.get("desiredPortSchedule") or {}
    return {
        "id": order.get("id"),
        "status": order.get("status"),
        "desiredPortSchedule": {"desiredPortDate": schedule.get("desiredPortDate")},
        "phoneNumbers": [
            {k: n[k] for k in _NUMBER_FIELDS if k in n}
            for n in order.get("phoneNumbers") or ()
            if isinstance(n, Mapping)
        ],
        "notes": [
            {k: n[k] for k in _NOTE_FIELDS if k in n}
            for n in order.get("notes") or ()
            if isinstance(n, Mapping)
        ],
    }


def _finished(desired: DesiredState, live: LiveSnapshot) -> list[int]:
    """Finished current orders of the specs that no read so far brought in."""
    return sorted(
        {
            summary.id
            for order in desired.orders
            for summary in current_order(live.managed.get(order.reference, ()))
            if is_terminal(summary.status) and summary.id not in live.details
        }
    )


def fetch_report_live(
    client: PortingClient, desired: DesiredState, *, now: datetime | None = None
) -> LiveSnapshot:
    """The live state drift and status report on (reads only)."""
    # drift reads every finished order too: a numbers digest of each as it arrives would be
    # work for nothing (only the comparison of open orders uses them)
    live = fetch_live(client, ReportReads(desired), now=now, digests_early=False)
    finished = _finished(desired, live)
    if not finished:
        return live
    calls = sum(client.calls.values())
    details = dict(live.details)
    for start in range(0, len(finished), FINISHED_CHUNK):
        chunk = finished[start : start + FINISHED_CHUNK]
        details.update({i: report_fields(o.raw) for i, o in client.get_orders(chunk).items()})
    return replace(
        live, details=details, api_calls=live.api_calls + sum(client.calls.values()) - calls
    )
