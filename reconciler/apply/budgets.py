"""Safety budgets for one apply: `portctl.yaml` `safety` first, command-line flags over it.

A flag given on the command line wins for this run only, so CI can keep tight defaults in
the repository and a reviewer can raise one budget for one reviewed change.
"""

from __future__ import annotations

from dataclasses import replace

from reconciler.desired import SafetyBudgets


def effective_budgets(
    configured: SafetyBudgets,
    *,
    max_cancels: int | None = None,
    max_prune: int | None = None,
    max_numbers: int | None = None,
) -> SafetyBudgets:
    """`configured` with every flag that was given put over it."""
    budgets = configured
    if max_cancels is not None:
        budgets = replace(budgets, max_cancels=max_cancels)
    if max_prune is not None:
        budgets = replace(budgets, max_prune=max_prune)
    if max_numbers is not None:
        budgets = replace(budgets, max_numbers_touched=max_numbers)
    return budgets
