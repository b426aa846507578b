"""Drift report for a terminal or a CI log: one aligned table per section, no colour codes.

Plain aligned columns (no box drawing) so the output reads the same in a terminal, a CI log
and a golden file; nothing is cut, long cells just widen their column.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.render.drift_common import Row, sections, summary_line
from reconciler.reporting.drift import DriftReport


def table(header: Row, rows: Sequence[Row], indent: str = "  ") -> list[str]:
    """Left-aligned columns two spaces apart, a dashed rule under the header."""
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

    def line(cells: Row) -> str:
        return (indent + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))).rstrip()

    return [line(header), line(tuple("-" * w for w in widths)), *(line(r) for r in rows)]


def render_drift_text(report: DriftReport) -> str:
    """The report as plain text."""
    lines = [f"Drift on {report.today.isoformat()}: {summary_line(report)}"]
    for section in sections(report):
        lines += ["", f"{section.title} ({len(section.rows)})"]
        lines += table(section.header, section.rows) if section.rows else [f"  {section.empty}"]
    return "\n".join(lines) + "\n"
