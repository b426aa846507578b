"""`Executor`: carries out a plan's actions in apply order, one item at a time.

Pure-ish: the API client, the clock (and its `sleep`) and the file reader are injected; what
happens is reported to observers (progress on stderr, the audit log) as each item finishes.
Items are independent: one that fails or ends unknown does not stop the others. The only
dependency is that notes and documents of an order created in this run need that create to
have succeeded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from time import monotonic as real_monotonic
from time import sleep as real_sleep
from typing import Protocol

from reconciler.api import ApiError, OutcomeUnknown, PortingClient
from reconciler.apply.context import StepContext, StepError
from reconciler.apply.outcomes import ApplyReport, ItemResult, Outcome
from reconciler.apply.steps import STEPS
from reconciler.desired import DesiredState
from reconciler.essence import PortDefaults
from reconciler.planning.items import Kind, Plan, PlanItem
from reconciler.redact import scrub

INTERRUPTED_ITEM = (
    "interrupted while this item ran; its request may have been sent: `portctl plan` shows "
    "whether it took effect"
)


def utc_now() -> datetime:
    """The default clock: aware UTC now."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Timed:
    """An item result with when it started and finished (for the audit log)."""

    result: ItemResult
    started: datetime
    finished: datetime


class Observer(Protocol):
    """Told about each item as apply goes (progress display, audit log)."""

    def started(self, index: int, total: int, item: PlanItem) -> None:
        """Item `index` (1-based) of `total` is about to run."""

    def finished(self, index: int, total: int, timed: Timed) -> None:
        """Item `index` of `total` is done."""


class Executor:
    """Runs plan items against the API with the level-triggered rules.

    The rules are those of docs/design.md#apply-semantics.
    """

    def __init__(
        self,
        client: PortingClient,
        desired: DesiredState,
        *,
        fingerprints: Mapping[int, str],
        defaults: PortDefaults,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = real_sleep,
        monotonic: Callable[[], float] = real_monotonic,
        observers: Sequence[Observer] = (),
    ) -> None:
        self._client = client
        self._context = StepContext(
            client=client,
            desired=desired,
            defaults=defaults,
            expected=dict(fingerprints),
            sleep=sleep,
            monotonic=monotonic,
        )
        self._clock = clock
        self._observers = tuple(observers)

    def run(self, plan: Plan) -> ApplyReport:
        """Carry out every action of `plan` (in plan order) and report each one's outcome.

        An interrupt (Ctrl-C, or SIGTERM turned into one by the CLI) stops the run between
        or inside items: the item in hand is reported `unknown` (its request may have been
        sent) to every observer, as any other outcome, and the report lists the items not
        started, for the partial outcome table. Observers hear `started` before an item
        sends anything, so the audit log shows every item that may have reached the API.
        """
        actions = plan.actions
        self._context.begin(tuple(i.name for i in actions if i.kind is Kind.CREATE))
        results: list[ItemResult] = []
        for index, item in enumerate(actions, start=1):
            started = self._clock()
            done = False
            try:
                for observer in self._observers:
                    observer.started(index, len(actions), item)
                result = self._one(item)
                results.append(result)
                done = True
                self._tell_finished(index, len(actions), Timed(result, started, self._clock()))
            except KeyboardInterrupt:
                if not done:  # interrupted inside the item: it may have been sent
                    result = ItemResult(
                        item=item,
                        outcome=Outcome.UNKNOWN,
                        message=INTERRUPTED_ITEM,
                        order_id=item.order_id or self._context.created.get(item.name),
                    )
                    results.append(result)
                    self._tell_finished(index, len(actions), Timed(result, started, self._clock()))
                return ApplyReport(
                    plan=plan, results=tuple(results), not_run=actions[index:], interrupted=True
                )
        return ApplyReport(plan=plan, results=tuple(results))

    def _tell_finished(self, index: int, total: int, timed: Timed) -> None:
        for observer in self._observers:
            observer.finished(index, total, timed)

    def _one(self, item: PlanItem) -> ItemResult:
        with self._client.recording() as calls:
            outcome, message, order_id = self._step(item)
        if order_id is None:
            order_id = self._context.created.get(item.name)
        return ItemResult(
            item=item,
            outcome=outcome,
            message=scrub(message),
            order_id=order_id,
            calls=tuple(calls),
        )

    def _step(self, item: PlanItem) -> tuple[Outcome, str, int | None]:
        """Run the item's step; every error it may end in becomes its outcome and message."""
        order_id = item.order_id
        try:
            outcome, message, order_id = STEPS[item.kind](self._context, item)
        except StepError as exc:
            outcome = Outcome.UNKNOWN if exc.unknown else Outcome.FAILED
            message = exc.message
        except OutcomeUnknown as exc:
            outcome, message = Outcome.UNKNOWN, f"outcome unknown: {exc}"
        except ApiError as exc:
            outcome, message = Outcome.FAILED, f"API refused: {exc}"
        except OSError as exc:
            outcome, message = Outcome.FAILED, f"cannot read a file: {exc}"
        return outcome, message, order_id
