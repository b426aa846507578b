"""Inline SVG timeline of the drift report: port and FOC dates per order, coloured by status.

One row per managed order: its name and status above a line from its earliest to its latest
date, a hollow diamond on the desired port date, dots on FOC dates drawn *over* it (the FOC is
often the port date itself: a dot under the diamond would be hidden). A date axis with light
grid lines runs along the top and a dashed line marks today (labelled at the bottom, clear of
the axis labels), so a date can be read off without hovering. Horizontal positions are
percentages of the drawing's width and the drawing is as wide as the page, so the timeline
uses the whole width on a desktop while its type keeps its size (legible on a phone too); the
diamond is a nested `<svg>` placed by percentage, since polygon points cannot be. Every text is
escaped; no external reference of any kind.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, timedelta

from reconciler.dates import calendar_date
from reconciler.lifecycle import OrderStatus
from reconciler.reporting.facts import OrderFacts

STATUS_COLORS: dict[str, str] = {
    OrderStatus.PENDING: "#b45309",
    OrderStatus.CONFIRMED: "#1d4ed8",
    OrderStatus.COMPLETED: "#15803d",
    OrderStatus.PENDING_CANCELATION: "#7e22ce",
    OrderStatus.CANCELED: "#6b7280",
}
OTHER_COLOR = "#b91c1c"

WIDTH = 100.0
"""Horizontal positions are percentages of the drawing's width."""
LEFT = 1.5
RIGHT = 1.5
AXIS = 22
"""y of the axis line; tick labels sit above it."""
ROW = 42
BOTTOM = 20
"""Room under the last row for the `today` label."""
MAX_LABEL = 34
"""Longer spec names are shortened in the drawing (the tables show them whole)."""
TICK_STEPS = (1, 2, 7, 14, 28, 56, 91, 182, 364)
"""Candidate tick spacings in days; the smallest giving at most `MAX_TICKS` ticks is used."""
MAX_TICKS = 6
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
"""English month abbreviations, fixed (`strftime("%b")` would follow the machine's locale)."""


def status_color(status: str) -> str:
    """The colour of a status (unknown statuses are red: someone should look)."""
    return STATUS_COLORS.get(status, OTHER_COLOR)


def short_date(when: date) -> str:
    """`Dec 1`: the tick label (the year is in the report header and the tables)."""
    return f"{MONTHS[when.month - 1]} {when.day}"


def _dates(facts: OrderFacts) -> list[date]:
    found = [calendar_date(d) for d in (*facts.foc_dates, facts.port_date)]
    return [d for d in found if d is not None]


def _label(facts: OrderFacts) -> str:
    name = facts.name if len(facts.name) <= MAX_LABEL else facts.name[: MAX_LABEL - 1] + "…"
    return f"{name} · {facts.status}"


class _Scale:
    """Maps dates to x positions between the margins."""

    def __init__(self, start: date, end: date) -> None:
        self.start = start
        self.span = max((end - start).days, 1)

    def x(self, when: date) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (when - self.start).days / self.span

    def ticks(self) -> list[date]:
        step = next((s for s in TICK_STEPS if self.span // s < MAX_TICKS), TICK_STEPS[-1])
        return [self.start + timedelta(days=d) for d in range(0, self.span + 1, step)]


def _pct(x: float) -> str:
    return f"{x:.2f}%"


def _text(
    x: float, y: float, text: str, *, size: int = 12, anchor: str = "start", **attrs: str
) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{html.escape(v)}"' for k, v in attrs.items())
    return (
        f'<text x="{_pct(x)}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>'
        f"{html.escape(text)}</text>"
    )


def _anchor(x: float) -> str:
    """Text anchor keeping a short label near `x` inside the drawing."""
    if x < LEFT + 8:
        return "start"
    if x > WIDTH - RIGHT - 8:
        return "end"
    return "middle"


def _axis(scale: _Scale, height: int) -> list[str]:
    parts = [
        f'<line x1="{_pct(LEFT)}" y1="{AXIS}" x2="{_pct(WIDTH - RIGHT)}" y2="{AXIS}" '
        'stroke="#a1a1aa"/>'
    ]
    for tick in scale.ticks():
        x = scale.x(tick)
        parts.append(
            f'<line class="grid" x1="{_pct(x)}" y1="{AXIS - 3}" x2="{_pct(x)}" '
            f'y2="{height - BOTTOM}" stroke="#e4e4e7"/>'
        )
        parts.append(_text(x, AXIS - 7, short_date(tick), size=11, anchor=_anchor(x), fill="#555"))
    return parts


def _today(scale: _Scale, today: date, height: int) -> list[str]:
    x = scale.x(today)
    return [
        f'<line x1="{_pct(x)}" y1="{AXIS}" x2="{_pct(x)}" y2="{height - BOTTOM + 4}" '
        'stroke="#111" stroke-dasharray="3 3" stroke-width="1"/>',
        _text(x, height - 4, f"today {short_date(today)}", size=11, anchor=_anchor(x)),
    ]


def _row(facts: OrderFacts, scale: _Scale, y: int) -> list[str]:
    color = status_color(facts.status)
    dates = _dates(facts)
    line_y = y + 28
    x1, x2 = scale.x(min(dates)), scale.x(max(dates))
    parts = [
        f'<g class="row" data-status="{html.escape(facts.status)}">',
        f"<title>{html.escape(facts.name)}</title>",
        _text(LEFT, y + 14, _label(facts), size=13, fill=color),
        f'<line x1="{_pct(x1)}" y1="{line_y}" x2="{_pct(x2)}" y2="{line_y}" '
        f'stroke="{color}" stroke-width="3" stroke-linecap="round"/>',
    ]
    port = calendar_date(facts.port_date)
    if port is not None:  # first, so that a FOC dot on the same date is drawn over it
        parts.append(
            f'<svg class="port" x="{_pct(scale.x(port))}" y="{line_y}" width="1" height="1" '
            'overflow="visible">'
            f'<polygon points="0,-8 8,0 0,8 -8,0" fill="#fff" stroke="{color}" '
            f'stroke-width="2"><title>port date {html.escape(port.isoformat())}</title>'
            "</polygon></svg>"
        )
    for foc in facts.foc_dates:
        when = calendar_date(foc)
        if when is not None:
            parts.append(
                f'<circle class="foc" cx="{_pct(scale.x(when))}" cy="{line_y}" r="4" '
                f'fill="{color}"><title>FOC {html.escape(foc)}</title></circle>'
            )
    parts.append("</g>")
    return parts


def render_timeline(facts: Sequence[OrderFacts], today: date) -> str:
    """The `<svg>` element (or a short paragraph when no order has a date)."""
    rows = [f for f in facts if _dates(f)]
    if not rows:
        return '<p class="empty">No port or FOC dates to draw.</p>'
    every = [d for f in rows for d in _dates(f)] + [today]
    scale = _Scale(min(every) - timedelta(days=1), max(every) + timedelta(days=1))
    height = AXIS + 4 + ROW * len(rows) + BOTTOM
    parts = [
        f'<svg class="timeline" width="100%" height="{height}" role="img" '
        f'aria-label="Port and FOC dates per order">',
        "<title>Port (diamond) and FOC (dots) dates per order, coloured by status</title>",
        *_axis(scale, height),
        *_today(scale, today, height),
    ]
    for index, f in enumerate(rows):
        parts += _row(f, scale, AXIS + 4 + ROW * index)
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
