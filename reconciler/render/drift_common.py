"""Wording and table rows shared by the drift renderers (text, markdown, html).

Every format shows the same sections with the same columns, so the words and the cell values
are decided once here. Cells are plain strings; each renderer escapes them for its medium.
Values come from plan items and lifecycle facts, which hold no secret values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reconciler.planning.items import Kind, PlanItem
from reconciler.render.common import describe_change
from reconciler.reporting.drift import DriftReport
from reconciler.reporting.facts import OrderFacts

Row = tuple[str, ...]


@dataclass(frozen=True)
class Section:
    """One titled table of the report."""

    key: str
    title: str
    blurb: str
    header: Row
    rows: tuple[Row, ...]
    empty: str


def summary_line(report: DriftReport) -> str:
    """`In sync: ...` or `2 actionable, 1 blocked, 1 orphan` (+ archivable specs)."""
    parts = []
    for count, word in (
        (len(report.actionable), "actionable"),
        (len(report.blocked), "blocked"),
        (len(report.orphans), "orphan" if len(report.orphans) == 1 else "orphans"),
    ):
        if count:
            parts.append(f"{count} {word}")
    head = ", ".join(parts) if parts else "In sync: live orders match the specs"
    if report.archivable:
        n = len(report.archivable)
        head += f"; {n} spec{'s' if n != 1 else ''} can be archived"
    return head


def _order(item: PlanItem) -> str:
    return str(item.order_id) if item.order_id is not None else "-"


def change_summary(item: PlanItem, limit: int = 3) -> str:
    """The first few field changes in words, then `(+N more)`."""
    shown = [f"{c.display_path}: {describe_change(c)}" for c in item.changes[:limit]]
    more = len(item.changes) - limit
    if more > 0:
        shown.append(f"(+{more} more)")
    return "; ".join(shown)


def _finding(item: PlanItem) -> Row:
    if item.kind is Kind.CREATE:
        n = len(item.numbers)
        detail = f"{n} number{'s' if n != 1 else ''} to port"
    else:
        detail = change_summary(item) or item.note or item.document or ", ".join(item.groups)
    return (item.name, _order(item), item.status or "-", str(item.kind), item.reason, detail)


def _lifecycle(facts: OrderFacts) -> Row:
    return (
        facts.name,
        str(facts.order_id),
        facts.status,
        facts.numbers_text,
        facts.foc_range,
        facts.port_date or "-",
        facts.next_step,
    )


def attention_rows(report: DriftReport) -> tuple[Row, ...]:
    """One row per rejection, carrier note and upcoming date of a managed order."""
    rows: list[Row] = []
    for facts in report.attention:
        rows += [("rejected", facts.name, f"{r.number}: {r.reason}") for r in facts.rejections]
        rows += [
            ("note", facts.name, f"{n.created[:10]} {n.author}: {n.text}".strip())
            for n in facts.notes
        ]
        rows += [("soon", facts.name, u.message) for u in facts.upcoming]
    return tuple(rows)


def _rows(items: Sequence[PlanItem], row: Callable[[PlanItem], Row]) -> tuple[Row, ...]:
    return tuple(row(i) for i in items)


FINDING_HEADER: Row = ("spec", "order", "status", "kind", "reason", "detail")


def sections(report: DriftReport) -> tuple[Section, ...]:
    """The report's tables, in reading order: what needs a decision first."""
    return (
        Section(
            "blocked",
            "Blocked drift",
            "The spec differs from an order that can no longer change (or cannot be created).",
            FINDING_HEADER,
            _rows(report.blocked, _finding),
            "Nothing is blocked.",
        ),
        Section(
            "actionable",
            "Actionable drift",
            "The spec differs from a changeable order: portctl apply would fix it.",
            FINDING_HEADER,
            _rows(report.actionable, _finding),
            "No actionable drift.",
        ),
        Section(
            "orphans",
            "Orphans",
            "Live orders under the reference prefix that no spec describes (never touched "
            "without --prune).",
            ("reference", "order", "status", "numbers", "reason"),
            _rows(
                report.orphans,
                lambda i: (i.reference, _order(i), i.status or "-", str(len(i.numbers)), i.reason),
            ),
            "No orphans.",
        ),
        Section(
            "attention",
            "Needs attention",
            "Rejections with the carrier's reason, notes not posted by portctl (since the "
            "last port or FOC date that passed), port and FOC dates in the next 7 days.",
            ("what", "spec", "detail"),
            attention_rows(report),
            "No rejections, carrier notes or dates in the next 7 days.",
        ),
        Section(
            "lifecycle",
            "Lifecycle of managed orders",
            "Every spec with a live order: where it stands and what happens next.",
            ("spec", "order", "status", "numbers", "FOC", "port date", "next step"),
            tuple(_lifecycle(f) for f in report.lifecycle),
            "No managed orders.",
        ),
        Section(
            "archivable",
            "Specs that can be archived",
            "The order is completed or canceled: the spec has nothing left to reconcile.",
            ("spec", "order", "status", "reason"),
            _rows(report.archivable, lambda i: (i.name, _order(i), i.status or "-", i.reason)),
            "No spec to archive.",
        ),
    )
