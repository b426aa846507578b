"""Valid request bodies for client tests (fake PINs; 0000 is the carrier's known-bad PIN)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

END_USER = {
    "name": "Acme Corp",
    "streetNum": "123",
    "streetName": "Main",
    "streetType": "St",
    "city": "Chicago",
    "state": "IL",
    "zipCode": "60601",
    "typeOfService": "B",
}


def order_body(
    numbers: Sequence[str] = ("+13125550141",),
    *,
    reference: str = "gitops/acme",
    pin: str = "9731",
    on_demand: bool = False,
    port_date: str = "2026-11-20",
) -> dict[str, Any]:
    """A create/update body the API accepts, in the OpenAPI input shape."""
    return {
        "customerOrderReference": reference,
        "onDemandActivation": on_demand,
        "desiredPortSchedule": {
            "desiredPortDate": port_date,
            "desiredPortTime": "09:00:00",
            "desiredPortTimeZone": "US/Eastern",
        },
        "phoneNumbers": [
            {
                "phoneNumber": number,
                "endUser": dict(END_USER),
                "portOutInfo": {"existingPortOutPin": pin, "authorizingDate": "2026-11-01"},
                "voiceConfiguration": {"type": "EST", "trunkId": "123456"},
            }
            for number in numbers
        ],
    }
