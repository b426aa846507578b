"""Notices: what a reviewer should know about an order that is not an action.

Rejected and excluded numbers (with the carrier's reason: the fix is an edited spec), FOC
dates and port dates in the next seven days (traffic moves soon), completed orders whose
spec can be archived, secret fields the comparison could not compare.
Pure: `today` is injected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from reconciler.compare import Comparison
from reconciler.dates import calendar_date
from reconciler.lifecycle import NumberStatus, is_number_activated, number_status
from reconciler.planning.items import Notice

SOON = timedelta(days=7)

SECRETS_NOT_COMPARED = "secrets_not_compared"
"""Notice code: secret fields the comparison could not compare (`reconciler.compare`)."""

ORDER_COMPLETED = Notice("order_completed", "order completed; spec can be archived")


def _in_days(when: date, today: date) -> str:
    days = (when - today).days
    return "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"


def number_notices(order: Mapping[str, Any], *, today: date) -> tuple[Notice, ...]:
    """Rejections, exclusions and FOC dates within a week, from a live order's numbers."""
    notices: list[Notice] = []
    foc: dict[date, int] = defaultdict(int)
    for number in order.get("phoneNumbers") or ():
        e164 = str(number.get("phoneNumber", ""))
        status = number_status(number.get("status"))
        if status == NumberStatus.REJECTED:
            reason = number.get("rejectReason") or "no reason given"
            notices.append(Notice("number_rejected", f"{e164} rejected: {reason}", e164))
        elif status == NumberStatus.EXCLUDED:
            reason = number.get("exclusionReason") or "no reason given"
            notices.append(Notice("number_excluded", f"{e164} excluded: {reason}", e164))
        foc_date = calendar_date(number.get("focDate"))
        if foc_date and not is_number_activated(status) and today <= foc_date <= today + SOON:
            foc[foc_date] += 1
    for when in sorted(foc):
        count = foc[when]
        notices.append(
            Notice(
                "foc_soon",
                f"FOC {when.isoformat()} ({_in_days(when, today)}) "
                f"for {count} number{'s' if count != 1 else ''}",
            )
        )
    return tuple(notices)


def port_date_notice(order: Mapping[str, Any], *, today: date) -> tuple[Notice, ...]:
    """A notice when the desired port date is within the next seven days."""
    schedule = order.get("desiredPortSchedule") or {}
    when = calendar_date(schedule.get("desiredPortDate"))
    if when is None or not today <= when <= today + SOON:
        return ()
    return (Notice("port_date_soon", f"port date {when.isoformat()} is {_in_days(when, today)}"),)


def comparison_notices(compared: Comparison) -> tuple[Notice, ...]:
    """Secret fields the comparison of an order could not compare (`--secrets skip`, or an
    API that masks or omits them; docs/api-notes.md#what-we-assume-about-the-sinch-api).

    Server-normalised texts get no notice: they are reported once, by the apply whose re-read
    found them, and are equal from then on."""
    if not compared.not_compared:
        return ()
    return (Notice(SECRETS_NOT_COMPARED, f"not compared: {compared.not_compared_text()}"),)
