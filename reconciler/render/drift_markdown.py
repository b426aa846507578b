"""Drift report as Markdown for a GitHub issue or job summary: verdict first, then tables.

The summary line and a figures table come first so the issue preview says what needs
attention; then one table per section. Field changes of each finding go in a `<details>`
block. Issue bodies have a size cap: `render.truncate` keeps the text under it, dropping
detail blocks first and then table rows, with a notice pointing at the full report.
"""

from __future__ import annotations

from reconciler.planning.items import Kind, PlanItem
from reconciler.render.common import OP_SYMBOLS, describe_change, item_title
from reconciler.render.drift_common import Section, sections, summary_line
from reconciler.render.markdown import cell
from reconciler.render.truncate import MAX_CHARS, fit_markdown
from reconciler.reporting.drift import DriftReport

MARKER = "<!-- portctl:drift -->"
DEFAULT_ARTIFACT = "the full report (`portctl drift --format html` or `--format json`)"

FIGURES = (
    ("specs", "specs"),
    ("managedOrders", "managed orders"),
    ("numbers", "numbers"),
    ("actionable", "actionable drift"),
    ("blocked", "blocked drift"),
    ("orphans", "orphans"),
    ("archivable", "specs to archive"),
    ("rejectedNumbers", "rejected numbers"),
    ("upcoming", "dates in the next 7 days"),
)


def _table(section: Section) -> list[str]:
    lines = [f"#### {section.title} ({len(section.rows)})", "", section.blurb, ""]
    if not section.rows:
        return [*lines, f"_{section.empty}_", ""]
    lines.append("| " + " | ".join(section.header) + " |")
    lines.append("|" + "---|" * len(section.header))
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in section.rows]
    return [*lines, ""]


def _details(item: PlanItem) -> str:
    lines = [
        "<details>",
        f"<summary><code>{cell(item_title(item))}</code>: {len(item.changes)} field "
        f"change{'s' if len(item.changes) != 1 else ''}</summary>",
        "",
        "| | field | change |",
        "|---|---|---|",
    ]
    lines += [
        f"| {OP_SYMBOLS[c.op]} | `{cell(c.display_path)}` | {cell(describe_change(c))} |"
        for c in item.changes
    ]
    return "\n".join([*lines, "", "</details>"])


def render_drift_markdown(
    report: DriftReport, *, max_chars: int = MAX_CHARS, artifact: str = DEFAULT_ARTIFACT
) -> str:
    """The report as Markdown, at most `max_chars` characters."""
    counts = report.counts()
    head = [
        MARKER,
        f"### portctl drift: {summary_line(report)}",
        "",
        f"As of {report.today.isoformat()}.",
        "",
        "| | count |",
        "|---|---:|",
        *(f"| {label} | {counts[key]} |" for key, label in FIGURES),
        "",
    ]
    body = [line for section in sections(report) for line in _table(section)]
    lines = "\n".join([*head, *body]).splitlines(keepends=True)
    changed = [
        i for i in (*report.blocked, *report.actionable) if i.changes and i.kind is not Kind.CREATE
    ]
    if changed:
        lines.append("\n#### Field changes\n\n")
    return fit_markdown(
        lines,
        [f"{_details(i)}\n\n" for i in changed],
        head_name="tables",
        unit="change block",
        artifact=artifact,
        max_chars=max_chars,
    )
