"""`Executor`: carries out a plan's actions, independent orders side by side.

Pure-ish: the API client, the clock (and its `sleep`) and the file reader are injected; what
happens is reported to observers (progress on stderr, the audit log) as each item starts and
finishes. Items are independent: one that fails or ends unknown does not stop the others. The
dependencies are kept by grouping (`independent_groups`): the items of one order (a create
and its notes, documents, activation; an update and its notes), and items that share a phone
number (an update that frees a number before a create takes it), run one after another in plan
order; groups run side by side, at most the parallelism ceiling at once
(docs/design.md#apply-semantics). The configuration goes first, alone: orders' defaults
follow it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from time import monotonic as real_monotonic
from time import sleep as real_sleep
from typing import Protocol

from reconciler.api import ApiError, OutcomeUnknown, PortingClient
from reconciler.api.session import ApiCall, Stopped
from reconciler.apply.context import CreateChecks, StepContext, StepError
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


def independent_groups(actions: Sequence[PlanItem]) -> list[list[int]]:
    """Positions of `actions` in groups that may run side by side, each in plan order.

    Items are joined when they name the same spec, the same order or a common phone number:
    the notes of an order created in this run need that create first, and an update that
    takes a number off one order must go before the create that puts it on another (the plan
    counts on apply order for that). Groups come in the order of their first item.
    """
    parent = list(range(len(actions)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[str, object], int] = {}
    for index, item in enumerate(actions):
        keys: list[tuple[str, object]] = [("name", item.name)]
        if item.order_id is not None:
            keys.append(("order", item.order_id))
        keys += [("number", n) for n in item.numbers]
        for key in keys:
            first = owner.setdefault(key, index)
            parent[root(index)] = root(first)
    groups: dict[int, list[int]] = {}
    for index in range(len(actions)):
        groups.setdefault(root(index), []).append(index)
    return sorted(groups.values(), key=lambda g: g[0])


def workers_for(groups: int, ceiling: int) -> int:
    """How many groups run at once: one after another for a plan of at most `ceiling` groups,
    else `ceiling`.

    Parallel runs are for bulk applies (a migration of hundreds of orders), where they divide
    the wall time by the ceiling. A plan of a few orders, the usual reviewed change, costs at
    most `ceiling` orders' time one by one, and keeps what a serial run gives: progress and
    audit lines in plan order, at most one request in flight when the run is killed, and one
    item `unknown` when it is interrupted.
    """
    return 1 if groups <= ceiling else max(1, ceiling)


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
        parallelism: int | None = None,
        first_look: CreateChecks | None = None,
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
        self._parallelism = parallelism
        """Groups at once, at most (`workers_for`); None: the client's ceiling
        (`--parallelism`). Requests in flight stay under the client's adaptive limit."""
        self._first_look = first_look
        """The look the plan took (`CreateChecks.from_plan`): creates rely on it while it is
        younger than `CHECKS_FRESH_S`, instead of listing every order again."""

    def run(self, plan: Plan) -> ApplyReport:
        """Carry out every action of `plan` and report each one's outcome, in plan order.

        The configuration item runs first, alone; then the groups of `independent_groups`,
        `workers_for` of them at once. One at a time, this thread runs them in plan order and
        an interrupt (Ctrl-C, or SIGTERM turned into one by the CLI) makes the item in hand
        `unknown`, as a serial apply always did. Several at once, they run on worker threads
        while this thread waits, so that the interrupt arrives here. The first one stops the
        run: the client refuses every request not yet sent, no item starts, and the items in
        hand end; one whose mutation was on the wire at the stop, or that was stopped before it
        was done, is reported `unknown` (its request may have been sent), one that needed
        nothing more keeps its outcome. A second interrupt stops the waiting: the items still
        in hand are reported `unknown` at once. The report lists the items not started, for
        the partial outcome table. Observers hear `started` before an item sends anything, so
        the audit log shows every item that may have reached the API; they are told one at a
        time, as items start and finish.
        """
        actions = plan.actions
        self._context.begin(
            tuple(i.name for i in actions if i.kind is Kind.CREATE), self._first_look
        )
        first = [[i] for i, item in enumerate(actions) if item.kind is Kind.CONFIGURE]
        others = [i for i, item in enumerate(actions) if item.kind is not Kind.CONFIGURE]
        groups = [
            [others[j] for j in group] for group in independent_groups([actions[i] for i in others])
        ]
        ceiling = self._parallelism or self._client.parallelism.ceiling
        running = _Run(self, actions)
        interrupted = running.go([(first, 1), (groups, workers_for(len(groups), ceiling))])
        return ApplyReport(
            plan=plan,
            results=tuple(running.results[i] for i in sorted(running.results)),
            not_run=tuple(a for i, a in enumerate(actions) if i not in running.started),
            interrupted=interrupted,
        )

    def one(self, item: PlanItem) -> ItemResult:
        """Run one item and record the calls it made (this thread's); see `run` for how an
        interrupt decides its outcome."""
        with self._client.recording() as calls:
            try:
                outcome, message, order_id = self._step(item)
            except Stopped:
                outcome, message, order_id = Outcome.UNKNOWN, INTERRUPTED_ITEM, item.order_id
        if any(c.after_stop and c.mutating for c in calls):
            outcome, message = Outcome.UNKNOWN, INTERRUPTED_ITEM
        return self.result(item, outcome, message, order_id, tuple(calls))

    def result(
        self,
        item: PlanItem,
        outcome: Outcome,
        message: str,
        order_id: int | None = None,
        calls: tuple[ApiCall, ...] = (),
    ) -> ItemResult:
        """An item's result, with the order it ended on (a create's, when the plan had none)."""
        if order_id is None:
            order_id = self._context.created.get(item.name)
        return ItemResult(
            item=item, outcome=outcome, message=scrub(message), order_id=order_id, calls=calls
        )

    def stop(self) -> None:
        """Refuse every request not yet sent (`PortingClient.stop`)."""
        self._client.stop()

    @property
    def clock(self) -> Callable[[], datetime]:
        """The clock items are timed by."""
        return self._clock

    @property
    def observers(self) -> tuple[Observer, ...]:
        """Who hears of items starting and finishing."""
        return self._observers

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


