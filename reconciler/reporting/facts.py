"""Lifecycle facts of one managed order: where it stands and what should happen next.

Drift says where git and the API disagree; lifecycle says where an order *is*: its status,
how many numbers sit in each status, the FOC dates the losing carriers gave, rejections with
their reasons, notes written by someone other than portctl, and dates coming up in the next
seven days. `status` and `drift` both show these facts, so they are computed once, here,
from the live order dict (API JSON shape) and the plan item of the spec. Pure: `today` is
injected, nothing is read from the network.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from reconciler.dates import calendar_date
from reconciler.desired import DesiredOrder
from reconciler.lifecycle import (
    NumberStatus,
    current_order,
    is_canceling,
    is_changeable,
    is_locked,
    is_number_settled,
    is_open,
    is_terminal,
    number_status,
)
from reconciler.live import LiveOrderSummary, LiveSnapshot
from reconciler.planning.items import Kind, PlanItem
from reconciler.planning.notices import SOON

NO_ORDER = "NO ORDER"
"""Status shown for a spec that has no live order yet."""

_ATTACHMENT_KINDS = frozenset({Kind.ADD_NOTE, Kind.UPLOAD_DOCUMENT})


@dataclass(frozen=True)
class Rejection:
    """A number the losing carrier rejected, with the reason it gave."""

    number: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """JSON shape."""
        return {"number": self.number, "reason": self.reason}


@dataclass(frozen=True)
class CarrierNote:
    """A note on the order that the specs did not post (Sinch or the losing carrier)."""

    created: str
    author: str
    text: str

    def to_dict(self) -> dict[str, str]:
        """JSON shape."""
        return {"created": self.created, "author": self.author, "text": self.text}


@dataclass(frozen=True)
class UpcomingDate:
    """A port or FOC date within the next seven days."""

    kind: str
    """`port` (desired port date) or `foc` (firm order commitment of some numbers)."""
    when: str
    numbers: int = 0

    @property
    def message(self) -> str:
        """`FOC 2026-11-30 for 3 numbers` / `port date 2026-12-01`."""
        if self.kind == "foc":
            plural = "s" if self.numbers != 1 else ""
            return f"FOC {self.when} for {self.numbers} number{plural}"
        return f"port date {self.when}"

    def to_dict(self) -> dict[str, Any]:
        """JSON shape."""
        return {"kind": self.kind, "date": self.when, "numbers": self.numbers}


@dataclass(frozen=True)
class GroupFacts:
    """One activation group (`phoneNumberGroup`, per losing carrier) of an order."""

    name: str
    numbers_by_status: Mapping[str, int]
    foc_date: str | None
    offered: bool | None
    """Offered for activation now (`availableActivations`); None when not read (the order is
    not a CONFIRMED on-demand one, so nothing can be offered)."""
    approved: bool
    """The spec approves it for activation (named in `activation.groups`, or `when: ready`)."""

    @property
    def text(self) -> str:
        """`GW Verizon Grp1: 2 CONFIRMED, FOC 2026-12-03, offered, approved`."""
        numbers = ", ".join(f"{n} {s}" for s, n in self.numbers_by_status.items()) or "-"
        offered = {True: "offered", False: "not offered", None: "not offerable yet"}
        return f"{self.name}: {numbers}, FOC {self.foc_date or '-'}, {offered[self.offered]}, " + (
            "approved" if self.approved else "not approved"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON shape."""
        return {
            "name": self.name,
            "numbersByStatus": dict(self.numbers_by_status),
            "focDate": self.foc_date,
            "offered": self.offered,
            "approved": self.approved,
        }


def group_facts(
    order: DesiredOrder, numbers: Sequence[Mapping[str, Any]], offered: Sequence[str] | None
) -> tuple[GroupFacts, ...]:
    """The activation groups of a live order's numbers, by name."""
    by_group: dict[str, list[Mapping[str, Any]]] = {}
    for number in numbers:
        if number.get("phoneNumberGroup"):
            by_group.setdefault(str(number["phoneNumberGroup"]), []).append(number)
    approve_all = order.activation_mode == "on-demand" and order.activation_when == "ready"
    rows = []
    for name, members in sorted(by_group.items()):
        focs = sorted(d for n in members if (d := calendar_date(n.get("focDate"))) is not None)
        rows.append(
            GroupFacts(
                name=name,
                numbers_by_status=_numbers_by_status(members),
                foc_date=focs[-1].isoformat() if focs else None,
                offered=None if offered is None else name in offered,
                approved=order.activation_mode == "on-demand"
                and (approve_all or name in order.activation_groups),
            )
        )
    return tuple(rows)


