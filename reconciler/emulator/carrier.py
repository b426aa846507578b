"""Which fake losing carrier owns a number, how numbers form activation groups, and time maths.

The carrier is derived from the area code (NPA) and the emulator seed, so one number always has
the same carrier in one world. Groups are per losing carrier, split into chunks of
`group_size`, named like Sinch's example `GW Verizon Grp1` (no characters that need escaping
beyond the spaces).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from reconciler.emulator.validation import SYSTEM_PORT_TIME, SYSTEM_PORT_ZONE, TIME_ZONES

US_CARRIERS = ("Verizon", "ATT", "TMobile", "Lumen", "Frontier", "Windstream")
CA_CARRIERS = ("Bell", "Rogers", "Telus")


def carrier_for(number: str, region: str, seed: int) -> str:
    """The deterministic fake carrier of a +1 number."""
    npa = int(number[2:5]) if len(number) >= 5 and number[2:5].isdigit() else 0
    pool = CA_CARRIERS if region == "CA" else US_CARRIERS
    return pool[(npa + seed) % len(pool)]


def assign_groups(
    numbers: Iterable[tuple[str, str]], *, seed: int, group_size: int
) -> dict[str, str]:
    """Map each (number, region) to its group name, in order of appearance within each carrier."""
    counts: dict[str, int] = {}
    out: dict[str, str] = {}
    for number, region in numbers:
        carrier = carrier_for(number, region, seed)
        index = counts.get(carrier, 0)
        counts[carrier] = index + 1
        out[number] = f"GW {carrier} Grp{index // max(group_size, 1) + 1}"
    return out


def add_business_days(moment: datetime, days: int) -> datetime:
    """`moment` plus `days` weekdays (Saturday and Sunday skipped), same time of day."""
    result = moment
    remaining = days
    while remaining > 0:
        result += timedelta(days=1)
        if result.weekday() < 5:
            remaining -= 1
    while result.weekday() >= 5:
        result += timedelta(days=1)
    return result


def port_moment(port_date: date, schedule: dict[str, str], fallback: dict[str, str]) -> datetime:
    """The aware instant of `port_date` at the order's port time in its port zone."""
    at = schedule.get("desiredPortTime") or fallback.get("defaultPortTime") or SYSTEM_PORT_TIME
    zone = (
        schedule.get("desiredPortTimeZone")
        or fallback.get("defaultPortTimeZone")
        or SYSTEM_PORT_ZONE
    )
    return datetime.combine(port_date, time.fromisoformat(at), tzinfo=TIME_ZONES[zone])
