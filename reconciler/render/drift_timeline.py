"""Inline SVG timeline of the drift report: port and FOC dates per order, coloured by status.

One row per managed order: its name above a line from its earliest to its latest date, a
diamond on the desired port date, dots on FOC dates, a dashed line at today. The drawing
uses a narrow `viewBox` and scales to the page width, so it stays legible on a phone. Every
text is escaped; no external reference of any kind.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, timedelta

from reconciler.reporting.lifecycle import OrderFacts, day

STATUS_COLORS: dict[str, str] = {
    "PENDING": "#b45309",
    "CONFIRMED": "#1d4ed8",
    "COMPLETED": "#15803d",
    "PENDING_CANCELATION": "#7e22ce",
    "CANCELED": "#6b7280",
}
OTHER_COLOR = "#b91c1c"

WIDTH = 400
LEFT = 8
RIGHT = 8
ROW = 38
TOP = 30


def status_color(status: str) -> str:
    """The colour of a status (unknown statuses are red: someone should look)."""
    return STATUS_COLORS.get(status, OTHER_COLOR)


def _dates(facts: OrderFacts) -> list[date]:
    found = [day(d) for d in (*facts.foc_dates, facts.port_date)]
    return [d for d in found if d is not None]


def _x(when: date, start: date, span: int) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * (when - start).days / span


def _text(
    x: float, y: float, text: str, *, size: int = 11, anchor: str = "start", **attrs: str
) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{html.escape(v)}"' for k, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>'
        f"{html.escape(text)}</text>"
    )


def render_timeline(facts: Sequence[OrderFacts], today: date) -> str:
    """The `<svg>` element (or a short paragraph when no order has a date)."""
    rows = [f for f in facts if _dates(f)]
    if not rows:
        return '<p class="empty">No port or FOC dates to draw.</p>'
    every = [d for f in rows for d in _dates(f)] + [today]
    start = min(every) - timedelta(days=2)
    end = max(every) + timedelta(days=2)
    span = max((end - start).days, 1)
    height = TOP + ROW * len(rows) + 6
    parts = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="Port and FOC dates per order">',
        "<title>Port (diamond) and FOC (dots) dates per order, coloured by status</title>",
        _text(LEFT, 12, start.isoformat(), size=10, fill="#555"),
        _text(WIDTH - RIGHT, 12, end.isoformat(), size=10, anchor="end", fill="#555"),
    ]
    tx = _x(today, start, span)
    parts.append(
        f'<line x1="{tx:.1f}" y1="16" x2="{tx:.1f}" y2="{height - 4}" stroke="#111" '
        'stroke-dasharray="3 3" stroke-width="1"/>'
    )
    parts.append(_text(tx, 25, f"today {today.isoformat()}", size=10, anchor="middle"))
    for index, f in enumerate(rows):
        y = TOP + ROW * index
        color = status_color(f.status)
        dates = _dates(f)
        x1, x2 = _x(min(dates), start, span), _x(max(dates), start, span)
        parts.append(f'<g class="row" data-status="{html.escape(f.status)}">')
        parts.append(_text(LEFT, y + 12, f"{f.name} · {f.status}", fill=color))
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y + 24}" x2="{x2:.1f}" y2="{y + 24}" '
            f'stroke="{color}" stroke-width="3" stroke-linecap="round"/>'
        )
        for foc in f.foc_dates:
            when = day(foc)
            if when is not None:
                parts.append(
                    f'<circle cx="{_x(when, start, span):.1f}" cy="{y + 24}" r="4.5" '
                    f'fill="{color}"><title>FOC {html.escape(foc)}</title></circle>'
                )
        port = day(f.port_date)
        if port is not None:
            px = _x(port, start, span)
            points = (
                f"{px:.1f},{y + 17} {px + 7:.1f},{y + 24} {px:.1f},{y + 31} {px - 7:.1f},{y + 24}"
            )
            parts.append(
                f'<polygon points="{points}" fill="#fff" stroke="{color}" stroke-width="2">'
                f"<title>port date {html.escape(port.isoformat())}</title></polygon>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)


def legend() -> str:
    """The colour key of the timeline, as HTML."""
    items = [*STATUS_COLORS.items(), ("other", OTHER_COLOR)]
    keys = "".join(
        f'<span class="key"><span class="swatch" style="background:{color}"></span>'
        f"{html.escape(name)}</span>"
        for name, color in items
    )
    return f'<p class="legend">{keys} <span class="key">◇ port date · ● FOC</span></p>'
