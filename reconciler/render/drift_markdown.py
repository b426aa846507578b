"""Drift report as Markdown for a GitHub issue or job summary: verdict first, then tables.

The summary line and a figures table come first so the issue preview says what needs
attention; then one table per section. Field changes of each finding go in a `<details>`
block. Issue bodies are capped at 65,536 characters: the text stays under `MAX_CHARS`,
dropping detail blocks first and then table rows, with a notice pointing at the full report.
"""

from __future__ import annotations

from reconciler.planning.items import Kind, PlanItem
from reconciler.render.common import OP_SYMBOLS, describe_change, item_title
from reconciler.render.drift_common import Section, sections, summary_line
from reconciler.render.markdown import cell
from reconciler.reporting.drift import DriftReport

MAX_CHARS = 60_000
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
    changed = [
        i for i in (*report.blocked, *report.actionable) if i.changes and i.kind is not Kind.CREATE
    ]
    blocks = [_details(i) for i in changed]
    text = "\n".join([*head, *body])
    notice = "\n**Truncated:** {what}. See " + artifact + ".\n"
    room = max_chars - len(notice) - 100
    if len(text) > room:
        cut = text[:room].rsplit("\n", 1)[0]
        return cut + "\n" + notice.format(what=f"the report exceeds {max_chars} characters")
    if blocks:
        text += "\n#### Field changes\n\n"
    for index, block in enumerate(blocks):
        if len(text) + len(block) + 2 > room:
            left = len(blocks) - index
            return text + notice.format(what=f"{left} more change block(s) not shown")
        text += block + "\n\n"
    return text
