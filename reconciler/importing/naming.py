"""Names for imported specs and for the variables their secrets will come from.

A spec's identity is `referencePrefix + metadata.name` (docs/design.md#spec-format), so an imported
spec only manages its live order when the order's reference, minus the prefix, already *is* a valid
spec name. `adoptable_name` says whether it is; `derived_name` is the best name otherwise
(slug of the reference, or `order-<id>`), used to explain why an order cannot be adopted as
it stands. Secret variable names are derived from the spec name so that a reviewer can tell
which order a variable belongs to.
"""

from __future__ import annotations

import re

NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")
MAX_NAME = 100

SECRET_SUFFIXES: dict[str, str] = {
    "existingPortOutPin": "PORT_PIN",
    "accountNum": "ACCOUNT",
    "newPortOutPin": "NEW_PORT_PIN",
}
"""Secret field -> variable suffix (`ACME_HQ_PORT_PIN`)."""


def adoptable_name(reference: str, prefix: str) -> str | None:
    """The spec name whose reference is exactly `reference`, or None if there is none."""
    if not reference.startswith(prefix):
        return None
    name = reference[len(prefix) :]
    if len(name) <= MAX_NAME and NAME.fullmatch(name):
        return name
    return None


def derived_name(reference: str, prefix: str, order_id: int) -> str:
    """A valid spec name for the order: the slug of its reference, else `order-<id>`."""
    base = reference[len(prefix) :] if reference.startswith(prefix) else reference
    slug = re.sub(r"[^a-z0-9._-]+", "-", base.lower()).strip("-._")[:MAX_NAME]
    return slug if slug and NAME.fullmatch(slug) else f"order-{order_id}"


def variable_stem(name: str) -> str:
    """`acme-hq.main` -> `ACME_HQ_MAIN` (a valid environment variable stem)."""
    stem = re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")
    return stem if stem and not stem[0].isdigit() else f"ORDER_{stem}"


def secret_variable(name: str, field: str, number: str | None = None) -> str:
    """`ACME_HQ_PORT_PIN`, or `ACME_HQ_PORT_PIN_3125550142` for one number's own value."""
    variable = f"{variable_stem(name)}_{SECRET_SUFFIXES[field]}"
    return f"{variable}_{number.removeprefix('+1')}" if number else variable
