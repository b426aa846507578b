"""Issue 11 point 2: a create whose numbers are on a live open order of any reference is
`blocked` at plan time, naming that order; the emulator's portability answer agrees with its
own 422 (docs/api-notes.md#emulator-choices)."""

from __future__ import annotations

import pytest

from reconciler.api import ApiError
from tests.plan.conftest import PlanWorld

A = ["+13125550141", "+13125550142"]


def test_a_create_on_numbers_of_an_unmanaged_open_order_is_blocked(world: PlanWorld) -> None:
    world.spec("riverside-vet", A)
    other = world.create("riverside-vet", reference="legacy-crm/4711")
    item = world.plan().item("riverside-vet")
    assert item["kind"] == "blocked"
    assert item["reasonCode"] == "numbers_on_open_order"
    assert f"order {other.id} (legacy-crm/4711, PENDING)" in item["reason"]
    assert item["numbers"] == A


def test_a_confirmed_holder_under_the_prefix_is_named_with_its_status(world: PlanWorld) -> None:
    world.spec("riverside-vet", A)
    other = world.create("riverside-vet", reference="gitops/riverside-old")
    world.confirm(other)
    result = world.plan("--detailed-exitcode")
    assert result.code == 3
    item = result.item("riverside-vet")
    assert f"order {other.id} (gitops/riverside-old, CONFIRMED)" in item["reason"]


def test_numbers_an_update_of_this_plan_frees_can_be_created(world: PlanWorld) -> None:
    world.spec("first", A)
    world.create("first")
    world.spec("first", A[:1])
    world.spec("second", A[1:])
    result = world.plan()
    assert result.item("first")["kind"] == "update"
    assert result.item("second")["kind"] == "create"


def test_emulator_portability_agrees_with_its_422(world: PlanWorld) -> None:
    world.spec("riverside-vet", A)
    other = world.create("riverside-vet", reference="legacy-crm/4711")
    with world.client() as client:
        answers = {a.phone_number: a for a in client.check_portability(A)}
        with pytest.raises(ApiError) as refused:
            client.create_order(dict(world.desired("riverside-vet").body))
    reason = f"{A[0]} is already on order {other.id} (PENDING)"
    assert not answers[A[0]].portable
    assert answers[A[0]].reason == reason
    assert reason in refused.value.detail()


def test_blocked_and_waiting_items_carry_their_remedy(world: PlanWorld) -> None:
    """Issue 11 point 6, through the CLI in every format."""
    world.spec("riverside-vet", A)
    world.create("riverside-vet", reference="legacy-crm/4711")
    world.spec("held", ["+13125550151"])
    with world.client() as client:
        client.cancel_order(world.create("held", reference="gitops/held-old").id)
    result = world.plan()
    blocked = result.item("riverside-vet")
    assert blocked["remedy"].startswith("cancel that order or take the numbers off it in Sinch")
    waiting = result.item("held")
    assert waiting["kind"] == "wait"
    assert waiting["remedy"].startswith("nothing to do: run apply again once the cancelation")
    text = world.plan("--format", "text").out
    assert "remedy: cancel that order" in text
    markdown = world.plan("--format", "markdown").out
    assert "Remedy: cancel that order" in markdown


def test_every_reason_of_a_blocked_conflict_or_wait_item_has_a_remedy() -> None:
    """A new reason code must say whether it needs a person, and what they do."""
    from reconciler.planning.items import REMEDIES, Reason

    without = set(Reason) - set(REMEDIES)
    assert without == {
        Reason.CONFIGURATION_MISSING,
        Reason.CONFIGURATION_DIFFERS,
        Reason.IN_SYNC,
        Reason.FIELDS_DIFFER,
        Reason.SPEC_CANCELED,
        Reason.AWAITING_ACTIVATION,
        Reason.GROUPS_READY,
        Reason.MISSING_LIVE,
        Reason.ORDER_MISSING,
        Reason.PREVIOUS_ORDER_CANCELED,
        Reason.NEW_ORDER,
        Reason.ORDER_COMPLETED,
        Reason.CANCELATION_IN_PROGRESS,
        Reason.ALREADY_CANCELED,
        Reason.NO_LIVE_ORDER,
        Reason.NO_SPEC,
        Reason.ORPHAN_PRUNED,
        Reason.ORPHAN_LOCKED,
    }
