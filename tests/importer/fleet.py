"""A fleet of live orders as a team that never used portctl would have them.

Orders are created straight through the API client with hand-written bodies and arbitrary
references (valid spec names, names with dots and underscores, references no spec can carry,
a reference reused after a cancel), with varied data: shared or per-number PINs, per-number
end-user exceptions, RTC/EST/FAX voice, e911, SMS, a new port-out PIN, on-demand activation,
Canadian numbers with a reseller. Then carriers answer and the clock moves, leaving orders in
every status: COMPLETED, CANCELED, PENDING_CANCELATION, CONFIRMED, PENDING, rejected numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from reconciler.api import Order
from tests.drift.world import ReportWorld

NPAS = ("312", "415", "212", "617", "416", "604")
CANADIAN = frozenset({"416", "604"})
LATER = "2026-12-20"


@dataclass
class Fleet:
    """The orders created, by reference, and the ones no spec can adopt."""

    orders: dict[int, Order] = field(default_factory=dict)
    unadoptable: set[int] = field(default_factory=set)
    superseded: set[int] = field(default_factory=set)


def _numbers() -> Iterator[str]:
    for i in range(100, 200):
        for npa in NPAS:
            yield f"+1{npa}555{i:04d}"


def order_body(reference: str, numbers: list[str], variant: int, port_date: str) -> dict[str, Any]:
    """A hand-written create body; `variant` picks which optional features it uses."""
    voice = [
        {"type": "EST", "trunkId": f"trunk-{variant % 3}"},
        {"type": "RTC", "appId": "ivr-main"},
        {"type": "FAX", "serviceId": "fax-1"},
    ][variant % 3]
    entries: list[dict[str, Any]] = []
    for index, number in enumerate(numbers):
        entry: dict[str, Any] = {
            "phoneNumber": number,
            "endUser": {
                "name": f"Customer {variant}" if index or variant % 4 else "Front Desk",
                "streetNum": str(100 + variant),
                "streetName": "Main",
                "streetType": "St",
                "city": "Springfield",
                "state": "ON" if number[2:5] in CANADIAN else "IL",
                "zipCode": "02111" if variant % 2 else "60606",
                "typeOfService": "R" if variant % 5 == 0 and index == 0 else "B",
            },
            "portOutInfo": {
                "existingPortOutPin": f"PIN{variant:02d}{index if variant % 3 == 0 else 0}",
                "accountNum": f"ACCT-{variant:03d}",
                "authorizingName": "Pat Doe",
                "authorizingDate": "2026-11-20",
            },
            "voiceConfiguration": voice if index != 1 else {"type": "RTC", "appId": "ivr-2"},
        }
        if variant % 4 == 1:
            entry["features"] = {
                "e911": {
                    "name": f"Customer {variant}",
                    "streetNum": "1",
                    "streetInfo": "Main St",
                    "location": "Lobby" if index == 0 else "Floor 2",
                    "city": "Springfield",
                    "state": "IL",
                    "postalCode": "60606",
                }
            }
        if variant % 6 == 2:
            entry["smsConfiguration"] = {"smsAppId": "sms-app"}
        if variant % 7 == 3 and index == 0:
            entry["newPortOutPin"] = f"NEWPIN{variant:02d}"
        entries.append(entry)
    body: dict[str, Any] = {
        "customerOrderReference": reference,
        "onDemandActivation": variant % 5 == 4,
        "desiredPortSchedule": {"desiredPortDate": port_date},
        "phoneNumbers": entries,
    }
    if variant % 3 == 1:
        body["desiredPortSchedule"].update(
            desiredPortTime="14:30:00", desiredPortTimeZone="US/Pacific"
        )
    if variant % 2 == 0:
        body["loaUploadedBy"] = "Pat Doe"
        body["loaAttachmentDate"] = "2026-11-19"
    if any(n[2:5] in CANADIAN for n in numbers):
        body["resellerName"] = "Maple Resale"
    return body


def build_fleet(world: ReportWorld) -> Fleet:
    """31 orders in every status (the clock ends two days after START)."""
    fleet = Fleet()
    numbers = _numbers()
    variant = 0

    def make(reference: str, count: int, port_date: str = LATER) -> Order:
        nonlocal variant
        variant += 1
        body = order_body(reference, [next(numbers) for _ in range(count)], variant, port_date)
        order = world.create_raw(body)
        fleet.orders[order.id] = order
        return order

    # Before the clock moves: orders that will complete or finish canceling.
    for i in range(4):
        world.confirm(make(f"done-{i}", 2 + i % 2, "2026-11-27"), "2026-11-27")
    for i in range(3):
        world.cancel(make(f"gone-{i}", 1))
    reused = make("legacy-dup", 1)
    world.cancel(reused)
    fleet.superseded.add(reused.id)
    world.advance(2)
    world.monkeypatch.setenv("PORTCTL_TODAY", "2026-11-28")

    # After: open orders, in every state a team meets.
    for i in range(8):
        make(f"crm-{4400 + i}", 1 + i % 4)
    for i in range(5):
        world.confirm(make(f"site.{i}_confirmed", 2))
    for i in range(3):
        order = make(f"rejected-{i}", 2)
        world.emu.reject_group(order.id, world.groups(order)[0], "Invalid port-out PIN")
    for i in range(2):
        world.cancel(make(f"canceling-{i}", 1))
    make("legacy-dup", 2)
    make("toronto-office", 3)
    for reference in ("Legacy Ticket #9", "", "UPPER-case"):
        fleet.unadoptable.add(make(reference, 1).id)
    return fleet
