"""What the watcher does about one order: pure decisions from the plan of that order.

The worker plans one order exactly as `portctl plan` would (`build_plan` over the specs and a
one-order `LiveSnapshot`, `one_order_snapshot`). The only thing the watcher may do without a
review is the plan's `activate` item of an `activation: {mode: on-demand, when: ready}` spec
(`actionable`); everything a person should hear about becomes a `Notification`
(`notifications`): rejected or excluded numbers, notes Sinch added, blocked and conflicting
items, changes waiting for `portctl apply`, and orders whose spec is missing (`orphaned`).

A notification's `key` is a hash of (order, event kind, content) and nothing else (no times),
so the same finding on the next webhook or resync is recognised and not sent again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.desired import DesiredOrder
from reconciler.lifecycle import is_canceled_or_canceling, is_locked, order_status
from reconciler.live import LiveOrderSummary, LiveSnapshot
from reconciler.planning import Kind, PlanItem

REVIEW = "review it with `portctl plan` and carry it out with `portctl apply`"


@dataclass(frozen=True)
class Notification:
    """Something a person should hear about one order."""

    order_id: int | None
    reference: str
    event: str
    """The event kind: `numbers_rejected`, `new_note`, a plan reason code, ..."""
    content: str
    """What identifies this finding (with order and event) for deduplication."""
    message: str
    """What happened and what to do (the link is added by the sender)."""

    @property
    def key(self) -> str:
        """The deduplication key: sha256 over (order, event, content)."""
        text = f"{self.order_id}\n{self.reference}\n{self.event}\n{self.content}"
        return hashlib.sha256(text.encode()).hexdigest()


def wants_ready_activation(spec: DesiredOrder) -> bool:
    """The one case the watcher acts on: an active on-demand spec with `when: ready`."""
    return (
        spec.state == "active"
        and spec.activation_mode == "on-demand"
        and (spec.activation_when == "ready")
    )


def summary_of(order: Mapping[str, Any]) -> LiveOrderSummary:
    """A full order (GET) as the list row the planner expects."""
    return LiveOrderSummary(
        id=int(order["id"]),
        reference=str(order.get("customerOrderReference") or ""),
        status=order_status(order.get("status")),
        created_date=str(order.get("createdDate") or ""),
    )


def one_order_snapshot(
    order: Mapping[str, Any],
    *,
    configuration: Mapping[str, Any] | None,
    activations: Sequence[str] | None,
    others: Sequence[LiveOrderSummary] = (),
) -> LiveSnapshot:
    """The live side of a plan of one spec: this order (in full), the other orders listed under
    its reference (`others`, for the conflict rule), its offered groups and the configuration."""
    row = summary_of(order)
    rows = (row, *(o for o in others if o.id != row.id))
    return LiveSnapshot(
        managed={row.reference: rows},
        details={row.id: order},
        configuration=configuration,
        available_activations={row.id: tuple(activations)} if activations is not None else {},
    )


def needs_activations(spec: DesiredOrder, order: Mapping[str, Any]) -> bool:
    """Whether to read `availableActivations` (as `PlanReads.activations` would)."""
    return wants_ready_activation(spec) and is_locked(order_status(order.get("status")))


def actionable(spec: DesiredOrder, items: Sequence[PlanItem]) -> PlanItem | None:
    """The activate item to carry out, only for a `when: ready` spec (never manual groups)."""
    if not wants_ready_activation(spec):
        return None
    return next((i for i in items if i.kind == Kind.ACTIVATE and i.name == spec.name), None)


def _item_notification(item: PlanItem, order_id: int, reference: str) -> Notification | None:
    """A person's part of one plan item (None when there is nothing for a person to do)."""
    if item.kind in (Kind.BLOCKED, Kind.CONFLICT):
        changes = ", ".join(sorted(".".join(c.path) for c in item.changes))
        detail = f" (fields: {changes})" if changes else ""
        return Notification(
            order_id,
            reference,
            str(item.reason_code),
            f"{item.reason}\n{changes}",
            f"{item.kind}: {item.reason}{detail}. What to do: {item.remedy}.",
        )
    if item.kind in (Kind.UPDATE, Kind.CANCEL, Kind.CREATE, Kind.ADD_NOTE, Kind.UPLOAD_DOCUMENT):
        fields = ", ".join(sorted(".".join(c.path) for c in item.changes))
        what = item.note or item.document or fields
        return Notification(
            order_id,
            reference,
            f"{item.kind}_pending",
            f"{item.reason_code}\n{what}",
            f"the specs ask for `{item.kind}` ({item.reason}"
            f"{': ' + what if what else ''}), which the watcher never does on its own. "
            f"What to do: {REVIEW}.",
        )
    return None


