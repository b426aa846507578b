"""The one size cap for Markdown that goes to GitHub (PR comments, issue bodies, job summaries).

GitHub refuses a comment or issue body over 65,536 characters, so a plan or drift report of a
few hundred orders would not be posted at all. Every Markdown renderer hands its output here
as pieces in reading order (summary lines first, then one block per item) and gets back as
many whole pieces as fit, with a notice that says what was left out and where the full output
is. Pieces are never cut in the middle: a half table row or an unclosed `<details>` would
garble everything after it.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_CHARS = 60_000
"""Below GitHub's 65,536, leaving room for what a workflow adds around the text."""


def _notice(pieces_left: int, blocks: int, names: tuple[str, str], artifact: str) -> str:
    """What was left out: `N units`, and `the rest of the <head>` if the cut came before them."""
    head_name, unit = names
    left = min(pieces_left, blocks)
    head_cut = f"the rest of the {head_name} and " if pieces_left > blocks else ""
    return (
        f"\n**Truncated:** {head_cut}{left} {unit}{'s' if left != 1 else ''} not shown "
        f"(size limit). See {artifact}.\n"
    )


def fit_markdown(
    head: Sequence[str],
    blocks: Sequence[str],
    *,
    head_name: str,
    unit: str,
    artifact: str,
    max_chars: int = MAX_CHARS,
) -> str:
    """`head` then `blocks` (each piece carries its own line breaks), at most `max_chars` long.

    A piece is kept only if, after it, the notice for everything still left fits too; so the
    cap holds wherever the cut falls, even inside `head` (a thousand blocked items listed in
    the summary). The notice calls the head `head_name` (`summary`, `tables`) and a block
    `unit` (`item`, `change block`).
    """
    names = (head_name, unit)
    pieces = [*head, *blocks]
    text = ""
    for index, piece in enumerate(pieces):
        after = len(pieces) - index - 1
        notice = _notice(after, len(blocks), names, artifact) if after else ""
        if len(text) + len(piece) + len(notice) > max_chars:
            return text + _notice(after + 1, len(blocks), names, artifact)
        text += piece
    return text
