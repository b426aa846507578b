"""The lifecycle vocabulary: order and number statuses, and what each one allows.

This is the one module of the product that spells the API's status names (see
docs/api-notes.md#statuses); everything else compares against these enums or asks these
predicates, so a status the API adds or renames is a change here only (a test keeps it so).

The API may send statuses it never documented. They are kept as upper-cased strings, never an
error: `order_status("Archived")` is the plain string `"ARCHIVED"`, which no predicate below
accepts, so planning treats the order as `blocked/unknown_status` and nothing is changed.
Statuses are compared case-insensitively (one rendered doc example writes "Activated").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Protocol, TypeVar


class OrderStatus(StrEnum):
    """Order statuses known today, in lifecycle order."""

    ORDER_BUILDING = "ORDER_BUILDING"
    """Being created by Sinch: nothing can be done yet."""
    PENDING = "PENDING"
    """Can be updated (PUT) and canceled (DELETE)."""
    CONFIRMED = "CONFIRMED"
    """Locked: no update, no cancel; an on-demand order can be activated."""
    COMPLETED = "COMPLETED"
    """Ported: the numbers are active at Sinch."""
    PENDING_CANCELATION = "PENDING_CANCELATION"
    """Being canceled: its numbers cannot be resubmitted until it is CANCELED."""
    CANCELED = "CANCELED"
    """Canceled by the customer or by Sinch."""


class NumberStatus(StrEnum):
    """Per-number statuses known today, in the order reports list them."""

    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    """The losing carrier gave an FOC date."""
    ACTIVATED = "ACTIVATED"
    REJECTED = "REJECTED"
    """Not portable or wrong port-out information; see `rejectReason`."""
    EXCLUDED = "EXCLUDED"
    """Left out of the port; see `exclusionReason`."""
    CANCELED = "CANCELED"


UNKNOWN = "UNKNOWN"
"""What a missing or empty status reads as: a status no predicate accepts."""

CHANGEABLE: frozenset[str] = frozenset({OrderStatus.PENDING})
"""Order statuses that allow an update (PUT) or a cancel (DELETE)."""
ACTIVATABLE: frozenset[str] = frozenset({OrderStatus.CONFIRMED})
"""Order statuses that allow activating offered groups (on-demand orders)."""
_TERMINAL: frozenset[str] = frozenset({OrderStatus.COMPLETED, OrderStatus.CANCELED})
_ENDED_OR_ENDING: frozenset[str] = _TERMINAL | {OrderStatus.PENDING_CANCELATION}
_CANCELED_OR_CANCELING: frozenset[str] = frozenset(
    {OrderStatus.CANCELED, OrderStatus.PENDING_CANCELATION}
)


_E = TypeVar("_E", bound=StrEnum)


def _parse(enum: type[_E], value: object) -> _E | str:
    text = str(value or "").strip().upper() or UNKNOWN
    try:
        return enum(text)
    except ValueError:
        return text


_ORDER_STATUSES: dict[str, OrderStatus] = {s.value: s for s in OrderStatus}
_NUMBER_STATUSES: dict[str, NumberStatus] = {s.value: s for s in NumberStatus}
"""Statuses spelled as the API spells them (or already parsed: a member is a str of its value)
-> the member, without the general parse: a plan of 10,000 orders asks about each one's status
several times (issue 12)."""


def order_status(value: object) -> OrderStatus | str:
    """An order status as the API sent it (any case, or missing) -> the enum, or the
    upper-cased string when it is not a status portctl knows."""
    if isinstance(value, str) and (known := _ORDER_STATUSES.get(value)) is not None:
        return known
    return _parse(OrderStatus, value)


def number_status(value: object) -> NumberStatus | str:
    """A number status as the API sent it -> the enum, or the upper-cased unknown string."""
    if isinstance(value, str) and (known := _NUMBER_STATUSES.get(value)) is not None:
        return known
    return _parse(NumberStatus, value)


# -- order predicates (each takes a status as sent or as parsed) ------------------------------


def is_known(status: object) -> bool:
    """A status portctl has rules for (anything else is `blocked/unknown_status`)."""
    return isinstance(order_status(status), OrderStatus)


def is_building(status: object) -> bool:
    """Sinch is still creating the order: wait."""
    return order_status(status) == OrderStatus.ORDER_BUILDING


def is_changeable(status: object) -> bool:
    """The order can still be updated or canceled (PENDING)."""
    return order_status(status) in CHANGEABLE


def is_locked(status: object) -> bool:
    """The order is confirmed: changes and cancels are refused, activation is allowed."""
    return order_status(status) in ACTIVATABLE


def is_completed(status: object) -> bool:
    """The port is done."""
    return order_status(status) == OrderStatus.COMPLETED


def is_canceling(status: object) -> bool:
    """A cancel is in progress; the order still holds its numbers."""
    return order_status(status) == OrderStatus.PENDING_CANCELATION


def is_terminal(status: object) -> bool:
    """Nothing can change any more (COMPLETED or CANCELED)."""
    return order_status(status) in _TERMINAL


def is_canceled_or_canceling(status: object) -> bool:
    """A cancel happened or is under way: the order will never port."""
    return order_status(status) in _CANCELED_OR_CANCELING


def is_open(status: object) -> bool:
    """Neither terminal nor being canceled: the order a spec's reference points at (unknown
    and still-building statuses count as open, so that they block rather than duplicate)."""
    return order_status(status) not in _ENDED_OR_ENDING


# -- number predicates ------------------------------------------------------------------------

_DROPPED: frozenset[str] = frozenset({NumberStatus.EXCLUDED, NumberStatus.CANCELED})
_SETTLED: frozenset[str] = frozenset({NumberStatus.ACTIVATED, NumberStatus.CANCELED})


def is_number_activated(status: object) -> bool:
    """The number ported."""
    return number_status(status) == NumberStatus.ACTIVATED


def is_number_dropped(status: object) -> bool:
    """The number left the port (excluded or canceled): activation does not wait for it."""
    return number_status(status) in _DROPPED


def is_number_settled(status: object) -> bool:
    """Activated or canceled: its FOC date no longer matters."""
    return number_status(status) in _SETTLED


# -- which order of a reference is current ----------------------------------------------------


class Summary(Protocol):
    """What the choice of a current order reads from a list row."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def created_date(self) -> str: ...


SummaryT = TypeVar("SummaryT", bound=Summary)


def newest(summaries: Iterable[SummaryT]) -> SummaryT | None:
    """The most recently created order (ties: the higher id), None for none."""
    return max(summaries, key=lambda s: (s.created_date, s.id), default=None)


def open_orders(summaries: Iterable[SummaryT]) -> list[SummaryT]:
    """The open orders among `summaries`, in the given order."""
    return [s for s in summaries if is_open(s.status)]


def current_order(summaries: Sequence[SummaryT]) -> tuple[SummaryT, ...]:
    """The order(s) a spec is about: the open one(s) (several is a conflict), else one being
    canceled, else the newest."""
    found = open_orders(summaries)
    if found:
        return tuple(sorted(found, key=lambda s: s.id))
    ending = [s for s in summaries if is_canceling(s.status)]
    chosen = newest(ending or summaries)
    return (chosen,) if chosen is not None else ()


def ported(summaries: Iterable[SummaryT]) -> bool:
    """The newest finished order of a reference COMPLETED and none of them is being canceled:
    the spec's numbers are already at Sinch."""
    group = list(summaries)
    if any(is_canceling(s.status) for s in group):
        return False
    last = newest(s for s in group if is_terminal(s.status))
    return last is not None and is_completed(last.status)
