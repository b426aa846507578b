"""`portctl status` output: one row per spec with its order's lifecycle, as text or JSON.

The rows are the lifecycle facts drift also shows (`reporting.facts`); this module only
decides the columns and the two renderings. Specs without a live order are listed too (status
`NO ORDER`), since "what happens next" for them is a create.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from reconciler.render.drift_text import table
from reconciler.reporting.facts import OrderFacts

FORMAT_VERSION = 1
HEADER = ("name", "id", "status", "numbers", "FOC", "next step")


def status_rows(facts: Sequence[OrderFacts]) -> tuple[tuple[str, ...], ...]:
    """The table cells of each spec's row."""
    return tuple(
        (
            f.name,
            str(f.order_id) if f.order_id is not None else "-",
            f.status,
            f.numbers_text,
            f.foc_range,
            f.next_step,
        )
        for f in facts
    )


def render_status_json(facts: Sequence[OrderFacts], *, today: date) -> str:
    """The status document (`formatVersion` 1): today and every spec's lifecycle facts."""
    document = {
        "formatVersion": FORMAT_VERSION,
        "today": today.isoformat(),
        "orders": [f.to_dict() for f in facts],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_status_text(facts: Sequence[OrderFacts], *, today: date) -> str:
    """A head line, then one aligned row per spec."""
    managed = sum(1 for f in facts if f.managed)
    specs = f"{len(facts)} spec{'s' if len(facts) != 1 else ''}"
    head = f"Status on {today.isoformat()}: {specs}, {managed} with a live order"
    lines = [head, "", *table(HEADER, status_rows(facts), indent="")] if facts else [head]
    grouped = [f for f in facts if f.groups]
    if grouped:
        lines += ["", "Activation groups (offered: availableActivations now; approved: the spec):"]
        for f in grouped:
            lines.append(f"  {f.name} #{f.order_id} {f.status} ({f.activation})")
            lines += [f"    {g.text}" for g in f.groups]
    return "\n".join(lines) + "\n"
