"""Public face of planning: `from reconciler.plan import Plan, PlanItem, build_plan, ...`.

The implementation lives in `reconciler.planning` (items, decision table, notices); this module
keeps one short, stable import path for apply, drift and status.
"""

from reconciler.planning import (
    ACTION_KINDS,
    BudgetBreach,
    Kind,
    Notice,
    Plan,
    PlanItem,
    Portability,
    Risk,
    build_plan,
)

__all__ = [
    "ACTION_KINDS",
    "BudgetBreach",
    "Kind",
    "Notice",
    "Plan",
    "PlanItem",
    "Portability",
    "Risk",
    "build_plan",
]
