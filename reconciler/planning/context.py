"""Shared pieces of the planner: the planning context and the item constructors.

Every spec item carries the spec's name, reference and source file; keeping the constructors
here keeps the decision modules (`build`, `open_orders`) about decisions only. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from reconciler.compare import fold
from reconciler.desired import DesiredOrder
from reconciler.diff import FieldChange
from reconciler.essence import IgnoreRules, PortDefaults
from reconciler.live import LiveOrderSummary, LiveSnapshot
from reconciler.planning.items import Kind, Notice, PlanItem, Reason


@dataclass(frozen=True)
class PlanContext:
    """What every decision needs besides the spec: live state, today, normalisation rules."""

    live: LiveSnapshot
    today: date
    ignore: IgnoreRules
    defaults: PortDefaults
    freed_numbers: frozenset[str] = frozenset()
    """Numbers this plan's own updates take off PENDING orders: a create may reuse them."""


def differ(changes: tuple[FieldChange, ...]) -> str:
    """`1 field differs` / `3 fields differ`."""
    n = len(changes)
    return f"{n} field differs" if n == 1 else f"{n} fields differ"


def spec_item(order: DesiredOrder, **fields: Any) -> PlanItem:
    """A `PlanItem` about `order` (name, reference and source filled in)."""
    return PlanItem(
        name=order.name, reference=order.reference, source=str(order.source.file), **fields
    )


def noop(
    order: DesiredOrder,
    code: Reason,
    reason: str,
    *,
    summary: LiveOrderSummary | None = None,
    notices: tuple[Notice, ...] = (),
    **fields: Any,
) -> PlanItem:
    """A `noop` item, with the live order's id and status when there is one."""
    if summary is not None:
        fields.setdefault("order_id", summary.id)
        fields.setdefault("status", summary.status)
    fields.setdefault("notices", notices)
    return spec_item(order, kind=Kind.NOOP, reason_code=code, reason=reason, **fields)


def wait(order: DesiredOrder, summary: LiveOrderSummary, code: Reason, reason: str) -> PlanItem:
    """A `wait` item: nothing can happen to this order yet."""
    return spec_item(
        order,
        kind=Kind.WAIT,
        order_id=summary.id,
        status=summary.status,
        reason_code=code,
        reason=reason,
    )


def attachment_items(
    order: DesiredOrder,
    summary: LiveOrderSummary | None,
    detail: Mapping[str, Any] | None,
    code: Reason,
) -> list[PlanItem]:
    """`add-note` / `upload-document` items for what the spec has and the order lacks.

    Matched up to server normalisation (`reconciler.compare.fold`: case and blanks), so a server
    that stores a note or a document name in its own form never gets it added twice."""
    live_notes = {fold(str(n.get("note", ""))) for n in (detail or {}).get("notes") or ()}
    live_docs = {
        fold(str(d.get("documentName", ""))) for d in (detail or {}).get("documents") or ()
    }
    order_id = summary.id if summary else None
    status = summary.status if summary else None
    items: list[PlanItem] = []
    for note in dict.fromkeys(order.notes):
        if fold(note) not in live_notes:
            items.append(
                spec_item(
                    order,
                    kind=Kind.ADD_NOTE,
                    order_id=order_id,
                    status=status,
                    reason_code=code,
                    reason="note not on the order yet",
                    note=note,
                )
            )
    for document in order.documents:
        file = document.path.name
        if fold(document.name) not in live_docs:
            items.append(
                spec_item(
                    order,
                    kind=Kind.UPLOAD_DOCUMENT,
                    order_id=order_id,
                    status=status,
                    reason_code=code,
                    reason="document not on the order yet"
                    + ("" if file == document.name else f" (file {file})"),
                    document=document.name,
                )
            )
    return items
