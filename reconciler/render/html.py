"""Drift report as one self-contained HTML file: open it from a CI artifact, on any device.

No external asset and no network: inline CSS, inline SVG, and a Content-Security-Policy that
forbids every fetch, so the file renders the same offline and leaks nothing when opened.
Summary figures first, then the timeline, then the tables of the drift sections. On narrow
screens (phones) tables turn into stacked cards, each cell labelled with its column. Every
value goes through `html.escape`: names, reasons and carrier notes are untrusted text.
"""

from __future__ import annotations

import html

from reconciler.render.drift_common import Section, sections, summary_line
from reconciler.render.drift_markdown import FIGURES
from reconciler.render.drift_timeline import legend, render_timeline, status_color
from reconciler.reporting.drift import DriftReport

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

CSS = """
:root { color-scheme: light; --line: #d4d4d8; --muted: #52525b; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 16px; color: #18181b; background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 1.35rem; margin: 0 0 4px; }
h2 { font-size: 1.1rem; margin: 28px 0 4px; }
p.blurb, p.meta { color: var(--muted); margin: 0 0 10px; }
.verdict { font-weight: 600; padding: 8px 12px; border-radius: 6px; margin: 10px 0 16px; }
.verdict.in-sync { background: #dcfce7; } .verdict.drift { background: #fef3c7; }
.verdict.blocked { background: #fee2e2; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr));
  gap: 8px; margin: 0; padding: 0; list-style: none; }
.figures li { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.figures b { display: block; font-size: 1.5rem; }
.figures span { color: var(--muted); font-size: .85rem; }
.timeline { width: 100%; display: block; overflow: visible; }
.timeline text { paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.legend { font-size: .85rem; color: var(--muted); }
.key { margin-right: 10px; white-space: nowrap; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
  margin-right: 4px; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px;
  border-bottom: 1px solid var(--line); overflow-wrap: break-word; }
td.short { white-space: nowrap; }
th { background: #f4f4f5; }
.status { font-weight: 600; }
p.empty { font-style: italic; color: var(--muted); }
@media (max-width: 640px) {
  body { padding: 10px; font-size: 14px; }
  .figures { grid-template-columns: repeat(3, 1fr); gap: 6px; }
  .figures li { padding: 6px 8px; }
  .figures b { font-size: 1.2rem; }
  .figures span { font-size: .75rem; }
  thead { display: none; }
  table, tbody, tr, td { display: block; width: 100%; }
  tr { border: 1px solid var(--line); border-radius: 6px; margin-bottom: 8px; padding: 4px 0; }
  td, td.short { border: 0; padding: 2px 10px; white-space: normal; }
  td::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
}
"""

STATUS_COLUMNS = frozenset({"status"})
SHORT_COLUMNS = frozenset(
    {"spec", "order", "status", "kind", "numbers", "FOC", "port date", "what", "reference"}
)
"""Columns of names, ids, dates and counts: never wrapped on a wide screen (a date split over
two lines is misread); on a phone every cell wraps, as the table turns into cards."""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _cell(label: str, value: str) -> str:
    classes, style = ["short"] if label in SHORT_COLUMNS else [], ""
    if label in STATUS_COLUMNS and value != "-":
        classes.append("status")
        style = f' style="color:{status_color(value)}"'
    attrs = f' class="{" ".join(classes)}"' if classes else ""
    return f'<td data-label="{_e(label)}"{attrs}{style}>{_e(value)}</td>'


def _section(section: Section) -> str:
    parts = [
        f'<section id="{_e(section.key)}">',
        f"<h2>{_e(section.title)} ({len(section.rows)})</h2>",
        f'<p class="blurb">{_e(section.blurb)}</p>',
    ]
    if not section.rows:
        parts.append(f'<p class="empty">{_e(section.empty)}</p>')
    else:
        head = "".join(f"<th>{_e(h)}</th>" for h in section.header)
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
        for row in section.rows:
            cells = "".join(_cell(h, c) for h, c in zip(section.header, row, strict=True))
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</tbody></table>")
    parts.append("</section>")
    return "\n".join(parts)


def render_drift_html(report: DriftReport) -> str:
    """The report as a complete HTML document."""
    counts = report.counts()
    figures = "".join(
        f"<li><b>{counts[key]}</b><span>{_e(label)}</span></li>" for key, label in FIGURES
    )
    today = report.today.isoformat()
    body = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(CSP)}">',
        f"<title>portctl drift report {_e(today)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        "<h1>portctl drift report</h1>",
        f'<p class="meta">As of {_e(today)}</p>',
        f'<p class="verdict {_e(report.verdict)}">{_e(summary_line(report))}</p>',
        "</header>",
        f'<ul class="figures">{figures}</ul>',
        '<section id="timeline">',
        "<h2>Timeline</h2>",
        '<p class="blurb">Port and FOC dates of managed orders, coloured by order status.</p>',
        render_timeline(report.lifecycle, report.today),
        legend(),
        "</section>",
        *(_section(s) for s in sections(report)),
        "</body>",
        "</html>",
    ]
    return "\n".join(body) + "\n"
