"""Planning: typed plan items (`items`), the DESIGN §3 decision table (`build`), notices."""

from reconciler.planning.build import build_plan
from reconciler.planning.items import (
    ACTION_KINDS,
    BudgetBreach,
    Kind,
    Notice,
    Plan,
    PlanItem,
    Portability,
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
    "Risk",
    "build_plan",
]
