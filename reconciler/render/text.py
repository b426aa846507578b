"""Plan for a terminal: one block per item, colour only when asked (TTY and no NO_COLOR).

Built from rich `Text` objects, never from markup strings, so names and values containing
`[` or `]` print as they are. Wide enough not to cut values (rich cuts cells at 80 columns
when piped), and free of timestamps so the output is golden-testable.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from rich.console import Console
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


def _item_lines(item: PlanItem) -> list[Text]:
    style = KIND_STYLES[item.kind]
    head = Text()
    head.append(f"{SYMBOLS[item.kind]} {item.kind}", style=style)
    head.append(f"  {item_title(item)}", style="bold")
    if item.risk is not Risk.NONE:
        head.append(f"  [{item.risk}]", style="bold red" if item.risk is not Risk.SAFE else "")
    lines = [head, Text(f"    {item.reason} — {item.reason_code}", style="dim")]
    if item.remedy:
        lines.append(Text(f"    remedy: {item.remedy}", style=style))
    for row in change_rows(item.changes):
        line = Text("    ")
        line.append(f"{row.op} {row.path}: ", style=OP_STYLES[row.op])
        line.append(row.text)
        lines.append(line)
        lines.extend(
            Text(f"        {' '.join(row.numbers[i : i + NUMBERS_PER_LINE])}")
            for i in range(0, len(row.numbers), NUMBERS_PER_LINE)
        )
    lines.extend(
        Text(f"    {p.number}: not portable ({p.reason or 'no reason given'})", style="red")
        for p in item.portability
        if not p.portable
    )
    lines.extend(Text(f"    notice: {notice.message}", style="cyan") for notice in item.notices)
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
        console.print(line)
    return buffer.getvalue()


def _plain(line: Text) -> str:
    """What rich prints for `line` without colour: its text (control codes are stripped when a
    `Text` is made), tabs expanded as rich expands them."""
    if "\t" not in line.plain:
        return line.plain
    expanded = line.copy()
    expanded.expand_tabs(TAB_SIZE)
    return expanded.plain


def _plan_lines(plan: Plan) -> Iterator[Text]:
    """Every line of the plan, styled. Without colour they are written as plain text: rich's
    per-line rendering was a fifth of a 10,000-order plan and adds nothing to uncoloured text
    (soft wrap, no highlighting, no markup: the same characters; the goldens hold both)."""
    yield Text(f"Plan: {summary_line(plan)}", style="bold")
    yield Text(scope_line(plan), style="dim")
    for need in budget_lines(plan):
        yield Text(need, style="bold yellow")
    for item in plan.items:
        if not shown(item):
            continue
        yield Text()
        yield from _item_lines(item)
