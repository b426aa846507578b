"""Decisions for a spec whose reference has exactly one open order (PENDING or CONFIRMED).

PENDING orders can be updated or canceled; CONFIRMED orders are locked (changes and cancels are
`blocked`) but on-demand ones can be activated, per offered group, when the spec wants it.
Notes and documents missing live are added on any open order. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.compare import compare_order
from reconciler.desired import DesiredOrder
from reconciler.diff import FieldChange
from reconciler.lifecycle import OrderStatus, is_building, is_changeable, is_known
from reconciler.live import LiveOrderSummary
from reconciler.planning.context import PlanContext, attachment_items, differ, noop, spec_item, wait
from reconciler.planning.items import Kind, Notice, PlanItem, Reason
from reconciler.planning.notices import comparison_notices, number_notices, port_date_notice


def existing_order_items(
    order: DesiredOrder, summary: LiveOrderSummary, ctx: PlanContext
) -> list[PlanItem]:
    """The item for a spec whose reference has one open order, plus notes and documents."""
    detail = ctx.live.details[summary.id]
    status = summary.status
    if is_building(status):
        return [
            wait(order, summary, Reason.ORDER_BUILDING, "order is still being created by Sinch")
        ]
    if not is_known(status):
        return [
            spec_item(
                order,
                kind=Kind.BLOCKED,
                order_id=summary.id,
                status=status,
                reason_code=Reason.UNKNOWN_STATUS,
                reason=f"order status {status} is unknown to portctl; nothing is changed",
            )
        ]
    digest = ctx.live.number_digests.get(summary.id)
    compared = compare_order(
        order.body,
        detail,
        defaults=ctx.defaults,
        ignore=ctx.ignore,
        same_numbers=digest is not None and digest == order.numbers_digest,
    )
    changes = compared.changes
    notices = (
        *comparison_notices(compared),
        *number_notices(detail, today=ctx.today),
        *port_date_notice(detail, today=ctx.today),
    )
    if (
        is_changeable(status)
        and order.state == "active"
        and (unknown := unknown_groups(order, detail))
    ):
        notices = (*notices, Notice("unknown_activation_group", unknown))
    base: dict[str, Any] = {"order_id": summary.id, "status": status, "notices": notices}
    live_numbers = tuple(sorted(str(n["phoneNumber"]) for n in detail.get("phoneNumbers") or ()))
    if is_changeable(status):
        if order.state == "canceled":
            item = spec_item(
                order,
                kind=Kind.CANCEL,
                reason_code=Reason.SPEC_CANCELED,
                reason="spec says state: canceled; cancel is final and holds the numbers "
                f"until {OrderStatus.CANCELED}",
                numbers=live_numbers,
                **base,
            )
            return [item]
        if changes:
            main = spec_item(
                order,
                kind=Kind.UPDATE,
                reason_code=Reason.FIELDS_DIFFER,
                reason=f"{differ(changes)}; the full order is sent (PUT)",
                changes=changes,
                numbers=_touched_numbers(changes, order.phone_numbers),
                **base,
            )
        else:
            main = noop(order, Reason.IN_SYNC, "order matches the spec", summary=summary, **base)
    else:
        main = _confirmed_item(order, summary, detail, changes, ctx, base)
    if order.state == "canceled":
        return [main]
    return [main, *attachment_items(order, summary, detail, Reason.MISSING_LIVE)]


def _confirmed_item(
    order: DesiredOrder,
    summary: LiveOrderSummary,
    detail: Mapping[str, Any],
    changes: tuple[FieldChange, ...],
    ctx: PlanContext,
    base: dict[str, Any],
) -> PlanItem:
    if order.state == "canceled":
        return spec_item(
            order,
            kind=Kind.BLOCKED,
            reason_code=Reason.CANCEL_LOCKED,
            reason=f"order is {OrderStatus.CONFIRMED}; it can no longer be canceled",
            **base,
        )
    if changes:
        return spec_item(
            order,
            kind=Kind.BLOCKED,
            reason_code=Reason.ORDER_CONFIRMED_LOCKED,
            reason=f"order is {OrderStatus.CONFIRMED}; changes are locked"
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
        reason = f"order is {OrderStatus.CONFIRMED} and matches the spec"
        return noop(order, Reason.IN_SYNC, reason, **base)
    unknown = unknown_groups(order, detail)
    if unknown:
        return spec_item(
            order,
            kind=Kind.BLOCKED,
            reason_code=Reason.UNKNOWN_ACTIVATION_GROUP,
            reason=unknown,
            **base,
        )
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
        return noop(order, Reason.AWAITING_ACTIVATION, reason, **base)
    numbers = tuple(
        sorted(
            str(n["phoneNumber"])
            for n in detail.get("phoneNumbers") or ()
            if n.get("phoneNumberGroup") in groups
        )
    )
    return spec_item(
        order,
        kind=Kind.ACTIVATE,
        reason_code=Reason.GROUPS_READY,
        reason=f"activate {', '.join(groups)}: moves live traffic to Sinch",
        groups=groups,
        numbers=numbers,
        **base,
    )


def unknown_groups(order: DesiredOrder, detail: Mapping[str, Any]) -> str:
    """ "" when every group `activation.groups` names is one of the order's, else a message
    naming the unknown ones and the real ones (a typo would otherwise wait forever)."""
    real = sorted(
        {str(g) for n in detail.get("phoneNumbers") or () if (g := n.get("phoneNumberGroup"))}
    )
    unknown = [g for g in order.activation_groups if g not in real]
    if not unknown or not real:
        return ""
    return (
        f"activation.groups names {', '.join(map(repr, unknown))}, not a group of order "
        f"{detail.get('id')}; its groups: {', '.join(map(repr, real))}"
    )


def _touched_numbers(changes: tuple[FieldChange, ...], desired: tuple[str, ...]) -> tuple[str, ...]:
    numbers = {c.number for c in changes if c.number}
    if any(c.number is None for c in changes):
        numbers |= set(desired)
    return tuple(sorted(n for n in numbers if n))
