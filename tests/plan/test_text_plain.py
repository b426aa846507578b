"""Uncoloured plan text is written without rich (issue 12) and must be what rich would print."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.text import Text

from reconciler.render.text import WIDTH, _plain


@pytest.mark.parametrize(
    "text",
    [
        "a\x07b\x1b[31mc\rd\te",
        "x" * 150 + " y",
        " trailing  ",
        "[bold]m[/]",
        ":smile:",
        "\tab\t\td",
    ],
)
def test_plain_lines_are_what_rich_prints_without_colour(text: str) -> None:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=WIDTH,
        no_color=True,
        color_system=None,
        highlight=False,
        soft_wrap=True,
        emoji=False,
    )
    console.print(Text(text, style="bold red"))

    assert _plain(((text, "bold red"),)) + "\n" == buffer.getvalue()
    assert _plain(((text[:3], "bold"), (text[3:], ""))) + "\n" == buffer.getvalue()
