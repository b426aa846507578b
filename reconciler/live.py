"""The live side of a plan: a read-only, immutable snapshot of what the Porting API holds.

`LiveSnapshot` is plain data so that the pure core (diff, plan, render) can be tested on
constructed values; `fetch_live` fills it through the API client with only reads (the batched
portability check is the one POST, and it changes nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

TERMINAL_STATUSES: frozenset[str] = frozenset({"COMPLETED", "CANCELED"})
PENDING_CANCELATION = "PENDING_CANCELATION"

_EMPTY: Mapping[Any, Any] = MappingProxyType({})


@dataclass(frozen=True)
class LiveOrderSummary:
    """An order as the list endpoint shows it: enough to decide whether details are needed."""

    id: int
    reference: str
    status: str
    created_date: str = ""

    @property
    def terminal(self) -> bool:
        """COMPLETED or CANCELED: nothing can change any more."""
        return self.status in TERMINAL_STATUSES


@dataclass(frozen=True)
class LiveSnapshot:
    """What the API holds for the specs being planned, read once at plan time."""

    managed: Mapping[str, tuple[LiveOrderSummary, ...]] = field(default=_EMPTY)
    """Summaries of every live order whose reference is a spec's, by reference."""
    details: Mapping[int, Mapping[str, Any]] = field(default=_EMPTY)
    """Full order dicts (API JSON shape) of non-terminal managed orders (and pruned orphans)."""
    orphans: tuple[LiveOrderSummary, ...] = ()
    """Live orders whose reference starts with the non-empty prefix but match no spec."""
    configuration: Mapping[str, Any] | None = None
    available_activations: Mapping[int, tuple[str, ...]] = field(default=_EMPTY)
    """Group names offered for activation, for CONFIRMED on-demand orders that want it."""
    portability: Mapping[str, tuple[bool, str]] = field(default=_EMPTY)
    """number -> (portable, reason), for the numbers of orders to be created."""
    held_numbers: Mapping[str, int] = field(default=_EMPTY)
    """Numbers on PENDING_CANCELATION orders (they cannot be resubmitted yet) -> order id."""
    fetched_at: datetime | None = None
    api_calls: int = 0