@dataclass(frozen=True)
class OrderFacts:
    """Everything `status` and the lifecycle part of `drift` show about one spec's order."""

    name: str
    reference: str
    order_id: int | None
    status: str
    activation: str
    numbers_by_status: Mapping[str, int] = field(default_factory=dict)
    foc_dates: tuple[str, ...] = ()
    port_date: str | None = None
    rejections: tuple[Rejection, ...] = ()
    notes: tuple[CarrierNote, ...] = ()
    upcoming: tuple[UpcomingDate, ...] = ()
    next_step: str = ""
    groups: tuple[GroupFacts, ...] = ()

    @property
    def managed(self) -> bool:
        """A live order exists for this spec."""
        return self.order_id is not None

    @property
    def foc_range(self) -> str:
        """`2026-12-01` or `2026-12-01..2026-12-04`, `-` when no FOC is known."""
        if not self.foc_dates:
            return "-"
        first, last = self.foc_dates[0], self.foc_dates[-1]
        return first if first == last else f"{first}..{last}"

    @property
    def numbers_text(self) -> str:
        """`3 CONFIRMED, 1 REJECTED` (or `-`)."""
        return ", ".join(f"{n} {s}" for s, n in self.numbers_by_status.items()) or "-"

    def to_dict(self) -> dict[str, Any]:
        """JSON shape (no secret can be in here: only statuses, dates, reasons, notes)."""
        return {
            "name": self.name,
            "reference": self.reference,
            "orderId": self.order_id,
            "status": self.status,
            "activation": self.activation,
            "numbersByStatus": dict(self.numbers_by_status),
            "focDates": list(self.foc_dates),
            "portDate": self.port_date,
            "rejections": [r.to_dict() for r in self.rejections],
            "carrierNotes": [n.to_dict() for n in self.notes],
            "upcoming": [u.to_dict() for u in self.upcoming],
            "nextStep": self.next_step,
            "groups": [g.to_dict() for g in self.groups],
        }


def main_item(items: Iterable[PlanItem], name: str) -> PlanItem | None:
    """The plan item that decides a spec's fate (not one of its notes or documents)."""
    return next((i for i in items if i.name == name and i.kind not in _ATTACHMENT_KINDS), None)


