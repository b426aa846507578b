"""The plan's `Output` (`portctl plan`, `portctl show`, and the plan `apply` prints).

Kept beside its renderers rather than in `reconciler.render.registry`, as validate's is, so
that `portctl plan` imports the plan's renderers only, not every command's (the drift report's,
import's with ruamel.yaml, doctor's with the emulator).
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.planning.items import Plan
from reconciler.render.jsonfmt import render_json
from reconciler.render.markdown import render_markdown
from reconciler.render.output import Output
from reconciler.render.text import render_text


@dataclass(frozen=True)
class PlanView:
    """A plan, and how `plan`/`apply` were asked to show it."""

    plan: Plan
    color: bool = False
    """ANSI colour in text (a terminal without NO_COLOR)."""
    api_calls: int | None = None
    """Reads the plan took, for the JSON document (`plan` only)."""


PLAN: Output[PlanView] = Output(
    "plan",
    {
        "text": lambda v: render_text(v.plan, color=v.color),
        "markdown": lambda v: render_markdown(v.plan),
        "json": lambda v: render_json(v.plan, api_calls=v.api_calls),
    },
)

SHOW: Output[PlanView] = Output("show", PLAN.renderers)
"""`portctl show PLANFILE`: a saved plan, in every format a fresh one has."""
