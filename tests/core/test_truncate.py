"""The one Markdown size cap every GitHub-bound rendering goes through (`render.truncate`)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reconciler.render.truncate import fit_markdown

PIECES = st.lists(st.text(alphabet="ab\n", max_size=40).map(lambda s: s + "\n"), max_size=12)


@given(PIECES, PIECES, st.integers(min_value=200, max_value=600))
def test_output_is_whole_pieces_under_the_cap_with_a_notice_when_cut(
    head: list[str], blocks: list[str], max_chars: int
) -> None:
    full = "".join(head + blocks)
    text = fit_markdown(
        head, blocks, head_name="summary", unit="item", artifact="the artifact", max_chars=max_chars
    )
    assert len(text) <= max_chars
    if len(full) <= max_chars:
        assert text == full
        return
    kept, _, notice = text.partition("\n**Truncated:** ")
    assert full.startswith(kept)
    pieces = head + blocks
    count = next(i for i in range(len(pieces) + 1) if "".join(pieces[:i]) == kept)
    left = len(pieces) - count
    shown = min(left, len(blocks))
    assert notice.startswith(
        f"{'the rest of the summary and ' if left > len(blocks) else ''}{shown} item"
    )
    assert notice.endswith("See the artifact.\n")


def test_a_block_is_never_cut_in_the_middle() -> None:
    blocks = [f"<details>{'x' * 50}</details>\n" for _ in range(5)]
    text = fit_markdown(
        ["# head\n"], blocks, head_name="tables", unit="change block", artifact="A", max_chars=250
    )
    assert text.count("<details>") == text.count("</details>") == 2
    assert "**Truncated:** 3 change blocks not shown (size limit). See A." in text