def _numbers_by_status(numbers: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Count per number status: known ones in `NumberStatus` order, unknown ones after, sorted."""
    counts = Counter(str(number_status(n.get("status"))) for n in numbers)
    known = [str(s) for s in NumberStatus if counts[s]]
    unknown = sorted(s for s in counts if s not in set(NumberStatus))
    return {s: counts[s] for s in [*known, *unknown]}


def _carrier_notes(
    detail: Mapping[str, Any], spec_notes: Sequence[str], since: date | None
) -> tuple[CarrierNote, ...]:
    """Notes portctl did not post, created on or after `since` (all when `since` is None)."""
    ours = set(spec_notes)
    notes: list[CarrierNote] = []
    for note in detail.get("notes") or ():
        text = str(note.get("note") or "")
        created = str(note.get("createdTime") or "")
        when = calendar_date(created)
        if not text or text in ours or (since is not None and when is not None and when < since):
            continue
        notes.append(CarrierNote(created, str(note.get("createdBy") or ""), text))
    return tuple(sorted(notes, key=lambda n: (n.created, n.text)))


def _upcoming(
    port: date | None, numbers: Sequence[Mapping[str, Any]], today: date
) -> tuple[UpcomingDate, ...]:
    soon: list[UpcomingDate] = []
    if port is not None and today <= port <= today + SOON:
        soon.append(UpcomingDate("port", port.isoformat()))
    foc: Counter[date] = Counter()
    for number in numbers:
        when = calendar_date(number.get("focDate"))
        live = not is_number_settled(number.get("status"))
        if when is not None and live and today <= when <= today + SOON:
            foc[when] += 1
    soon.extend(UpcomingDate("foc", d.isoformat(), foc[d]) for d in sorted(foc))
    return tuple(soon)


def next_step(status: str, item: PlanItem | None, facts: OrderFacts) -> str:
    """What should happen next, in one line an operator can act on."""
    kind = item.kind if item is not None else None
    if kind is Kind.CONFLICT:
        return "cancel the wrong order by hand (several open orders share the reference)"
    if kind is Kind.BLOCKED and item is not None and item.remedy:
        return item.remedy
    if kind is Kind.BLOCKED:
        return "changes are locked: revert the spec to match the order, or handle it in Sinch"
    if kind is Kind.CREATE:
        return "portctl apply creates the order"
    if kind is Kind.UPDATE:
        return "portctl apply updates the order (PUT)"
    if kind is Kind.CANCEL:
        return "portctl apply cancels the order (needs --max-cancels)"
    if kind is Kind.ACTIVATE and item is not None:
        return f"portctl apply activates {', '.join(item.groups)}"
    if kind is Kind.WAIT:
        return item.reason if item is not None else "wait"
    if is_changeable(status):
        if facts.rejections:
            return "fix the rejected numbers in the spec, then apply (update)"
        return "wait for the losing carrier to confirm (FOC)"
    if is_locked(status):
        if facts.activation == "on-demand":
            reason = item.reason if item is not None else "waiting for activation"
            return f"on-demand: {reason}"
        return f"ports on its FOC date ({facts.foc_range}), activated by Sinch"
    if is_canceling(status):
        return "wait for the cancelation to finish"
    if is_terminal(status):
        return "archive the spec (nothing left to do)"
    if status == NO_ORDER:
        return "nothing: the spec is canceled and no order exists"
    return f"check the order in Sinch (status {status} is unknown to portctl)"


def order_facts(
    order: DesiredOrder,
    summary: LiveOrderSummary | None,
    detail: Mapping[str, Any] | None,
    item: PlanItem | None,
    *,
    today: date,
    offered: Sequence[str] | None = None,
) -> OrderFacts:
    """The lifecycle facts of `order`'s current live order (`summary`), if any; `offered`:
    the groups `availableActivations` offers (None when it was not read)."""
    activation = order.activation_mode
    if summary is None:
        facts = OrderFacts(order.name, order.reference, None, NO_ORDER, activation)
        return _with_step(facts, item)
    data = detail or {}
    numbers = [n for n in data.get("phoneNumbers") or () if isinstance(n, Mapping)]
    port = calendar_date((data.get("desiredPortSchedule") or {}).get("desiredPortDate"))
    focs = sorted({d for n in numbers if (d := calendar_date(n.get("focDate"))) is not None})
    passed = [d for d in [*focs, *([port] if port else [])] if d <= today]
    rejections = tuple(
        Rejection(str(n.get("phoneNumber")), str(n.get("rejectReason") or "no reason given"))
        for n in numbers
        if number_status(n.get("status")) == NumberStatus.REJECTED
    )
    facts = OrderFacts(
        name=order.name,
        reference=order.reference,
        order_id=summary.id,
        status=summary.status,
        activation=activation,
        numbers_by_status=_numbers_by_status(numbers),
        foc_dates=tuple(d.isoformat() for d in focs),
        port_date=port.isoformat() if port else None,
        rejections=tuple(sorted(rejections, key=lambda r: r.number)),
        notes=_carrier_notes(data, order.notes, max(passed) if passed else None),
        upcoming=_upcoming(port, numbers, today) if _heading_to_port(summary) else (),
        groups=group_facts(order, numbers, offered),
    )
    return _with_step(facts, item)


def _heading_to_port(summary: LiveOrderSummary) -> bool:
    """A port date matters only while the order can still port (not finished or canceling)."""
    return is_open(summary.status)


def _with_step(facts: OrderFacts, item: PlanItem | None) -> OrderFacts:
    return replace(facts, next_step=next_step(facts.status, item, facts))


def all_facts(
    orders: Sequence[DesiredOrder],
    live: LiveSnapshot,
    items: Sequence[PlanItem],
    *,
    today: date,
) -> tuple[OrderFacts, ...]:
    """Facts for every spec (one row per current order; a conflict gives one row per order)."""
    rows: list[OrderFacts] = []
    for order in sorted(orders, key=lambda o: o.name):
        item = main_item(items, order.name)
        current = current_order(live.managed.get(order.reference, ()))
        if not current:
            rows.append(order_facts(order, None, None, item, today=today))
        for summary in current:
            detail = live.details.get(summary.id)
            offered = live.available_activations.get(summary.id)
            rows.append(order_facts(order, summary, detail, item, today=today, offered=offered))
    return tuple(rows)
