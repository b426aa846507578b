"""Planning: typed plan items (`items`), the decision table (`build`), notices.

The table is docs/design.md#decision-table."""

from reconciler.planning.build import build_plan
from reconciler.planning.items import (
    ACTION_KINDS,
    BudgetBreach,
    Kind,
    Notice,
    Plan,
    PlanItem,
    Portability,
    Reason,
    Risk,
)

__all__ = [
    "ACTION_KINDS",
    "BudgetBreach",
    "Kind",
    "Notice",
    "Plan",
    "PlanItem",
    "Portability",
    "Reason",
    "Risk",
    "build_plan",
]
