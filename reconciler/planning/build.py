"""`build_plan`: the DESIGN §3 table as code, from desired state and a live snapshot.

Lifecycle first, fields second: the live status decides what is *possible* (PENDING can be
updated or canceled, CONFIRMED is locked, terminal orders are history), and only then does
the field diff decide what is *needed*. A change is never turned into cancel + create: that
would burn the numbers. Pure: no I/O, `today` injected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from reconciler.desired import DesiredOrder, DesiredState
from reconciler.diff import FieldChange, diff_essence
from reconciler.essence import (
    IgnoreRules,
    PortDefaults,
    configuration_essence,
    order_essence,
    port_defaults,
)
from reconciler.live import PENDING_CANCELATION, LiveOrderSummary, LiveSnapshot
from reconciler.planning.items import Kind, Notice, Plan, PlanItem, Portability, Risk
from reconciler.planning.notices import ORDER_COMPLETED, number_notices, port_date_notice


@dataclass(frozen=True)
class _Context:
    live: LiveSnapshot
    today: date
    ignore: IgnoreRules
    defaults: PortDefaults


def build_plan(
    desired: DesiredState, live: LiveSnapshot, *, today: date, prune: bool = False
) -> Plan:
    """Every item the specs imply against `live`, in apply order."""
    config = desired.configuration.body if desired.configuration else live.configuration
    ctx = _Context(
        live=live,
        today=today,
        ignore=IgnoreRules(desired.ignore_fields),
        defaults=port_defaults(config),
    )
    items: list[PlanItem] = []
    if desired.configuration is not None:
        items.append(_configuration_item(desired, ctx))
    for order in desired.orders:
        items.extend(_order_items(order, ctx))
    for orphan in live.orphans:
        item = _orphan_item(orphan, live, prune=prune)
        if item is not None:
            items.append(item)
    return Plan(items=tuple(items))


def _configuration_item(desired: DesiredState, ctx: _Context) -> PlanItem:
    assert desired.configuration is not None
    wanted = configuration_essence(desired.configuration.body, ignore=ctx.ignore)
    source = str(desired.configuration.source.file)
    if ctx.live.configuration is None:
        return PlanItem(
            kind=Kind.CONFIGURE,
            risk=Risk.SAFE,
            name="configuration",
            reason_code="configuration_missing",
            reason="project has no porting configuration yet; it will be created",
            changes=diff_essence(wanted, {}),
            source=source,
        )
    changes = diff_essence(wanted, configuration_essence(ctx.live.configuration, ignore=ctx.ignore))
    if not changes:
        return PlanItem(
            kind=Kind.NOOP,
            risk=Risk.NONE,
            name="configuration",
            reason_code="in_sync",
            reason="configuration matches the spec",
            source=source,
        )
    return PlanItem(
        kind=Kind.CONFIGURE,
        risk=Risk.SAFE,
        name="configuration",
        reason_code="configuration_differs",
        reason=f"{_differ(changes)} from the project configuration",
        changes=changes,
        source=source,
    )


def _differ(changes: tuple[FieldChange, ...]) -> str:
    n = len(changes)
    return f"{n} field differs" if n == 1 else f"{n} fields differ"


def _item(order: DesiredOrder, **fields: Any) -> PlanItem:
    return PlanItem(
        name=order.name, reference=order.reference, source=str(order.source.file), **fields
    )


def _order_items(order: DesiredOrder, ctx: _Context) -> list[PlanItem]:
    summaries = ctx.live.managed.get(order.reference, ())
    open_orders = [s for s in summaries if not s.terminal and s.status != PENDING_CANCELATION]
    if len(open_orders) > 1:
        ids = ", ".join(str(s.id) for s in sorted(open_orders, key=lambda s: s.id))
        return [
            _item(
                order,
                kind=Kind.CONFLICT,
                risk=Risk.BLOCKED,
                reason_code="conflicting_orders",
                reason=f"{len(open_orders)} open orders share this reference (ids {ids}); "
                "portctl will not guess which is current: cancel the wrong one by hand",
            )
        ]
    if open_orders:
        return _existing_order_items(order, open_orders[0], ctx)
    return _no_open_order_items(order, summaries, ctx)


def _newest(summaries: Iterable[LiveOrderSummary]) -> LiveOrderSummary | None:
    return max(summaries, key=lambda s: (s.created_date, s.id), default=None)


def _no_open_order_items(
    order: DesiredOrder, summaries: tuple[LiveOrderSummary, ...], ctx: _Context
) -> list[PlanItem]:
    ending = [s for s in summaries if s.status == PENDING_CANCELATION]
    newest = _newest(s for s in summaries if s.terminal)
    if order.state == "canceled":
        if ending:
            code, reason, status = "cancelation_in_progress", "cancelation in progress", ending[0]
        elif newest is not None and newest.status == "COMPLETED":
            code, reason, status = "order_completed", "order completed; nothing to cancel", newest
        elif newest is not None:
            code, reason, status = "already_canceled", "order is already canceled", newest
        else:
            return [_noop(order, "no_live_order", "spec is canceled and no order exists")]
        return [_noop(order, code, reason, summary=status)]
    if newest is not None and newest.status == "COMPLETED" and not ending:
        return [
            _noop(
                order,
                "order_completed",
                "order completed; spec can be archived",
                summary=newest,
                notices=(ORDER_COMPLETED,),
            )
        ]
    held = sorted(n for n in order.phone_numbers if n in ctx.live.held_numbers)
    if ending or held:
        holders = sorted({ctx.live.held_numbers[n] for n in held} | {s.id for s in ending})
        return [
            _item(
                order,
                kind=Kind.WAIT,
                risk=Risk.NONE,
                reason_code="numbers_held_by_cancelation",
                reason="numbers are held by an order being canceled "
                f"(id {', '.join(map(str, holders))}); create once it is CANCELED",
                numbers=tuple(held) or order.phone_numbers,
            )
        ]
    return _create_items(order, newest, ctx)


def _create_items(
    order: DesiredOrder, previous: LiveOrderSummary | None, ctx: _Context
) -> list[PlanItem]:
    essence = order_essence(order.body, defaults=ctx.defaults, ignore=ctx.ignore)
    changes = diff_essence(essence, {"phoneNumbers": {}})
    checked = tuple(
        Portability(n, *ctx.live.portability[n])
        for n in sorted(order.phone_numbers)
        if n in ctx.live.portability
    )
    numbers = tuple(sorted(order.phone_numbers))
    notices = port_date_notice(order.body, today=ctx.today)
    bad = [p for p in checked if not p.portable]
    if bad:
        listed = "; ".join(f"{p.number}: {p.reason or 'not portable'}" for p in bad)
        return [
            _item(
                order,
                kind=Kind.BLOCKED,
                risk=Risk.BLOCKED,
                reason_code="number_not_portable",
                reason=f"not portable, the whole order would fail: {listed}",
                changes=changes,
                numbers=numbers,
                portability=checked,
                notices=notices,
            )
        ]
    if previous is not None:
        code = "previous_order_canceled"
        reason = "previous order was canceled; a new one is created"
    else:
        code, reason = "order_missing", "no order exists for this spec"
    create = _item(
        order,
        kind=Kind.CREATE,
        risk=Risk.SAFE,
        reason_code=code,
        reason=reason,
        changes=changes,
        numbers=numbers,
        portability=checked,
        notices=notices,
    )
    return [create, *_attachment_items(order, None, None, "new_order")]


def _existing_order_items(
    order: DesiredOrder, summary: LiveOrderSummary, ctx: _Context
) -> list[PlanItem]:
    detail = ctx.live.details[summary.id]
    status = summary.status
    if status == "ORDER_BUILDING":
        return [_wait(order, summary, "order_building", "order is still being created by Sinch")]
    if status not in {"PENDING", "CONFIRMED"}:
        return [
            _item(
                order,
                kind=Kind.BLOCKED,
                risk=Risk.BLOCKED,
                order_id=summary.id,
                status=status,
                reason_code="unknown_status",
                reason=f"order status {status} is unknown to portctl; nothing is changed",
            )
        ]
    wanted = order_essence(order.body, defaults=ctx.defaults, ignore=ctx.ignore)
    changes = diff_essence(wanted, order_essence(detail, defaults=ctx.defaults, ignore=ctx.ignore))
    notices = (
        *number_notices(detail, today=ctx.today),
        *port_date_notice(detail, today=ctx.today),
    )
    base: dict[str, Any] = {"order_id": summary.id, "status": status, "notices": notices}
    live_numbers = tuple(sorted(str(n["phoneNumber"]) for n in detail.get("phoneNumbers") or ()))
    if status == "PENDING":
        if order.state == "canceled":
            item = _item(
                order,
                kind=Kind.CANCEL,
                risk=Risk.IRREVERSIBLE,
                reason_code="spec_canceled",
                reason="spec says state: canceled; cancel is final and holds the numbers "
                "until CANCELED",
                numbers=live_numbers,
                **base,
            )
            return [item]
        if changes:
            main = _item(
                order,
                kind=Kind.UPDATE,
                risk=Risk.SAFE,
                reason_code="fields_differ",
                reason=f"{_differ(changes)}; the full order is sent (PUT)",
                changes=changes,
                numbers=_touched_numbers(changes, order.phone_numbers),
                **base,
            )
        else:
            main = _noop(order, "in_sync", "order matches the spec", summary=summary, **base)
    else:
        main = _confirmed_item(order, summary, detail, changes, ctx, base)
    if order.state == "canceled":
        return [main]
    return [main, *_attachment_items(order, summary, detail, "missing_live")]


def _confirmed_item(
    order: DesiredOrder,
    summary: LiveOrderSummary,
    detail: Mapping[str, Any],
    changes: tuple[FieldChange, ...],
    ctx: _Context,
    base: dict[str, Any],
) -> PlanItem:
    if order.state == "canceled":
        return _item(
            order,
            kind=Kind.BLOCKED,
            risk=Risk.BLOCKED,
            reason_code="cancel_locked",
            reason="order is CONFIRMED; it can no longer be canceled",
            **base,
        )
    if changes:
        return _item(
            order,
            kind=Kind.BLOCKED,
            risk=Risk.BLOCKED,
            reason_code="order_confirmed_locked",
            reason="order is CONFIRMED; changes are locked"
            + (
                " (activation waits until the spec matches)"
                if order.activation_mode == "on-demand"
                else ""
            ),
            changes=changes,
            numbers=_touched_numbers(changes, order.phone_numbers),
            **base,
        )
    if order.activation_mode != "on-demand":
        return _noop(order, "in_sync", "order is CONFIRMED and matches the spec", **base)
    offered = ctx.live.available_activations.get(summary.id, ())
    if order.activation_when == "ready":
        groups = tuple(sorted(offered))
    else:
        groups = tuple(sorted(g for g in offered if g in order.activation_groups))
    if not groups:
        reason = (
            "no approved group is offered for activation yet"
            if order.activation_when == "manual" and order.activation_groups
            else "waiting for groups to be offered for activation"
            if order.activation_when == "ready"
            else "no groups approved for activation (activation.groups)"
        )
        return _noop(order, "awaiting_activation", reason, **base)
    numbers = tuple(
        sorted(
            str(n["phoneNumber"])
            for n in detail.get("phoneNumbers") or ()
            if n.get("phoneNumberGroup") in groups
        )
    )
    return _item(
        order,
        kind=Kind.ACTIVATE,
        risk=Risk.IRREVERSIBLE,
        reason_code="groups_ready",
        reason=f"activate {', '.join(groups)}: moves live traffic to Sinch",
        groups=groups,
        numbers=numbers,
        **base,
    )


def _touched_numbers(changes: tuple[FieldChange, ...], desired: tuple[str, ...]) -> tuple[str, ...]:
    numbers = {c.number for c in changes if c.number}
    if any(c.number is None for c in changes):
        numbers |= set(desired)
    return tuple(sorted(n for n in numbers if n))


def _attachment_items(
    order: DesiredOrder,
    summary: LiveOrderSummary | None,
    detail: Mapping[str, Any] | None,
    code: str,
) -> list[PlanItem]:
    live_notes = {str(n.get("note", "")) for n in (detail or {}).get("notes") or ()}
    live_docs = {str(d.get("documentName", "")) for d in (detail or {}).get("documents") or ()}
    order_id = summary.id if summary else None
    status = summary.status if summary else None
    items: list[PlanItem] = []
    for note in dict.fromkeys(order.notes):
        if note not in live_notes:
            items.append(
                _item(
                    order,
                    kind=Kind.ADD_NOTE,
                    risk=Risk.SAFE,
                    order_id=order_id,
                    status=status,
                    reason_code=code,
                    reason="note not on the order yet",
                    note=note,
                )
            )
    for document in order.documents:
        if document.name not in live_docs:
            items.append(
                _item(
                    order,
                    kind=Kind.UPLOAD_DOCUMENT,
                    risk=Risk.SAFE,
                    order_id=order_id,
                    status=status,
                    reason_code=code,
                    reason=f"document not on the order yet ({document.path.name})",
                    document=document.name,
                )
            )
    return items


def _noop(
    order: DesiredOrder,
    code: str,
    reason: str,
    *,
    summary: LiveOrderSummary | None = None,
    notices: tuple[Notice, ...] = (),
    **fields: Any,
) -> PlanItem:
    if summary is not None:
        fields.setdefault("order_id", summary.id)
        fields.setdefault("status", summary.status)
    fields.setdefault("notices", notices)
    return _item(order, kind=Kind.NOOP, risk=Risk.NONE, reason_code=code, reason=reason, **fields)


def _wait(order: DesiredOrder, summary: LiveOrderSummary, code: str, reason: str) -> PlanItem:
    return _item(
        order,
        kind=Kind.WAIT,
        risk=Risk.NONE,
        order_id=summary.id,
        status=summary.status,
        reason_code=code,
        reason=reason,
    )


def _orphan_item(orphan: LiveOrderSummary, live: LiveSnapshot, *, prune: bool) -> PlanItem | None:
    if orphan.terminal or orphan.status == PENDING_CANCELATION:
        return None
    detail = live.details.get(orphan.id) or {}
    numbers = tuple(sorted(str(n["phoneNumber"]) for n in detail.get("phoneNumbers") or ()))
    common: dict[str, Any] = {
        "name": orphan.reference,
        "reference": orphan.reference,
        "order_id": orphan.id,
        "status": orphan.status,
        "numbers": numbers,
    }
    if prune and orphan.status == "PENDING":
        return PlanItem(
            kind=Kind.CANCEL,
            risk=Risk.IRREVERSIBLE,
            reason_code="orphan_pruned",
            reason="no spec has this reference and --prune was given; cancel is final",
            **common,
        )
    if prune:
        reason = f"no spec has this reference; it is {orphan.status} and cannot be canceled"
        return PlanItem(
            kind=Kind.ORPHAN, risk=Risk.NONE, reason_code="orphan_locked", reason=reason, **common
        )
    return PlanItem(
        kind=Kind.ORPHAN,
        risk=Risk.NONE,
        reason_code="no_spec",
        reason="no spec has this reference; not touched (--prune cancels it)",
        **common,
    )
