"""Wording shared by the renderers: summary line, change lines, value display.

Keeping the words in one place keeps text, markdown and the PR comment saying the same thing.
Values reaching here are already redacted by `reconciler.diff`; secret changes are shown only
as `(secret changed)`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.diff import SECRET_CHANGED, FieldChange
from reconciler.essence import join_path
from reconciler.planning.items import Kind, Plan, PlanItem

SUMMARY_WORDS: dict[Kind, str] = {
    Kind.CONFIGURE: "to configure",
    Kind.CANCEL: "to cancel",
    Kind.UPDATE: "to update",
    Kind.CREATE: "to create",
    Kind.ADD_NOTE: "note(s) to add",
    Kind.UPLOAD_DOCUMENT: "document(s) to upload",
    Kind.ACTIVATE: "to activate",
    Kind.BLOCKED: "blocked",
    Kind.CONFLICT: "in conflict",
    Kind.WAIT: "waiting",
    Kind.ORPHAN: "orphaned",
    Kind.NOOP: "unchanged",
}

SYMBOLS: dict[Kind, str] = {
    Kind.CONFIGURE: "~",
    Kind.CANCEL: "-",
    Kind.UPDATE: "~",
    Kind.CREATE: "+",
    Kind.ADD_NOTE: "+",
    Kind.UPLOAD_DOCUMENT: "+",
    Kind.ACTIVATE: "!",
    Kind.BLOCKED: "x",
    Kind.CONFLICT: "x",
    Kind.WAIT: ".",
    Kind.ORPHAN: "?",
    Kind.NOOP: "=",
}

OP_SYMBOLS = {"add": "+", "remove": "-", "change": "~"}

MAX_VALUE_CHARS = 120


def _plural(words: str, count: int) -> str:
    return words.replace("(s)", "" if count == 1 else "s")


def summary_line(plan: Plan) -> str:
    """`2 to create, 1 to update, 1 blocked; 12 numbers affected` (or `No changes.`)."""
    counts = plan.counts()
    parts = [
        f"{counts[str(kind)]} {_plural(SUMMARY_WORDS[kind], counts[str(kind)])}"
        for kind in Kind
        if str(kind) in counts
    ]
    affected = len(plan.numbers_affected())
    if not plan.has_changes and not plan.has_blocked:
        head = "No changes: live orders match the specs."
        return head if not parts else f"{head} ({', '.join(parts)})"
    numbers = f"{affected} number{'s' if affected != 1 else ''} affected"
    return f"{', '.join(parts)}; {numbers}"


def scope_line(plan: Plan) -> str:
    """`Settings: specs/portctl.yaml (reference prefix "gitops/")`, and when only some specs
    were planned, that orphans were not looked for."""
    scope = plan.scope
    if scope.settings_file:
        prefix = (
            f'reference prefix "{scope.reference_prefix}"'
            if scope.reference_prefix
            else ("no reference prefix")
        )
        line = f"Settings: {scope.settings_file} ({prefix})"
    else:
        line = "Settings: none (no portctl.yaml above the specs; no reference prefix)"
    if not scope.whole_project:
        line += "; only some specs planned, orphans not looked for"
    return line


def budget_lines(plan: Plan) -> list[str]:
    """One line per safety budget the plan's apply must raise: `Apply needs --max-cancels 1
    (1 cancels planned; specs/portctl.yaml allows 0)`."""
    where = plan.scope.settings_file
    return [
        f"Apply needs {b.needs} ({b.budget} planned: {b.planned}; "
        + (f"{where} allows {b.limit})" if where else f"the default limit is {b.limit})")
        for b in plan.budget_needs()
    ]


def shown(item: PlanItem) -> bool:
    """Unchanged items are only counted, unless they carry notices."""
    return item.kind is not Kind.NOOP or bool(item.notices)


def display_value(value: Any) -> str:
    """One-line rendering of a (redacted) value."""
    if value is None:
        return "(none)"
    if isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, sort_keys=True, separators=(", ", ": "))
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 1] + "…"
    return text


def number_summary(value: Any) -> str:
    """One line a reviewer can check a new number by: end user, address, voice, e911.

    Port-out info is only said to be present: its PIN and account number are secrets.
    """
    if not isinstance(value, dict):
        return display_value(value)
    user = value.get("endUser") or {}
    street = " ".join(
        str(user[k])
        for k in ("streetNum", "streetPreDir", "streetName", "streetType", "streetPostDir")
        if user.get(k)
    )
    place = " ".join(str(user[k]) for k in ("state", "zipCode") if user.get(k))
    parts = [
        ", ".join(
            p
            for p in (str(user.get("name") or ""), street, str(user.get("city") or ""), place)
            if p
        )
    ]
    voice = value.get("voiceConfiguration") or {}
    if voice:
        ident = next((voice[k] for k in ("appId", "trunkId", "serviceId") if voice.get(k)), "")
        parts.append(f"voice {voice.get('type', '?')} {ident}".rstrip())
    if (value.get("features") or {}).get("e911"):
        parts.append("e911")
    if value.get("portOutInfo"):
        parts.append("port-out info set")
    return "; ".join(p for p in parts if p)


def describe_change(change: FieldChange) -> str:
    """What a change does, in words: `a -> b`, `(secret changed)`, `removed (PUT clears it)`."""
    if change.secret:
        return SECRET_CHANGED
    if len(change.path) == 2 and change.path[0] == "phoneNumbers":
        if change.op == "add":
            return f"number added: {number_summary(change.new)}"
        return "number removed from the order"
    if change.op == "add":
        return display_value(change.new)
    if change.op == "remove":
        return f"{display_value(change.old)} removed (PUT clears it)"
    return f"{display_value(change.old)} -> {display_value(change.new)}"


@dataclass(frozen=True)
class ChangeRow:
    """One line of a change list: a change, or the same change on several numbers folded."""

    op: str
    path: str
    text: str
    numbers: tuple[str, ...] = ()
    """The numbers of a folded row (empty for a single change)."""


FoldKey = tuple[str, tuple[str, ...], str]


def _fold_key(change: FieldChange) -> FoldKey:
    """Changes alike but for the number: same op, same path below it, same words."""
    return (change.op, change.path[2:], describe_change(change))


def _folded(change: FieldChange, numbers: list[str]) -> ChangeRow:
    count = len(numbers)
    text = describe_change(change)
    if len(change.path) > 2:
        text = f"{count} numbers: {text}"
    elif change.op == "add":
        text = f"{count} numbers added, each: {text.removeprefix('number added: ')}"
    else:
        text = f"{count} numbers removed from the order"
    path = join_path(("phoneNumbers", "*", *change.path[2:]))
    return ChangeRow(OP_SYMBOLS[change.op], path, text, tuple(numbers))


def change_rows(changes: Sequence[FieldChange]) -> list[ChangeRow]:
    """Changes as display rows; the same change on several numbers folds into one row.

    A 24-number order would otherwise show 24 lines that differ only in the number (24 new
    numbers, or a city edited in the spec's defaults); the folded row
    (`phoneNumbers[*].endUser.city`) says the change once, with the count and every number.
    The JSON keeps one change per number.
    """
    alike: dict[FoldKey, list[str]] = {}
    for change in changes:
        if change.number:
            alike.setdefault(_fold_key(change), []).append(change.number)
    rows: list[ChangeRow] = []
    for change in changes:
        numbers = alike.get(_fold_key(change), []) if change.number else []
        if len(numbers) < 2:
            rows.append(
                ChangeRow(OP_SYMBOLS[change.op], change.display_path, describe_change(change))
            )
        elif change.number == numbers[0]:
            rows.append(_folded(change, numbers))
    return rows


def item_title(item: PlanItem) -> str:
    """`acme-hq #1001 PENDING` or `acme-hq note "..."` : what the item is about."""
    title = item.name
    if item.order_id is not None:
        title += f" #{item.order_id}"
    if item.status:
        title += f" {item.status}"
    if item.note is not None:
        title += f' note "{display_value(item.note)}"'
    if item.document is not None:
        title += f" document {item.document}"
    if item.groups:
        title += f" groups {', '.join(item.groups)}"
    return title
