"""What day it is for the porting rules, decided in one place.

Sinch's porting desk and the losing carriers work on US Eastern time, so "today" for rules such
as "`authorizingDate` not in the future" is the date in America/New_York, not the machine's local
date or UTC. Tests and CI pin it with `PORTCTL_TODAY=YYYY-MM-DD` so that results never depend on
when they run.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
TODAY_ENV = "PORTCTL_TODAY"


def today_new_york(now: datetime | None = None) -> date:
    """The calendar date in America/New_York at `now` (an aware datetime; default: the clock)."""
    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("today_new_york needs an aware datetime")
    return moment.astimezone(NEW_YORK).date()


def cli_today(now: datetime | None = None) -> date:
    """Today for a CLI run: `PORTCTL_TODAY` when set (for reproducible runs), else the New York
    date at `now` (the API's clock when known: an emulator's virtual one), else at the machine's.
    """
    pinned = os.environ.get(TODAY_ENV, "").strip()
    if pinned:
        try:
            return date.fromisoformat(pinned)
        except ValueError as exc:
            raise ValueError(f"{TODAY_ENV} must be YYYY-MM-DD, got {pinned!r}") from exc
    return today_new_york(now)
