"""Plan for a terminal: one block per item, colour only when asked (TTY and no NO_COLOR).

Built from styled segments made into rich `Text` objects, never from markup strings, so
names and values containing `[` or `]` print as they are. Wide enough not to cut values
(rich cuts cells at 80 columns when piped), and free of timestamps so the output is
golden-testable.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from rich.console import Console
from rich.control import strip_control_codes
from rich.text import Text

from reconciler.planning.items import Kind, Plan, PlanItem, Risk
from reconciler.render.common import (
    SYMBOLS,
    budget_lines,
    change_rows,
    item_title,
    scope_line,
    shown,
    summary_line,
)

WIDTH = 160

KIND_STYLES: dict[Kind, str] = {
    Kind.CONFIGURE: "yellow",
    Kind.CANCEL: "red",
    Kind.UPDATE: "yellow",
    Kind.CREATE: "green",
    Kind.ADD_NOTE: "green",
    Kind.UPLOAD_DOCUMENT: "green",
    Kind.ACTIVATE: "magenta",
    Kind.BLOCKED: "bold red",
    Kind.CONFLICT: "bold red",
    Kind.WAIT: "cyan",
    Kind.ORPHAN: "blue",
    Kind.NOOP: "dim",
}
OP_STYLES = {"+": "green", "-": "red", "~": "yellow"}
NUMBERS_PER_LINE = 8
"""Numbers of a folded row per line (8 E.164 numbers fit in 112 columns)."""


Segment = tuple[str, str]
"""A run of text and its rich style ("" for none)."""
Line = tuple[Segment, ...]


def _item_lines(item: PlanItem) -> list[Line]:
    style = KIND_STYLES[item.kind]
    head: list[Segment] = [
        (f"{SYMBOLS[item.kind]} {item.kind}", style),
        (f"  {item_title(item)}", "bold"),
    ]
    if item.risk is not Risk.NONE:
        head.append((f"  [{item.risk}]", "bold red" if item.risk is not Risk.SAFE else ""))
    lines: list[Line] = [tuple(head), ((f"    {item.reason} — {item.reason_code}", "dim"),)]
    if item.remedy:
        lines.append(((f"    remedy: {item.remedy}", style),))
    for row in change_rows(item.changes):
        lines.append((("    ", ""), (f"{row.op} {row.path}: ", OP_STYLES[row.op]), (row.text, "")))
        lines.extend(
            ((f"        {' '.join(row.numbers[i : i + NUMBERS_PER_LINE])}", ""),)
            for i in range(0, len(row.numbers), NUMBERS_PER_LINE)
        )
    lines.extend(
        ((f"    {p.number}: not portable ({p.reason or 'no reason given'})", "red"),)
        for p in item.portability
        if not p.portable
    )
    lines.extend(
        ((f"    notice: {notice.message}", "cyan"),)
        for notice in item.notices
        if notice.message != item.reason  # said on the line above (a completed order's)
    )
    return lines


TAB_SIZE = 8
"""rich's tab stops (`Console.tab_size`)."""


def render_text(plan: Plan, *, color: bool = False) -> str:
    """The plan as terminal text; ANSI colour only when `color` is true."""
    if not color:
        return "".join(f"{_plain(line)}\n" for line in _plan_lines(plan))
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=WIDTH,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        soft_wrap=True,
        emoji=False,
    )
    for line in _plan_lines(plan):
        console.print(Text.assemble(*line))
    return buffer.getvalue()


def _plain(line: Line) -> str:
    """What rich prints for `line` without colour: its text without control codes (rich strips
    them from every `Text`), tabs expanded as rich expands them."""
    text = strip_control_codes("".join(part for part, _ in line))
    if "\t" not in text:
        return text
    expanded = Text(text)
    expanded.expand_tabs(TAB_SIZE)
    return expanded.plain


def _plan_lines(plan: Plan) -> Iterator[Line]:
    """Every line of the plan, as styled segments. Without colour they are written as plain
    text, never made into rich `Text`: rich's per-line rendering, then making a `Text` of each
    line, were a fifth and then a tenth of a 10,000-order plan, and add nothing to uncoloured
    text (soft wrap, no highlighting, no markup: the same characters; the goldens hold both)."""
    yield ((f"Plan: {summary_line(plan)}", "bold"),)
    yield ((scope_line(plan), "dim"),)
    for need in budget_lines(plan):
        yield ((need, "bold yellow"),)
    for item in plan.items:
        if not shown(item):
            continue
        yield ()
        yield from _item_lines(item)