def _number_notifications(
    items: Sequence[PlanItem], order_id: int, reference: str
) -> list[Notification]:
    """Rejected and excluded numbers, from the plan's notices (one notification per kind)."""
    found: list[Notification] = []
    for code, event, todo in (
        (
            "number_rejected",
            "numbers_rejected",
            "correct the port-out information (PIN, account) in the spec and run `portctl "
            "apply`: the update resubmits the numbers",
        ),
        (
            "number_excluded",
            "numbers_excluded",
            "check with Sinch why; remove the numbers from the spec if they stay out",
        ),
    ):
        lines = sorted({n.message for i in items for n in i.notices if n.code == code})
        if lines:
            found.append(
                Notification(
                    order_id,
                    reference,
                    event,
                    "\n".join(lines),
                    f"{'; '.join(lines)}. What to do: {todo}.",
                )
            )
    return found


def new_notes(spec: DesiredOrder, order: Mapping[str, Any]) -> list[Notification]:
    """Notes on the order that the spec did not write (Sinch's, or someone's in the portal)."""
    ours = set(spec.notes)
    order_id = int(order["id"])
    found = []
    for note in order.get("notes") or ():
        text = str(note.get("note") or "")
        if not text or text in ours:
            continue
        author = str(note.get("createdBy") or "someone")
        when = str(note.get("createdTime") or "")
        found.append(
            Notification(
                order_id,
                spec.reference,
                "new_note",
                f"{when}\n{author}\n{text}",
                f"{author} added a note: \u201c{text}\u201d. What to do: read it and act on "
                "it in the spec or in Sinch.",
            )
        )
    return found


def notifications(
    spec: DesiredOrder, order: Mapping[str, Any], items: Sequence[PlanItem]
) -> list[Notification]:
    """Everything a person should hear about this order now (activations excluded)."""
    order_id = int(order["id"])
    mine = [i for i in items if i.name == spec.name]
    found = _number_notifications(mine, order_id, spec.reference)
    for item in mine:
        note = _item_notification(item, order_id, spec.reference)
        if note is not None:
            found.append(note)
    return found


def closed_order(spec: DesiredOrder, order: Mapping[str, Any]) -> Notification | None:
    """An order no longer open (not planned: the spec's current order, if any, is looked at on
    its own events). Only a cancelation the spec did not ask for is news."""
    status = order_status(order.get("status"))
    if spec.state != "active" or not is_canceled_or_canceling(status):
        return None
    return Notification(
        int(order["id"]),
        spec.reference,
        "unexpected_status",
        str(status),
        f"the order is {status} although its spec wants it active (cancelled outside "
        f"portctl?). What to do: {REVIEW}; apply would create a new order.",
    )


def orphaned(order: Mapping[str, Any], reference: str) -> Notification:
    """An open order under the project's prefix with no spec at the current checkout."""
    status = str(order.get("status"))
    return Notification(
        int(order["id"]),
        reference,
        "spec_missing",
        status,
        f"the order is {status} but no spec at the current checkout has its reference, so the "
        "watcher does nothing with it. What to do: restore or add its spec (`portctl import "
        "--order-id ID` writes one), or cancel the order in Sinch if it is not wanted.",
    )


def activation_outcome(item: PlanItem, *, outcome: str, message: str) -> Notification:
    """What people hear after the watcher activated (or failed to activate) groups."""
    groups = ", ".join(item.groups)
    if outcome in ("applied", "skipped"):
        return Notification(
            item.order_id,
            item.reference,
            "activated",
            groups,
            f"the watcher activated {groups} ({message}). Nothing to do: traffic for these "
            "numbers now routes on Sinch.",
        )
    return Notification(
        item.order_id,
        item.reference,
        "activation_failed",
        f"{groups}\n{message}",
        f"activating {groups} did not succeed ({outcome}: {message}). What to do: check the "
        "order with `portctl status`; `portctl apply` activates it when it is still offered.",
    )


def apply_running(item: PlanItem, why: str) -> Notification:
    """The watcher would activate, but `portctl apply` holds the project's lock."""
    groups = ", ".join(item.groups)
    return Notification(
        item.order_id,
        item.reference,
        "apply_running",
        groups,
        f"{groups} can be activated, but the watcher did not act: {why}. What to do: "
        "nothing if that apply activates it; otherwise the next resync does.",
    )
