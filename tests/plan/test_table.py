"""DESIGN §3, row by row, on the emulator: each world is set up through the emulator's own
controls and planned through the real CLI (`--detailed-exitcode --format json`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from reconciler.api import Order
from tests.plan.conftest import PlanWorld

A = ["+13125550141", "+13125550142"]
B = ["+13125550151", "+13125550152"]


def none_live(world: PlanWorld) -> None:
    world.spec("acme", A)


def only_canceled(world: PlanWorld) -> None:
    world.spec("acme", A)
    order = world.create("acme")
    with world.client() as client:
        client.cancel_order(order.id)
    world.emu.advance(timedelta(days=2))


def pending_cancelation(world: PlanWorld) -> None:
    world.spec("acme", A)
    order = world.create("acme")
    with world.client() as client:
        client.cancel_order(order.id)


def pending_differs(world: PlanWorld) -> None:
    world.spec("acme", A)
    world.create("acme")
    world.spec("acme", A, city="Springfield")


def pending_to_cancel(world: PlanWorld) -> None:
    world.spec("acme", A)
    world.create("acme")
    world.spec("acme", A, state="canceled")


def _confirmed(world: PlanWorld, *, on_demand: bool = False) -> Order:
    world.spec("acme", A, on_demand=on_demand)
    order = world.create("acme")
    world.confirm(order, foc="2026-11-26" if on_demand else None)
    return order


def confirmed_differs(world: PlanWorld) -> None:
    _confirmed(world)
    world.spec("acme", A, city="Springfield")


def confirmed_canceled_spec(world: PlanWorld) -> None:
    _confirmed(world)
    world.spec("acme", A, state="canceled")


def confirmed_offered(world: PlanWorld) -> None:
    _confirmed(world, on_demand=True)


def canceled_and_canceled_spec(world: PlanWorld) -> None:
    only_canceled(world)
    world.spec("acme", A, state="canceled")


def completed_differs(world: PlanWorld) -> None:
    _confirmed(world)
    world.emu.advance(timedelta(days=25))
    world.spec("acme", A, city="Springfield")


def completed_unchanged(world: PlanWorld) -> None:
    _confirmed(world)
    world.emu.advance(timedelta(days=25))


def completed_canceled_spec(world: PlanWorld) -> None:
    completed_unchanged(world)
    world.spec("acme", A, state="canceled")


def pending_unchanged(world: PlanWorld) -> None:
    world.spec("acme", A)
    world.create("acme")


def notes_missing(world: PlanWorld) -> None:
    world.spec("acme", A)
    world.create("acme")
    world.spec("acme", A, notes=["LOA signed by the CFO"], documents=True)


def orphan(world: PlanWorld) -> None:
    world.spec("acme", A)
    world.create("acme", reference="gitops/forgotten")
    world.spec("acme", B)
    world.create("acme")


def conflict(world: PlanWorld) -> None:
    world.spec("acme", A)
    world.create("acme")
    world.spec("acme", B)
    world.create("acme")


def nonportable(world: PlanWorld) -> None:
    world.spec("acme", A)
    world.emu.mark_nonportable([A[1]])


Row = tuple[str, Callable[[PlanWorld], None], str, tuple[str, str, str], int]
ROWS: list[Row] = [
    ("none -> create", none_live, "acme", ("create", "safe", "order_missing"), 2),
    (
        "only CANCELED -> create",
        only_canceled,
        "acme",
        ("create", "safe", "previous_order_canceled"),
        2,
    ),
    (
        "PENDING_CANCELATION -> wait",
        pending_cancelation,
        "acme",
        ("wait", "none", "numbers_held_by_cancelation"),
        2,
    ),
    ("PENDING differs -> update", pending_differs, "acme", ("update", "safe", "fields_differ"), 2),
    (
        "PENDING + canceled -> cancel",
        pending_to_cancel,
        "acme",
        ("cancel", "irreversible", "spec_canceled"),
        2,
    ),
    (
        "CONFIRMED differs -> blocked",
        confirmed_differs,
        "acme",
        ("blocked", "blocked", "order_confirmed_locked"),
        3,
    ),
    (
        "CONFIRMED + canceled -> blocked",
        confirmed_canceled_spec,
        "acme",
        ("blocked", "blocked", "cancel_locked"),
        3,
    ),
    (
        "CONFIRMED on-demand offered -> activate",
        confirmed_offered,
        "acme",
        ("activate", "irreversible", "groups_ready"),
        2,
    ),
    (
        "CANCELED + canceled -> noop",
        canceled_and_canceled_spec,
        "acme",
        ("noop", "none", "already_canceled"),
        0,
    ),
    (
        "COMPLETED differs -> noop",
        completed_differs,
        "acme",
        ("noop", "none", "order_completed"),
        0,
    ),
    (
        "COMPLETED unchanged -> noop",
        completed_unchanged,
        "acme",
        ("noop", "none", "order_completed"),
        0,
    ),
    (
        "COMPLETED + canceled -> noop",
        completed_canceled_spec,
        "acme",
        ("noop", "none", "order_completed"),
        0,
    ),
    ("PENDING unchanged -> noop", pending_unchanged, "acme", ("noop", "none", "in_sync"), 0),
    ("notes/documents missing -> add", notes_missing, "acme", ("noop", "none", "in_sync"), 2),
    ("no spec, prefix -> orphan", orphan, "gitops/forgotten", ("orphan", "none", "no_spec"), 0),
    (
        "two open orders -> conflict",
        conflict,
        "acme",
        ("conflict", "blocked", "conflicting_orders"),
        3,
    ),
    (
        "not portable -> blocked",
        nonportable,
        "acme",
        ("blocked", "blocked", "number_not_portable"),
        3,
    ),
]


@pytest.mark.parametrize(
    ("setup", "name", "expected", "code"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS]
)
def test_design_table_row(
    world: PlanWorld,
    setup: Callable[[PlanWorld], None],
    name: str,
    expected: tuple[str, str, str],
    code: int,
) -> None:
    setup(world)
    result = world.plan("--detailed-exitcode")
    item = result.item(name)
    assert (item["kind"], item["risk"], item["reasonCode"]) == expected, item
    assert result.code == code, result.err


def test_notes_and_documents_missing_live_become_items(world: PlanWorld) -> None:
    notes_missing(world)
    items = world.plan().items("acme")
    assert [(i["kind"], i["risk"], i["reasonCode"]) for i in items] == [
        ("add-note", "safe", "missing_live"),
        ("upload-document", "safe", "missing_live"),
        ("noop", "none", "in_sync"),
    ]


def test_activation_names_the_offered_groups(world: PlanWorld) -> None:
    order = _confirmed(world, on_demand=True)
    item = world.plan().item("acme")
    groups = sorted({str(n.phone_number_group) for n in order.phone_numbers})
    assert item["groups"] == groups
    assert item["numbers"] == sorted(A)


def test_completed_order_says_the_spec_can_be_archived(world: PlanWorld) -> None:
    completed_differs(world)
    notices = world.plan().item("acme")["notices"]
    assert notices == [
        {"code": "order_completed", "message": "order completed; spec can be archived"}
    ]


def test_rejected_numbers_are_shown_with_the_carrier_reason(world: PlanWorld) -> None:
    world.spec("acme", A)
    order = world.create("acme")
    group = str(order.phone_numbers[0].phone_number_group)
    world.emu.reject_group(order.id, group, "Invalid port-out PIN")
    notices = world.plan().item("acme")["notices"]
    assert {
        "code": "number_rejected",
        "message": f"{A[0]} rejected: Invalid port-out PIN",
        "number": A[0],
    } in notices


def test_prune_turns_orphans_into_cancels(world: PlanWorld) -> None:
    orphan(world)
    result = world.plan("--prune", "--detailed-exitcode")
    item = result.item("gitops/forgotten")
    assert (item["kind"], item["risk"], item["reasonCode"]) == (
        "cancel",
        "irreversible",
        "orphan_pruned",
    )
    assert item["numbers"] == sorted(A)
    assert result.code == 2


def test_without_detailed_exitcode_changes_exit_zero(world: PlanWorld) -> None:
    confirmed_differs(world)
    assert world.plan().code == 0
