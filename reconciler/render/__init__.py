"""Renderers of a plan: text (terminals), markdown (PR comments), json (machines).

`render` is the one entry point; every rendering passes through `reconciler.redact.scrub`
last, so a secret value that slipped into any string still never reaches the output. An
`html` renderer (drift reports) can be added to `FORMATS` without touching the others.
"""

from __future__ import annotations

from typing import Literal

from reconciler.planning.items import Plan
from reconciler.redact import scrub
from reconciler.render.jsonfmt import render_json
from reconciler.render.markdown import DEFAULT_ARTIFACT, render_markdown
from reconciler.render.text import render_text

PlanFormat = Literal["text", "markdown", "json"]
FORMATS: tuple[str, ...] = ("text", "markdown", "json")


def render(
    plan: Plan,
    fmt: str,
    *,
    color: bool = False,
    api_calls: int | None = None,
    artifact: str = DEFAULT_ARTIFACT,
) -> str:
    """The plan in `fmt` (`text`, `markdown` or `json`), scrubbed of registered secrets."""
    if fmt == "text":
        out = render_text(plan, color=color)
    elif fmt == "markdown":
        out = render_markdown(plan, artifact=artifact)
    elif fmt == "json":
        out = render_json(plan, api_calls=api_calls)
    else:
        raise ValueError(f"unknown plan format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return scrub(out)


__all__ = ["FORMATS", "PlanFormat", "render"]
