"""What the Sinch Porting API assumes when a request leaves something out, and its limits.

One place for these facts: the spec → body builder fills them in, the essence fills them in
on both sides so an omitted value and the API's default compare equal, the importer leaves
them out again, and the emulator (which keeps its own copy, being a stand-in for the API)
is checked against them by `tests/core/test_fieldmap.py`. See docs/api-notes.md#data-model.
"""

from __future__ import annotations

from typing import Literal, get_args

SYSTEM_PORT_TIME = "09:00:00"
"""desiredPortTime of an order that names none and whose project configuration has none."""
SYSTEM_PORT_TIME_ZONE = "US/Eastern"
"""desiredPortTimeZone likewise."""
DEFAULT_TYPE_OF_SERVICE = "B"
"""endUser.typeOfService when an end user names none (B: business)."""

PortTimeZone = Literal["US/Eastern", "US/Central", "US/Mountain", "US/Pacific"]
"""The port time zones a spec may name (the API also takes GMT, which no US or Canadian
carrier uses for a port; a live order in GMT imports with a warning)."""
PORT_TIME_ZONES: tuple[str, ...] = get_args(PortTimeZone)

MAX_PAGE_SIZE = 1000
"""Largest `pageSize` the order list accepts."""
