"""The outcome table at the end of an apply, in the `--format` the run was asked for.

Text for terminals and CI logs, markdown for a PR or job summary, json for machines (one
document holding the plan that was applied and every item's outcome, `formatVersion` 1).
The output registry (`render.registry`) picks the renderer and scrubs the result, like every
other output.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from reconciler.apply.outcomes import ApplyReport, ItemResult, Outcome
from reconciler.planning.items import Risk
from reconciler.render.common import item_title
from reconciler.render.jsonfmt import plan_document
from reconciler.render.markdown import cell

FORMAT_VERSION = 1


def summary(report: ApplyReport) -> str:
    """`Apply: 3 applied, 1 skipped, 0 failed, 0 unknown.` (+ blocked items left, if any)."""
    counts = report.counts()
    text = "Apply: " + ", ".join(f"{counts[str(o)]} {o}" for o in Outcome) + "."
    blocked = sum(1 for i in report.plan.items if i.risk is Risk.BLOCKED)
    if blocked:
        text += f" {blocked} blocked item(s) left as they are (see the plan)."
    if report.interrupted:
        text += f" Interrupted: {len(report.not_run)} action(s) not started, left for the next run."
    return text


def _not_run(report: ApplyReport) -> list[tuple[str, str, str, str]]:
    """Rows of the actions an interrupted run did not start."""
    return [
        ("not run", str(i.kind), item_title(i), "left for the next run") for i in report.not_run
    ]


def _order(result: ItemResult) -> str:
    """The item's title with the order it ended up on (the plan's status may be stale now)."""
    return item_title(replace(result.item, order_id=result.order_id, status=None))


def render_text(report: ApplyReport) -> str:
    """Aligned columns, one line per item, the summary line last."""
    rows = [(str(r.outcome), r.action, _order(r), r.message) for r in report.results]
    rows += _not_run(report)
    lines: list[str] = []
    if rows:
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines.append("")
        for row in rows:
            lines.append(
                "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3]
            )
        lines.append("")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def render_markdown(report: ApplyReport) -> str:
    """A summary line and a table (Outcome, Action, Order, Detail)."""
    lines = ["", "### Apply results", "", f"**{summary(report)}**", ""]
    if report.results:
        lines += ["| Outcome | Action | Order | Detail |", "|---|---|---|---|"]
        lines += [
            f"| {r.outcome} | {r.action} | {cell(_order(r))} | {cell(r.message)} |"
            for r in report.results
        ]
        lines += [f"| {o} | {a} | {cell(t)} | {d} |" for o, a, t, d in _not_run(report)]
    return "\n".join(lines) + "\n"


def apply_document(report: ApplyReport, *, exit_code: int) -> dict[str, Any]:
    """The json output: the plan, every result and the counts."""
    return {
        "formatVersion": FORMAT_VERSION,
        "kind": "portctl-apply",
        "plan": plan_document(report.plan),
        "results": [r.to_dict() for r in report.results],
        "interrupted": report.interrupted,
        "notRun": [i.to_dict() for i in report.not_run],
        "summary": {**report.counts(), "mutatingCalls": report.mutating_calls},
        "exitCode": exit_code,
    }


def render_json(report: ApplyReport, *, exit_code: int) -> str:
    """`apply_document` as indented JSON text."""
    return json.dumps(apply_document(report, exit_code=exit_code), indent=2) + "\n"
