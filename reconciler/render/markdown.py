"""Plan as a pull-request comment: summary and counts first, then one `<details>` per order.

Reviewers see the verdict before the detail: a summary line, a counts table (by kind, with
risk and numbers affected), then blocked and irreversible items with their reasons and the
notices (rejections, FOC and port dates soon). Per-order `<details>` blocks follow, each with
a field-change table. GitHub caps a comment's size: `render.truncate` keeps the output under
its limit and says so, pointing at the full artifact, when blocks had to be left out.
"""

from __future__ import annotations

import html
from collections import Counter

from reconciler.planning.items import Kind, Plan, PlanItem, Risk
from reconciler.render.common import (
    ChangeRow,
    budget_lines,
    change_rows,
    display_value,
    item_title,
    scope_line,
    shown,
    summary_line,
)
from reconciler.render.truncate import MAX_CHARS, fit_markdown

MARKER = "<!-- portctl:plan -->"
DEFAULT_ARTIFACT = "the full plan artifact (`portctl plan --format json`)"


def cell(text: str) -> str:
    """Safe inside a table cell: HTML-escaped, pipes and newlines neutralised."""
    return html.escape(text, quote=False).replace("|", "&#124;").replace("\n", " ")


def _counts_table(plan: Plan) -> list[str]:
    items = Counter(i.kind for i in plan.items)
    risks: dict[Kind, set[str]] = {}
    numbers: dict[Kind, set[str]] = {}
    for item in plan.items:
        risks.setdefault(item.kind, set()).add(str(item.risk))
        numbers.setdefault(item.kind, set()).update(item.numbers)
    rows = ["| kind | items | risk | numbers |", "|---|---:|---|---:|"]
    for kind in Kind:
        if items[kind]:
            risk = ", ".join(sorted(r for r in risks[kind] if r != str(Risk.NONE))) or "-"
            rows.append(f"| {kind} | {items[kind]} | {risk} | {len(numbers[kind])} |")
    return rows


def _attention(plan: Plan) -> list[str]:
    lines: list[str] = []
    flagged = [i for i in plan.items if i.risk is Risk.BLOCKED]
    flagged += [i for i in plan.items if i.risk is Risk.IRREVERSIBLE]
    if flagged:
        lines += ["", "#### Blocked and irreversible", ""]
        for item in flagged:
            lines.append(
                f"- **{item.kind}**{_risk_note(item)} `{cell(item_title(item))}`: "
                f"{cell(item.reason)} — `{item.reason_code}`"
                + (f"<br>Remedy: {cell(item.remedy)}" if item.remedy else "")
            )
    notices = [(i, n) for i in plan.items for n in i.notices]
    if notices:
        lines += ["", "#### Notices", ""]
        lines += [f"- `{cell(i.name)}`: {cell(n.message)}" for i, n in notices]
    return lines


def _risk_note(item: PlanItem) -> str:
    """` (irreversible)`, or nothing when the kind already says it (blocked) or no risk."""
    return "" if str(item.risk) in {str(Risk.NONE), str(item.kind)} else f" ({item.risk})"


def _change_cell(row: ChangeRow) -> str:
    text = cell(row.text)
    return f"{text}<br>{', '.join(row.numbers)}" if row.numbers else text


def _details(item: PlanItem) -> str:
    summary = (
        f"<code>{cell(item_title(item))}</code> — <b>{item.kind}</b>{_risk_note(item)}: "
        f"{cell(item.reason)}"
    )
    body = ["<details>", f"<summary>{summary}</summary>", ""]
    if item.source:
        body.append(f"Spec: `{cell(item.source)}` · reason code `{item.reason_code}`")
        body.append("")
    if item.remedy:
        body += [f"Remedy: {cell(item.remedy)}", ""]
    if item.changes:
        body += ["| | field | change |", "|---|---|---|"]
        body += [
            f"| {row.op} | `{cell(row.path)}` | {_change_cell(row)} |"
            for row in change_rows(item.changes)
        ]
        body.append("")
    bad = [p for p in item.portability if not p.portable]
    if bad:
        body += [f"- {p.number}: not portable ({cell(p.reason or 'no reason')})" for p in bad]
        body.append("")
    if item.note is not None:
        body += [f"> {cell(display_value(item.note))}", ""]
    if item.numbers and not item.changes:
        body += [f"Numbers: {', '.join(item.numbers)}", ""]
    body.append("</details>")
    return "\n".join(body)


def render_markdown(
    plan: Plan, *, max_chars: int = MAX_CHARS, artifact: str = DEFAULT_ARTIFACT
) -> str:
    """The plan as Markdown for a PR comment, at most `max_chars` characters.

    Head lines first, then one `<details>` block per item, cut by `fit_markdown`.
    """
    head = [MARKER, f"### portctl plan: {summary_line(plan)}", "", cell(scope_line(plan)), ""]
    budgets = budget_lines(plan)
    head += [f"**{cell(line)}**" for line in budgets]
    head += [""] if budgets else []
    head += _counts_table(plan)
    head += _attention(plan)
    unchanged = sum(1 for i in plan.items if not shown(i))
    if unchanged:
        head += ["", f"{unchanged} item{'s' if unchanged != 1 else ''} unchanged (not shown)."]
    blocks = [_details(item) for item in plan.items if shown(item)]
    if blocks:
        head.append("\n#### Details\n")
    return fit_markdown(
        [f"{line}\n" for line in head],
        [f"{block}\n" for block in blocks],
        head_name="summary",
        unit="item",
        artifact=artifact,
        max_chars=max_chars,
    )
