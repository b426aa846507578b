"""The drift report: the plan sorted into what a human must look at, plus lifecycle facts.

Drift is *derived from the plan*, never computed by a second diff engine, so `drift` and
`plan` can never disagree:

* actionable: items apply can carry out (or is waiting to carry out) on changeable orders;
* blocked: items that cannot happen as the specs ask (CONFIRMED orders, conflicts, numbers
  that are not portable);
* orphans: live orders under the reference prefix that no spec describes;
* archivable: specs whose order is COMPLETED or CANCELED (nothing left to reconcile);
* lifecycle: per managed order, status and carrier facts (see `reporting.facts`).

Exit code (docs/design.md#exit-codes): 3 when anything is blocked (wins), 2 for actionable drift or
orphans, 0 otherwise; lifecycle facts and archivable specs are information, not drift. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from reconciler.desired import DesiredState
from reconciler.live import LiveSnapshot
from reconciler.planning.items import ACTION_KINDS, Kind, Plan, PlanItem, Reason, Risk
from reconciler.reporting.facts import OrderFacts, all_facts

FORMAT_VERSION = 1

ARCHIVABLE_CODES: frozenset[Reason] = frozenset(
    {Reason.ORDER_COMPLETED, Reason.ALREADY_CANCELED, Reason.NO_LIVE_ORDER}
)
"""Plan reason codes of specs with nothing left to reconcile.

The `noop` rows of docs/design.md#decision-table.
"""


@dataclass(frozen=True)
class DriftReport:
    """The sorted findings of one drift run."""

    today: date
    actionable: tuple[PlanItem, ...]
    blocked: tuple[PlanItem, ...]
    orphans: tuple[PlanItem, ...]
    archivable: tuple[PlanItem, ...]
    lifecycle: tuple[OrderFacts, ...]
    specs: int = 0

    @property
    def verdict(self) -> str:
        """`blocked` (wins), `drift` or `in-sync`; the CLI maps it to exit 3, 2 or 0."""
        if self.blocked:
            return "blocked"
        if self.actionable or self.orphans:
            return "drift"
        return "in-sync"

    @property
    def attention(self) -> tuple[OrderFacts, ...]:
        """Managed orders with rejections, carrier notes or dates in the next seven days."""
        return tuple(f for f in self.lifecycle if f.rejections or f.notes or f.upcoming)

    def counts(self) -> dict[str, int]:
        """Summary figures, in display order."""
        numbers = sum(sum(f.numbers_by_status.values()) for f in self.lifecycle)
        return {
            "specs": self.specs,
            "managedOrders": len(self.lifecycle),
            "numbers": numbers,
            "actionable": len(self.actionable),
            "blocked": len(self.blocked),
            "orphans": len(self.orphans),
            "archivable": len(self.archivable),
            "rejectedNumbers": sum(len(f.rejections) for f in self.lifecycle),
            "upcoming": sum(len(f.upcoming) for f in self.lifecycle),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON document (`formatVersion` 1): no secrets, no timestamps besides `today`."""
        return {
            "formatVersion": FORMAT_VERSION,
            "today": self.today.isoformat(),
            "verdict": self.verdict,
            "summary": self.counts(),
            "actionable": [i.to_dict() for i in self.actionable],
            "blocked": [i.to_dict() for i in self.blocked],
            "orphans": [i.to_dict() for i in self.orphans],
            "archivable": [i.to_dict() for i in self.archivable],
            "lifecycle": [f.to_dict() for f in self.lifecycle],
        }


def classify(item: PlanItem) -> str | None:
    """`actionable`, `blocked`, `orphan`, `archivable`, or None (in sync)."""
    if item.risk is Risk.BLOCKED:
        return "blocked"
    if item.kind in ACTION_KINDS or item.kind is Kind.WAIT:
        return "actionable"
    if item.kind is Kind.ORPHAN:
        return "orphan"
    if item.kind is Kind.NOOP and item.reason_code in ARCHIVABLE_CODES:
        return "archivable"
    return None


def build_drift(
    desired: DesiredState,
    live: LiveSnapshot,
    plan: Plan,
    *,
    today: date,
) -> DriftReport:
    """Sort `plan` (built from `desired` and `live`) into a drift report."""
    buckets: dict[str, list[PlanItem]] = {}  # plan order is deterministic: kept
    for item in plan.items:
        category = classify(item)
        if category is not None:
            buckets.setdefault(category, []).append(item)
    facts = all_facts(desired.orders, live, plan.items, today=today)
    return DriftReport(
        today=today,
        actionable=tuple(buckets.get("actionable", ())),
        blocked=tuple(buckets.get("blocked", ())),
        orphans=tuple(buckets.get("orphan", ())),
        archivable=tuple(buckets.get("archivable", ())),
        lifecycle=tuple(f for f in facts if f.managed),
        specs=len(desired.orders),
    )
