"""Progress of a running apply on stderr: a rich progress bar on a terminal, lines otherwise.

CI logs want one plain line per item (no cursor tricks, nothing lost when the job is killed);
a person at a terminal wants a live bar with the item in hand. Both print one line per
finished item with its outcome, so the log of a terminal run reads like a CI log; control
characters in a title or message are made visible (`reconciler.redact.printable`), as the
output registry does for every rendered document, so no value starts a line of its own.
"""

from __future__ import annotations

from typing import IO

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from reconciler.apply.executor import Timed
from reconciler.apply.outcomes import Outcome
from reconciler.planning.items import PlanItem
from reconciler.redact import printable, scrub
from reconciler.render.common import item_title

STYLES = {
    Outcome.APPLIED: "green",
    Outcome.SKIPPED: "dim",
    Outcome.FAILED: "bold red",
    Outcome.UNKNOWN: "bold yellow",
}


def describe(item: PlanItem) -> str:
    """`create acme-hq` / `add-note acme-hq #12 PENDING note "..."`."""
    return printable(scrub(f"{item.kind} {item_title(item)}"))


class PlainProgress:
    """One line per finished item, for logs."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._done = 0

    def started(self, index: int, total: int, item: PlanItem) -> None:
        """Nothing until the item is done (keeps CI logs one line per item)."""

    def finished(self, index: int, total: int, timed: Timed) -> None:
        """`[2/5] update acme-hq #12 PENDING: applied (order updated)`: how many items are done
        so far (orders side by side finish out of plan order; the line names the item)."""
        self._done += 1
        result = timed.result
        line = (
            f"[{self._done}/{total}] {describe(result.item)}: {result.outcome} ({result.message})"
        )
        self._stream.write(printable(scrub(line)) + "\n")
        self._stream.flush()

    def close(self) -> None:
        """Nothing to undo."""


class RichProgress:
    """A live progress bar on stderr plus one coloured line per finished item."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
        )
        self._task: TaskID | None = None
        self._finished = 0

    def started(self, index: int, total: int, item: PlanItem) -> None:
        """Show the item in hand."""
        if self._task is None:
            self._progress.start()
            self._task = self._progress.add_task("apply", total=total)
        self._progress.update(self._task, description=escape(describe(item)))

    def finished(self, index: int, total: int, timed: Timed) -> None:
        """Print the outcome line above the bar and advance it; stop after the last item to
        finish (items of different orders may finish out of plan order)."""
        result = timed.result
        style = STYLES[result.outcome]
        self._progress.console.print(
            f"[{style}]{result.outcome:>8}[/] {escape(describe(result.item))}: "
            f"{escape(printable(scrub(result.message)))}"
        )
        if self._task is not None:
            self._progress.advance(self._task)
        self._finished += 1
        if self._finished == total:
            self.close()

    def close(self) -> None:
        """Stop the live display (also when apply ends early: Ctrl-C, an unexpected error)."""
        self._progress.stop()


def progress_for(
    stream: IO[str], *, interactive: bool, color: bool
) -> PlainProgress | RichProgress:
    """Rich on a terminal (`interactive`), plain lines otherwise; the bar and its lines in
    colour only when `color` (`--color`, `NO_COLOR`: `reconciler.cli.common.use_color`)."""
    if interactive:
        console = Console(
            file=stream, stderr=True, force_terminal=True, color_system="auto" if color else None
        )
        return RichProgress(console)
    return PlainProgress(stream)
