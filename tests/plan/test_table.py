"""docs/design.md#decision-table, row by row, on the emulator: each world is set up through the
emulator's own controls and planned through the real CLI (`--detailed-exitcode --format json`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from reconciler.api import Order
from tests.plan.conftest import PlanWorld

A = ["+13125550141", "+13125550142"]
B = ["+13125550151", "+13125550152"]


def none_live(world: PlanWorld) -> None:
    """none -> create"""
    world.spec("acme", A)


def pending_cancelation(world: PlanWorld) -> None:
    """PENDING_CANCELATION -> wait"""
    world.spec("acme", A)
    order = world.create("acme")
    with world.client() as client:
        client.cancel_order(order.id)


def only_canceled(world: PlanWorld) -> None:
    """only CANCELED -> create"""
    pending_cancelation(world)
    world.emu.advance(timedelta(days=2))


def pending_unchanged(world: PlanWorld) -> None:
    """PENDING unchanged -> noop"""
    world.spec("acme", A)
    world.create("acme")


def pending_differs(world: PlanWorld) -> None:
    """PENDING differs -> update"""
    pending_unchanged(world)
    world.spec("acme", A, city="Springfield")


def pending_to_cancel(world: PlanWorld) -> None:
    """PENDING + canceled -> cancel"""
    pending_unchanged(world)
    world.spec("acme", A, state="canceled")


def _confirmed(world: PlanWorld, *, on_demand: bool = False) -> Order:
    world.spec("acme", A, on_demand=on_demand)
    order = world.create("acme")
    world.confirm(order, foc="2026-11-26" if on_demand else None)
    return order


def confirmed_differs(world: PlanWorld) -> None:
    """CONFIRMED differs -> blocked"""
    _confirmed(world)
    world.spec("acme", A, city="Springfield")


def confirmed_canceled_spec(world: PlanWorld) -> None:
    """CONFIRMED + canceled -> blocked"""
    _confirmed(world)
    world.spec("acme", A, state="canceled")


def confirmed_offered(world: PlanWorld) -> None:
    """CONFIRMED on-demand offered -> activate"""
    _confirmed(world, on_demand=True)


def canceled_and_canceled_spec(world: PlanWorld) -> None:
    """CANCELED + canceled -> noop"""
    only_canceled(world)
    world.spec("acme", A, state="canceled")


def completed_unchanged(world: PlanWorld) -> None:
    """COMPLETED unchanged -> noop"""
    _confirmed(world)
    world.emu.advance(timedelta(days=25))


def completed_differs(world: PlanWorld) -> None:
    """COMPLETED differs -> noop"""
    completed_unchanged(world)
    world.spec("acme", A, city="Springfield")


def completed_canceled_spec(world: PlanWorld) -> None:
    """COMPLETED + canceled -> noop"""
    completed_unchanged(world)
    world.spec("acme", A, state="canceled")


def notes_missing(world: PlanWorld) -> None:
    """notes/documents missing -> add"""
    pending_unchanged(world)
    world.spec("acme", A, notes=["LOA signed by the CFO"], documents=True)


def orphan(world: PlanWorld) -> None:
    """no spec, prefix -> orphan"""
    world.spec("acme", A)
    world.create("acme", reference="gitops/forgotten")
    world.spec("acme", B)
    world.create("acme")


def conflict(world: PlanWorld) -> None:
    """two open orders -> conflict"""
    pending_unchanged(world)
    world.spec("acme", B)
    world.create("acme")


def nonportable(world: PlanWorld) -> None:
    """not portable -> blocked"""
    world.spec("acme", A)
    world.emu.mark_nonportable([A[1]])


Setup = Callable[[PlanWorld], None]
ROWS: list[tuple[Setup, str, tuple[str, str, str], int]] = [
    # (setup, whose main item, (kind, risk, reasonCode), exit code with --detailed-exitcode)
    (none_live, "acme", ("create", "safe", "order_missing"), 2),
    (only_canceled, "acme", ("create", "safe", "previous_order_canceled"), 2),
    (pending_cancelation, "acme", ("wait", "none", "numbers_held_by_cancelation"), 2),
    (pending_differs, "acme", ("update", "safe", "fields_differ"), 2),
    (pending_to_cancel, "acme", ("cancel", "irreversible", "spec_canceled"), 2),
    (confirmed_differs, "acme", ("blocked", "blocked", "order_confirmed_locked"), 3),
    (confirmed_canceled_spec, "acme", ("blocked", "blocked", "cancel_locked"), 3),
    (confirmed_offered, "acme", ("activate", "irreversible", "groups_ready"), 2),
    (canceled_and_canceled_spec, "acme", ("noop", "none", "already_canceled"), 0),
    (completed_differs, "acme", ("noop", "none", "order_completed"), 0),
    (completed_unchanged, "acme", ("noop", "none", "order_completed"), 0),
    (completed_canceled_spec, "acme", ("noop", "none", "order_completed"), 0),
    (pending_unchanged, "acme", ("noop", "none", "in_sync"), 0),
    (notes_missing, "acme", ("noop", "none", "in_sync"), 2),
    (orphan, "gitops/forgotten", ("orphan", "none", "no_spec"), 0),
    (conflict, "acme", ("conflict", "blocked", "conflicting_orders"), 3),
    (nonportable, "acme", ("blocked", "blocked", "number_not_portable"), 3),
]
"""The rows of docs/design.md#decision-table; each test is named by its setup's docstring."""


@pytest.mark.parametrize(
    ("setup", "name", "expected", "code"), ROWS, ids=[str(row[0].__doc__) for row in ROWS]
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
    assert item["groups"] == world.groups(order)
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
    group = str(order.raw["phoneNumbers"][0]["phoneNumberGroup"])
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