WAIT_SLICE_S = 0.5
"""The longest the waiting thread blocks at once (signals are handled in between)."""


class _Run:
    """One `Executor.run`: the worker threads, what started, the results, the stop.

    With one worker the calling thread runs the items itself, as a serial apply always did.
    With more, the waiting thread never joins a worker: in CPython before 3.13 an interrupted
    `Thread.join` can mark a running thread as stopped (the bpo-45274 clean-up). It waits on a
    condition instead: until every group is done, or, once stopped, until every item that
    started has its result. A worker's observer calls all happen before that, under the lock.
    """

    def __init__(self, executor: Executor, actions: Sequence[PlanItem]) -> None:
        self._executor = executor
        self._actions = actions
        self._changed = threading.Condition()
        self._queue: deque[list[int]] = deque()
        self._groups_left = 0
        self._stopping = False
        self._failure: BaseException | None = None
        self.started: dict[int, datetime] = {}
        self.results: dict[int, ItemResult] = {}

    def go(self, phases: Sequence[tuple[list[list[int]], int]]) -> bool:
        """Run each phase's groups with its number of workers, one phase after the other;
        True if interrupted. One worker means no thread: the calling thread runs the items
        itself, in plan order, so that an interrupt lands inside the item in hand."""
        for groups, workers in phases:
            inline = workers == 1
            try:
                if inline:
                    self._inline(groups)
                else:
                    self._phase(groups, workers)
            except KeyboardInterrupt:
                self._interrupted(inline=inline)
                return True
        return False

    def _interrupted(self, *, inline: bool) -> None:
        """Stop; with workers, wait for the items in hand (a second interrupt stops the
        waiting); report what is still in hand as unknown."""
        try:
            self._stop()
            if not inline:
                self._wait_in_hand()
        except KeyboardInterrupt:
            self._stop()  # the second may have come before the first's stop was done
        self._give_up()

    def _inline(self, groups: list[list[int]]) -> None:
        for index in sorted(i for group in groups for i in group):
            if not self._start(index):
                return
            result = self._executor.one(self._actions[index])
            with self._changed:
                self._finish(index, result)

    def _phase(self, groups: list[list[int]], workers: int) -> None:
        with self._changed:
            self._queue.extend(groups)
            self._groups_left = len(groups)
        for _ in range(min(workers, len(groups))):
            # daemon: after a second interrupt the process exits without waiting for them
            threading.Thread(target=self._work, name="portctl-apply", daemon=True).start()
        with self._changed:
            while self._groups_left and self._failure is None:
                self._changed.wait(WAIT_SLICE_S)
            self._raise_failure()

    def _wait_in_hand(self) -> None:
        """After the stop: until every item that started has its result."""
        with self._changed:
            while set(self.started) - set(self.results) and self._failure is None:
                self._changed.wait(WAIT_SLICE_S)
            self._raise_failure()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _stop(self) -> None:
        self._executor.stop()
        with self._changed:
            self._stopping = True
            self._queue.clear()

    def _give_up(self) -> None:
        """Report what is still in hand as unknown (the item an interrupt hit in the calling
        thread; after a second interrupt, what the workers still have)."""
        with self._changed:
            for index in sorted(set(self.started) - set(self.results)):
                self._finish(index, self._executor.result(self._actions[index], *_UNKNOWN))

    def _work(self) -> None:
        try:
            while True:
                with self._changed:
                    if self._stopping or not self._queue:
                        return
                    group = self._queue.popleft()
                self._run_group(group)
                with self._changed:
                    self._groups_left -= 1
                    self._changed.notify_all()
        except BaseException as exc:  # noqa: BLE001 (a bug: stop, and raise it in the waiting thread)
            self._executor.stop()
            with self._changed:
                self._stopping = True
                self._failure = exc
                self._changed.notify_all()

    def _run_group(self, group: list[int]) -> None:
        for index in group:
            if not self._start(index):
                return
            result = self._executor.one(self._actions[index])
            with self._changed:
                if index not in self.results:  # else given up on (`_give_up`)
                    self._finish(index, result)

    def _start(self, index: int) -> bool:
        """Mark item `index` started and tell the observers, unless the run is stopping."""
        with self._changed:
            if self._stopping:
                return False
            self.started[index] = self._executor.clock()
            for observer in self._executor.observers:
                observer.started(index + 1, len(self._actions), self._actions[index])
            return True

    def _finish(self, index: int, result: ItemResult) -> None:
        """Record and tell item `index`'s result (the caller holds the lock)."""
        self.results[index] = result
        timed = Timed(result, self.started[index], self._executor.clock())
        for observer in self._executor.observers:
            observer.finished(index + 1, len(self._actions), timed)
        self._changed.notify_all()


_UNKNOWN = (Outcome.UNKNOWN, INTERRUPTED_ITEM)
