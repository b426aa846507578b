"""Plan as JSON for machines (`formatVersion` 1, documented in the README).

Stable key order and no timestamps: the same plan gives the same bytes. Saved plans
(`reconciler.savedplan`) extend this document with the spec digest and fingerprints.
"""

from __future__ import annotations

import json
from typing import Any

from reconciler.planning.items import Plan

FORMAT_VERSION = 1


def _with_remedy(data: dict[str, Any], remedy: str) -> dict[str, Any]:
    """An item's JSON with its `remedy` (blocked, conflict, wait); outside the checksum, which
    covers what apply does."""
    return {**data, "remedy": remedy} if remedy else data


def plan_document(plan: Plan, *, api_calls: int | None = None) -> dict[str, Any]:
    """The JSON document of a plan as a dict (saved plans add keys to it)."""
    document: dict[str, Any] = {
        "formatVersion": FORMAT_VERSION,
        "summary": {
            "counts": plan.counts(),
            "risks": plan.risk_counts(),
            "numbersAffected": len(plan.numbers_affected()),
            "hasChanges": plan.has_changes,
            "hasBlocked": plan.has_blocked,
        },
        "settings": plan.scope.to_dict(),
        "budgetsNeeded": [b.to_dict() for b in plan.budget_needs()],
        "checksum": plan.checksum(),
        "items": [_with_remedy(item.to_dict(), item.remedy) for item in plan.items],
    }
    if api_calls is not None:
        document["apiCalls"] = api_calls
    return document


def render_json(plan: Plan, *, api_calls: int | None = None) -> str:
    """The plan as indented JSON text."""
    return json.dumps(plan_document(plan, api_calls=api_calls), indent=2, ensure_ascii=False) + "\n"
