"""What happened to each plan item during an apply, and what that means for the exit code.

Four outcomes, as docs/design.md#apply-semantics names them: `applied` (this run changed something
and a re-read confirmed it), `skipped` (already satisfied when re-read: nothing sent), `failed` (the
API said no, or a precondition no longer held: nothing was changed by this item) and `unknown` (a
mutation may or may not have taken effect and a lookup could not tell: a person must check).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from reconciler.api.session import ApiCall
from reconciler.planning.items import Plan, PlanItem


class Outcome(StrEnum):
    """The result of carrying out one plan item."""

    APPLIED = "applied"
    SKIPPED = "skipped"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ItemResult:
    """One item's outcome, with the order it ended up on and the calls it took."""

    item: PlanItem
    outcome: Outcome
    message: str
    order_id: int | None = None
    calls: tuple[ApiCall, ...] = ()

    @property
    def action(self) -> str:
        """The item kind as a word (`create`, `add-note`, ...)."""
        return str(self.item.kind)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape (json output); no secret values (messages are scrubbed upstream)."""
        data: dict[str, Any] = {
            "name": self.item.name,
            "reference": self.item.reference,
            "action": self.action,
            "orderId": self.order_id,
            "outcome": str(self.outcome),
            "message": self.message,
            "apiCalls": [c.to_dict() for c in self.calls],
        }
        if self.item.note is not None:
            data["note"] = self.item.note
        if self.item.document is not None:
            data["document"] = self.item.document
        if self.item.groups:
            data["groups"] = list(self.item.groups)
        return data


@dataclass(frozen=True)
class ApplyReport:
    """Every item's result, in plan order (whatever order they finished in), plus the plan."""

    plan: Plan
    results: tuple[ItemResult, ...] = field(default=())
    not_run: tuple[PlanItem, ...] = ()
    """Actions not started because the run was interrupted: left for the next run."""
    interrupted: bool = False

    def counts(self) -> dict[str, int]:
        """Results per outcome, all four always present (zeros included)."""
        counter = Counter(r.outcome for r in self.results)
        return {str(o): counter[o] for o in Outcome}

    @property
    def mutating_calls(self) -> int:
        """How many mutating API calls the run made (0 for a run with nothing to do)."""
        return sum(1 for r in self.results for c in r.calls if c.mutating)

    @property
    def ok(self) -> bool:
        """Nothing failed, nothing is unknown and the run was not interrupted."""
        return not self.interrupted and all(
            r.outcome in (Outcome.APPLIED, Outcome.SKIPPED) for r in self.results
        )
