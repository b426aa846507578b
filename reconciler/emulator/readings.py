"""What the server does to an order on its way in (storage) and out (answers), per variant.

Storage: the variant `normalise` rewrites texts the way a server that cleans its input would
(`upper-city`, `squash-space`), and the carrier-validated e911 copies (`features.e911.enh*`,
read-only in the OpenAPI document) are filled from the address the request gave, upper-cased as
an address validator returns it. Answers: the variant `secrets-on-read` masks or drops port-out
PINs and account numbers, and `portability-open-orders` decides which orders holding a number
the portability check looks at. Pure functions on the wire-shaped dicts.
"""

from __future__ import annotations

import copy
import re
from typing import Any

SECRET_KEYS = ("existingPortOutPin", "accountNum")
"""Secrets inside `portOutInfo`."""
NUMBER_SECRET_KEYS = ("newPortOutPin",)
"""Secrets directly on a number."""
MASK = "****"

E911_COPIES = {
    "streetNum": "enhStreetNum",
    "streetInfo": "enhStreetInfo",
    "location": "enhLocation",
    "city": "enhCity",
    "state": "enhState",
    "postalCode": "enhPostalCode",
    "postalCodePlusFour": "enhPostalCodePlusFour",
}
"""e911 input field -> its validated read-only copy (OpenAPI `features.e911.enh*`)."""

_BLANKS = re.compile(r"\s+")


def squash(text: str) -> str:
    """Runs of blanks become one space; leading and trailing blanks go."""
    return _BLANKS.sub(" ", text).strip()


def normalise_text(text: str, mode: str) -> str:
    """A free text (note, document name) as the server stores it under `normalise=mode`."""
    return squash(text) if mode == "squash-space" else text


def _rewrite(fields: dict[str, Any], mode: str) -> None:
    for key, value in list(fields.items()):
        if not isinstance(value, str):
            continue
        if mode == "upper-city" and key == "city":
            fields[key] = value.upper()
        elif mode == "squash-space":
            fields[key] = squash(value)


def store_numbers(numbers: list[dict[str, Any]], mode: str) -> None:
    """Rewrite each number's addresses as stored, and fill the validated e911 copies."""
    for number in numbers:
        for key in ("endUser",):
            if isinstance(number.get(key), dict):
                _rewrite(number[key], mode)
        e911 = (number.get("features") or {}).get("e911")
        if isinstance(e911, dict):
            _rewrite(e911, mode)
            for source, copy_key in E911_COPIES.items():
                if isinstance(e911.get(source), str):
                    e911[copy_key] = e911[source].upper()


def answer_order(order: dict[str, Any], secrets: str) -> dict[str, Any]:
    """The order as an answer shows it under `secrets-on-read=secrets` (a copy when changed)."""
    if secrets == "return":
        return order
    out = copy.deepcopy(order)
    for number in out.get("phoneNumbers") or ():
        _hide(number, NUMBER_SECRET_KEYS, secrets)
        if isinstance(number.get("portOutInfo"), dict):
            _hide(number["portOutInfo"], SECRET_KEYS, secrets)
    return out


def _hide(fields: dict[str, Any], keys: tuple[str, ...], secrets: str) -> None:
    for key in keys:
        if key in fields:
            if secrets == "omit":
                del fields[key]
            else:
                fields[key] = MASK


CHECK_SEES_NUMBERS = ("PENDING", "CONFIRMED")
"""Number statuses the portability check sees under `portability-open-orders=waiting-only`."""


def check_sees(order: dict[str, Any], number: str, mode: str) -> bool:
    """Whether the portability check, under `portability-open-orders=mode`, reports `number`
    as taken by `order` (a live order that holds it: the create's 422 is not affected)."""
    if mode == "ignore":
        return False
    if mode == "ignore-canceling":
        return bool(order["status"] != "PENDING_CANCELATION")
    if mode == "waiting-only":
        return any(
            n["phoneNumber"] == number and n["status"] in CHECK_SEES_NUMBERS
            for n in order["phoneNumbers"]
        )
    return True
