"""`portctl status` view: one row per spec with its order's lifecycle, as text or JSON.

The rows are the lifecycle facts drift also shows (`reporting.facts`); this module only
decides the columns and the two renderings. Specs without a live order are listed too (status
`NO ORDER`), since "what happens next" for them is a create.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from reconciler.redact import scrub
from reconciler.render.drift_text import table
from reconciler.reporting.facts import OrderFacts

FORMAT_VERSION = 1
STATUS_FORMATS: tuple[str, ...] = ("text", "json")
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


def render_status(facts: Sequence[OrderFacts], fmt: str, *, today: date) -> str:
    """The status table as `text` or a `json` document (`formatVersion` 1), scrubbed."""
    if fmt == "json":
        document = {
            "formatVersion": FORMAT_VERSION,
            "today": today.isoformat(),
            "orders": [f.to_dict() for f in facts],
        }
        out = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    elif fmt == "text":
        managed = sum(1 for f in facts if f.managed)
        specs = f"{len(facts)} spec{'s' if len(facts) != 1 else ''}"
        head = f"Status on {today.isoformat()}: {specs}, {managed} with a live order"
        lines = [head, "", *table(HEADER, status_rows(facts), indent="")] if facts else [head]
        out = "\n".join(lines) + "\n"
    else:
        raise ValueError(
            f"unknown status format {fmt!r}; choose one of {', '.join(STATUS_FORMATS)}"
        )
    return scrub(out)
