"""The watcher's worker: turns pending events into one look per order, and resyncs.

Level-triggered: an event only says "look at order N". The worker waits until the events have
settled (no new one for `quiet` seconds, or the oldest waited `max_delay`), so a burst of
webhooks about one order costs one API read of it, then for each order with pending events:
re-reads it, plans it from the specs at the current checkout (`decide`, the planner of
`portctl plan`), activates `when: ready` groups through the apply executor (which re-reads the
order and checks it did not move right before acting) and queues notifications. The events it
covered are marked done only after that, so a crash repeats the look (at least once) and the
plan, not a memory of what was done, keeps the action from repeating (the groups are active).

Every `resync` seconds (and at start) every open order of the project's specs is queued, so a
lost webhook costs at most one interval. Stopping (`stop`) lets the order in hand finish; the
rest stays pending in the store for the next start.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from reconciler.api import ApiError, PortingClient
from reconciler.api.errors import NotFound
from reconciler.apply import Executor
from reconciler.apply.lock import ApplyLocked
from reconciler.clock import cli_today
from reconciler.desired import DesiredOrder, DesiredState
from reconciler.essence import port_defaults
from reconciler.lifecycle import is_open, order_status
from reconciler.live import LiveSnapshot, live_summary
from reconciler.planning import Plan, PlanItem, build_plan
from reconciler.redact import scrub
from reconciler.savedplan import plan_fingerprints
from reconciler.watch import decide
from reconciler.watch.decide import Notification
from reconciler.watch.metrics import Metrics
from reconciler.watch.store import Store

log = logging.getLogger(__name__)

RETRY_AFTER_ERROR_SECONDS = 30.0
"""Pause before trying pending events again after the API or the specs failed."""
KEEP_DONE_SECONDS = 7 * 24 * 3600.0
"""Processed events are kept this long (for `--status` counts), then deleted."""


class SpecsUnusable(Exception):
    """The specs at the current checkout do not load; the message says why (no secrets)."""


@dataclass(frozen=True)
class WorkerSettings:
    """How the worker reaches the specs, the API and the people."""

    load_specs: Callable[[], DesiredState]
    """The specs at the current checkout (raises `SpecsUnusable`), re-read for every batch."""
    client_factory: Callable[[], PortingClient]
    """A fresh client per batch (its per-run retry budget starts anew)."""
    link: Callable[[int | None], str]
    """A link to an order, for messages."""
    targets: Sequence[str]
    """Configured notification targets (`notify.SLACK`, `notify.WEBHOOK`)."""
    resync_seconds: float
    lock: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext
    """Held while acting: the apply lock of the checkout (`ApplyLocked` while an apply runs),
    so the watcher and `portctl apply` never act on the project at the same time."""
    quiet_seconds: float = 2.0
    """A burst has ended when no event came for this long (then each order is read once)."""
    max_delay_seconds: float = 30.0
    """...or when its oldest event waited this long (a stream that never pauses)."""
    batch: int = 100


class Worker:
    """Processes pending events and resyncs, in one thread (`run`)."""

    def __init__(
        self,
        store: Store,
        metrics: Metrics,
        settings: WorkerSettings,
        *,
        notify_wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.metrics = metrics
        self.settings = settings
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self._notify_wake = notify_wake
        self._next_resync = 0.0
        self._retry_at = 0.0
        self.idle = threading.Event()
        """Set while nothing is pending and no order is in hand (tests, `/healthz`)."""

    def stop(self) -> None:
        """Finish the order in hand, then return from `run`."""
        self.stopping.set()
        self.wake.set()

    # -- the loop ----------------------------------------------------------------------------

    def run(self) -> None:
        """Resync when due, process pending events, sleep until something happens."""
        while not self.stopping.is_set():
            now = time.time()
            try:
                if now >= self._next_resync and now >= self._retry_at:
                    self.resync()
                if now >= self._retry_at:
                    self.drain()
            except (ApiError, SpecsUnusable) as exc:
                log.warning(
                    "will try again in %.0f s: %s", RETRY_AFTER_ERROR_SECONDS, scrub(str(exc))
                )
                self._retry_at = time.time() + RETRY_AFTER_ERROR_SECONDS
            except Exception:
                log.exception("watcher worker error; will try again")
                self._retry_at = time.time() + RETRY_AFTER_ERROR_SECONDS
            self.idle.set()
            pause = max(0.0, min(self._next_resync, max(self._retry_at, time.time())) - time.time())
            if self.store.newest_pending() is not None and time.time() >= self._retry_at:
                pause = min(pause, self.settings.quiet_seconds)
            self.wake.wait(timeout=max(pause, 0.05))
            self.wake.clear()

    def _settled(self) -> bool:
        """Whether pending events have stopped coming (or waited long enough)."""
        newest, oldest = self.store.newest_pending(), self.store.oldest_pending()
        if newest is None or oldest is None:
            return True
        now = time.time()
        return (
            now - newest >= self.settings.quiet_seconds
            or now - oldest >= self.settings.max_delay_seconds
        )

    def drain(self) -> None:
        """Process pending orders, batch after batch, once the events have settled."""
        while not self.stopping.is_set():
            pending = self.store.pending_orders(self.settings.batch)
            if not pending:
                return
            self.idle.clear()
            if not self._settled():
                self.stopping.wait(0.05)
                continue
            desired = self.settings.load_specs()
            with self.settings.client_factory() as client:
                looker = _Look(self, client, desired)
                for order_id, upto in pending:
                    if self.stopping.is_set():
                        return
                    looker.process(order_id)
                    self.store.finish(order_id, upto)

    def resync(self) -> None:
        """Queue every open order of the specs (and open ones under the prefix: missing specs)."""
        desired = self.settings.load_specs()
        with self.settings.client_factory() as client:
            rows = [live_summary(r) for r in client.list_orders()]
        references = {o.reference for o in desired.orders}
        prefix = desired.reference_prefix
        ids = [
            r.id
            for r in rows
            if r.is_open
            and (r.reference in references or (prefix and r.reference.startswith(prefix)))
        ]
        self.store.enqueue(sorted(set(ids)), source="resync")
        self.store.forget_done(time.time() - KEEP_DONE_SECONDS)
        self.store.set_meta("last_resync", datetime.now(UTC).isoformat(timespec="seconds"))
        self.metrics.resyncs.inc()
        self._next_resync = time.time() + self.settings.resync_seconds
        log.info("resync queued %d open order(s)", len(ids), extra={"orders": len(ids)})

    # -- notifications -----------------------------------------------------------------------

    def notify(self, note: Notification, folds: Sequence[Notification] = ()) -> bool:
        """Queue `note` unless it was seen before; unseen `folds` (notes Sinch added with a
        rejection) travel inside it. True when it was new."""
        extra = [f for f in folds if not self.store.seen(f.key)] if folds else []
        message = note.message + "".join(f" Also: {f.message}" for f in extra)
        added = self.store.add_notification(
            key=note.key,
            targets=self.settings.targets,
            order_id=note.order_id,
            reference=note.reference,
            event=note.event,
            message=scrub(message),
            link=self.settings.link(note.order_id),
        )
        if not added:
            return False
        if extra:
            self.store.mark_folded([f.key for f in extra], into=note.key)
        self.metrics.notifications.labels(note.event).inc()
        level = logging.INFO if self.settings.targets else logging.WARNING
        log.log(
            level,
            "notification %s for order %s (%s): %s",
            note.event,
            note.order_id,
            note.reference,
            scrub(message),
            extra={"event": note.event, "order": note.order_id, "reference": note.reference},
        )
        self._notify_wake()
        return True


class _Look:
    """Looking at orders with one client and one load of the specs (one batch)."""

    def __init__(self, worker: Worker, client: PortingClient, desired: DesiredState) -> None:
        self.worker = worker
        self.client = client
        self.desired = desired
        self.by_reference = {o.reference: o for o in desired.orders}
        self._configuration: dict[str, Any] | None = None
        self._configuration_read = False

    def configuration(self) -> dict[str, Any] | None:
        """The PortingDefaults spec's body, else the live configuration (read once a batch)."""
        if self.desired.configuration is not None:
            return dict(self.desired.configuration.body)
        if not self._configuration_read:
            live = self.client.get_configuration()
            self._configuration = dict(live.raw) if live is not None else None
            self._configuration_read = True
        return self._configuration

    def process(self, order_id: int) -> None:
        """One look at one order: read, plan, act or notify."""
        metrics = self.worker.metrics
        try:
            order = dict(self.client.get_order(order_id).raw)
        except NotFound:
            log.info("order %s not found; nothing to do", order_id, extra={"order": order_id})
            metrics.processed.labels("not_found").inc()
            return
        reference = str(order.get("customerOrderReference") or "")
        spec = self.by_reference.get(reference)
        if spec is None:
            prefix = self.desired.reference_prefix
            if (
                prefix
                and reference.startswith(prefix)
                and is_open(order_status(order.get("status")))
            ):
                self.worker.notify(decide.orphaned(order, reference))
                metrics.processed.labels("spec_missing").inc()
            else:
                metrics.processed.labels("unmanaged").inc()
            return
        if not is_open(order_status(order.get("status"))):
            closed = decide.closed_order(spec, order)
            if closed is not None:
                self.worker.notify(closed)
            metrics.processed.labels("closed").inc()
            return
        plan, snapshot, snapshot_items = self._plan(spec, order)
        folds = decide.new_notes(spec, order)
        found = decide.notifications(spec, order, snapshot_items)
        rejected = next((n for n in found if n.event == "numbers_rejected"), None)
        for note in found:
            self.worker.notify(note, folds if note is rejected else ())
        for note in folds:
            self.worker.notify(note)
        item = decide.actionable(spec, snapshot_items)
        if item is None:
            metrics.processed.labels("looked").inc()
            return
        self._activate(spec, order, plan, snapshot, item)

    def _plan(
        self, spec: DesiredOrder, order: dict[str, Any]
    ) -> tuple[Plan, LiveSnapshot, list[PlanItem]]:
        """The plan of this one spec against this one order (as `portctl plan` decides)."""
        activations = None
        if decide.needs_activations(spec, order):
            found = self.client.available_activations(int(order["id"]))
            activations = sorted(g.phone_number_group for g in found)
        one = replace(self.desired, orders=(spec,), whole_project=False, configuration=None)
        snapshot = decide.one_order_snapshot(
            order, configuration=self.configuration(), activations=activations
        )
        plan = build_plan(one, snapshot, today=cli_today(self.client.server_time))
        return plan, snapshot, [i for i in plan.items if i.name == spec.name]

    def _activate(
        self,
        spec: DesiredOrder,
        order: dict[str, Any],
        plan: Plan,
        planned_from: LiveSnapshot,
        item: PlanItem,
    ) -> None:
        """Activate after checking no second open order shares the reference (the plan would
        call that a conflict); the executor re-reads the order and checks it did not move."""
        worker, metrics = self.worker, self.worker.metrics
        others = [live_summary(r) for r in self.client.list_orders(reference=spec.reference)]
        if any(o.is_open and o.id != item.order_id for o in others):
            one = replace(self.desired, orders=(spec,), whole_project=False, configuration=None)
            snapshot = decide.one_order_snapshot(
                order,
                configuration=self.configuration(),
                activations=item.groups,
                others=others,
            )
            again = build_plan(one, snapshot, today=cli_today(self.client.server_time))
            for note in decide.notifications(spec, order, again.items):
                worker.notify(note)
            metrics.processed.labels("conflict").inc()
            return
        one = replace(self.desired, orders=(spec,), whole_project=False, configuration=None)
        executor = Executor(
            self.client,
            one,
            fingerprints=plan_fingerprints(plan, planned_from),
            defaults=port_defaults(self.configuration()),
        )
        try:
            with worker.settings.lock():
                report = executor.run(Plan(items=(item,), scope=plan.scope))
        except ApplyLocked as exc:
            worker.notify(decide.apply_running(item, str(exc)))
            metrics.processed.labels("apply_running").inc()
            return
        result = report.results[0]
        outcome = str(result.outcome)
        worker.store.record_action(
            order_id=int(order["id"]),
            reference=spec.reference,
            action="activate",
            groups=item.groups,
            outcome=outcome,
            message=result.message,
        )
        metrics.activations.labels(outcome).inc()
        metrics.processed.labels("activated").inc()
        log.info(
            "activate %s of order %s: %s (%s)",
            ", ".join(item.groups),
            order["id"],
            outcome,
            result.message,
            extra={"order": order["id"], "reference": spec.reference, "outcome": outcome},
        )
        if outcome != "skipped":
            worker.notify(decide.activation_outcome(item, outcome=outcome, message=result.message))
