"""docs/design.md#decision-table on constructed data (the emulator versions live in tests/plan)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from reconciler.desired import DesiredConfiguration, DesiredOrder, DesiredState, SafetyBudgets
from reconciler.live import LiveOrderSummary, LiveSnapshot
from reconciler.planning import ACTION_KINDS, Kind, Plan, Reason, Risk, build_plan
from reconciler.planning.items import KIND_RISK
from tests.core.builders import TODAY, desired, live_order, number, summary

N1, N2 = "+13125550141", "+13125550142"


def _plan(order: DesiredOrder, *lives: dict[str, Any], prune: bool = False, **snap: object) -> Plan:
    managed: dict[str, tuple[LiveOrderSummary, ...]] = {}
    for live in lives:
        managed.setdefault(live["customerOrderReference"], ())
        managed[live["customerOrderReference"]] += (summary(live),)
    details = {int(o["id"]): o for o in lives if o["status"] not in {"COMPLETED", "CANCELED"}}
    snapshot = LiveSnapshot(managed=managed, details=details, **snap)  # type: ignore[arg-type]
    state = DesiredState(orders=(order,), reference_prefix="gitops/")
    return build_plan(state, snapshot, today=TODAY, prune=prune)


def _main(plan: Plan) -> tuple[str, str, str]:
    item = plan.items[0]
    return (str(item.kind), str(item.risk), item.reason_code)


SPEC = desired("acme", [number(N1), number(N2)])
CANCELED_SPEC = replace(SPEC, state="canceled")
CHANGED = desired("acme", [number(N1, city="Springfield"), number(N2)])
ON_DEMAND = desired("acme", [number(N1), number(N2)], mode="on-demand", when="ready")


def _live(spec: DesiredOrder, status: str, order_id: int = 1001, **kw: Any) -> dict[str, Any]:
    return live_order(order_id, SPEC.body if spec is CHANGED else spec.body, status=status, **kw)


CASES = [
    ("no live order -> create", SPEC, [], {}, ("create", "safe", "order_missing")),
    (
        "only canceled -> create",
        SPEC,
        [_live(SPEC, "CANCELED")],
        {},
        ("create", "safe", "previous_order_canceled"),
    ),
    (
        "pending cancelation -> wait",
        SPEC,
        [_live(SPEC, "PENDING_CANCELATION")],
        {"held_numbers": {N1: 1001, N2: 1001}},
        ("wait", "none", "numbers_held_by_cancelation"),
    ),
    (
        "another order being canceled holds a number -> wait",
        SPEC,
        [],
        {"held_numbers": {N2: 42}},
        ("wait", "none", "numbers_held_by_cancelation"),
    ),
    (
        "pending, differs -> update",
        CHANGED,
        [_live(CHANGED, "PENDING")],
        {},
        ("update", "safe", "fields_differ"),
    ),
    ("pending, same -> noop", SPEC, [_live(SPEC, "PENDING")], {}, ("noop", "none", "in_sync")),
    (
        "pending, canceled spec -> cancel",
        CANCELED_SPEC,
        [_live(SPEC, "PENDING")],
        {},
        ("cancel", "irreversible", "spec_canceled"),
    ),
    (
        "confirmed, differs -> blocked",
        CHANGED,
        [_live(CHANGED, "CONFIRMED")],
        {},
        ("blocked", "blocked", "order_confirmed_locked"),
    ),
    (
        "confirmed, canceled spec -> blocked",
        CANCELED_SPEC,
        [_live(SPEC, "CONFIRMED")],
        {},
        ("blocked", "blocked", "cancel_locked"),
    ),
    (
        "confirmed on-demand, offered and wanted -> activate",
        ON_DEMAND,
        [_live(ON_DEMAND, "CONFIRMED")],
        {"available_activations": {1001: ("GW Verizon Grp1",)}},
        ("activate", "irreversible", "groups_ready"),
    ),
    (
        "confirmed on-demand, nothing offered -> noop",
        ON_DEMAND,
        [_live(ON_DEMAND, "CONFIRMED")],
        {},
        ("noop", "none", "awaiting_activation"),
    ),
    (
        "completed, active spec -> noop",
        SPEC,
        [_live(SPEC, "COMPLETED")],
        {},
        ("noop", "none", "order_completed"),
    ),
    (
        "canceled, canceled spec -> noop",
        CANCELED_SPEC,
        [_live(SPEC, "CANCELED")],
        {},
        ("noop", "none", "already_canceled"),
    ),
    (
        "completed, canceled spec -> noop",
        CANCELED_SPEC,
        [_live(SPEC, "COMPLETED")],
        {},
        ("noop", "none", "order_completed"),
    ),
    (
        "two open orders -> conflict",
        SPEC,
        [_live(SPEC, "PENDING"), _live(SPEC, "PENDING", order_id=1002)],
        {},
        ("conflict", "blocked", "conflicting_orders"),
    ),
    (
        "non-portable number -> blocked create",
        SPEC,
        [],
        {"portability": {N1: (True, ""), N2: (False, "Number is not portable")}},
        ("blocked", "blocked", "number_not_portable"),
    ),
    (
        "unknown status -> blocked",
        SPEC,
        [_live(SPEC, "ON_HOLD")],
        {},
        ("blocked", "blocked", "unknown_status"),
    ),
]


@pytest.mark.parametrize(
    ("order", "lives", "snap", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_decision_table(
    order: DesiredOrder,
    lives: list[dict[str, Any]],
    snap: dict[str, Any],
    expected: tuple[str, ...],
) -> None:
    assert _main(_plan(order, *lives, **snap)) == expected


def test_completed_order_carries_the_archive_notice() -> None:
    plan = _plan(SPEC, _live(SPEC, "COMPLETED"))
    assert [n.message for n in plan.items[0].notices] == ["order completed; spec can be archived"]


def test_notes_and_documents_missing_live_are_added_once() -> None:
    spec = desired("acme", [number(N1)], notes=("first", "second"), documents=("loa.pdf",))
    live = live_order(1001, spec.body, notes=["first"])
    kinds = [(str(i.kind), i.note, i.document) for i in _plan(spec, live).items]
    assert kinds == [
        ("add-note", "second", None),
        ("upload-document", None, "loa.pdf"),
        ("noop", None, None),
    ]


def test_manual_activation_only_activates_approved_groups() -> None:
    spec = desired("acme", [number(N1)], mode="on-demand", groups=("G2",))
    live = live_order(1001, spec.body, status="CONFIRMED", group="G2")
    plan = _plan(spec, live, available_activations={1001: ("G1", "G2")})
    assert plan.items[0].groups == ("G2",)
    assert plan.items[0].numbers == (N1,)


def test_rejected_numbers_and_dates_soon_are_notices() -> None:
    spec = desired("acme", [number(N1), number(N2)], port_date="2026-11-30")
    live = live_order(1001, spec.body, focDate="2026-11-28")
    live["phoneNumbers"][1].update(status="REJECTED", rejectReason="Invalid port-out PIN")
    codes = [(n.code, n.message) for n in _plan(spec, live).items[0].notices]
    assert codes == [
        ("number_rejected", "+13125550142 rejected: Invalid port-out PIN"),
        ("foc_soon", "FOC 2026-11-28 (in 2 days) for 2 numbers"),
        ("port_date_soon", "port date 2026-11-30 is in 4 days"),
    ]


def test_orphans_are_reported_and_pruned_only_on_request() -> None:
    orphan = LiveOrderSummary(id=9, reference="gitops/old", status="PENDING")
    state = DesiredState(orders=(), reference_prefix="gitops/")
    report = build_plan(state, LiveSnapshot(orphans=(orphan,)), today=TODAY)
    assert _main(report) == ("orphan", "none", "no_spec")
    assert not report.has_changes
    pruned = build_plan(state, LiveSnapshot(orphans=(orphan,)), today=TODAY, prune=True)
    assert _main(pruned) == ("cancel", "irreversible", "orphan_pruned")
    (breach,) = pruned.budget_breaches(SafetyBudgets(max_cancels=1))
    assert breach.flag == "--max-prune"


def test_configuration_is_created_updated_or_left_alone() -> None:
    config = DesiredConfiguration(body={"defaultPortTime": "10:00:00", "webhookUrl": "https://h"})
    state = DesiredState(orders=(), configuration=config)
    missing = build_plan(state, LiveSnapshot(), today=TODAY)
    assert _main(missing) == ("configure", "safe", "configuration_missing")
    differs = build_plan(
        state, LiveSnapshot(configuration={"defaultPortTime": "09:00:00Z"}), today=TODAY
    )
    assert _main(differs) == ("configure", "safe", "configuration_differs")
    assert [c.display_path for c in differs.items[0].changes] == ["defaultPortTime", "webhookUrl"]
    same = build_plan(state, LiveSnapshot(configuration=dict(config.body)), today=TODAY)
    assert _main(same) == ("noop", "none", "in_sync")


def test_items_come_in_apply_order() -> None:
    cancel = replace(desired("a-cancel", [number("+13125550161")]), state="canceled")
    update = desired("b-update", [number("+13125550171", city="X")])
    create = desired("c-create", [number("+13125550181")], notes=("hello",))
    lives = [
        live_order(1, cancel.body, status="PENDING"),
        live_order(2, desired("b-update", [number("+13125550171")]).body),
    ]
    snapshot = LiveSnapshot(
        managed={o["customerOrderReference"]: (summary(o),) for o in lives},
        details={int(o["id"]): o for o in lives},
    )
    plan = build_plan(DesiredState(orders=(create, update, cancel)), snapshot, today=TODAY)
    assert [str(i.kind) for i in plan.items] == ["cancel", "update", "create", "add-note"]


def test_every_kind_has_one_risk_and_reason_codes_stay_snake_case() -> None:
    assert set(KIND_RISK) == set(Kind)
    assert {KIND_RISK[k] for k in ACTION_KINDS} <= {Risk.SAFE, Risk.IRREVERSIBLE}
    assert all(str(code) == code.name.lower() for code in Reason)
