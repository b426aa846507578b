"""The one parser of the dates and date-times the Porting API sends.

The API writes a moment as a date (`2026-05-15`) or as an RFC 3339 date-time
(`2026-05-15T00:00:00.000Z`), and documents disagree on which one `focDate` is
(docs/api-notes.md#data-model). Every reader of a live date (the typed models, planning
notices, reports, the diff's normalisation) goes through `parse_moment`, so the forms accepted
are the same everywhere. Odd values never raise: live data must not crash a plan or a report.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def parse_moment(value: Any) -> datetime | date | None:
    """A date or a date-time from an API string; None for anything else."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        if "T" in text or " " in text:
            return datetime.fromisoformat(text)
        return date.fromisoformat(text)
    except ValueError:
        return None


def calendar_date(value: Any) -> date | None:
    """The calendar date an API date or date-time names, as written (no time-zone shift)."""
    moment = parse_moment(value)
    return moment.date() if isinstance(moment, datetime) else moment
