"""The executor's rules (docs/design.md#apply-semantics), each shown on the in-process emulator."""

from __future__ import annotations

from typing import Any

from reconciler.api import PortingClient
from reconciler.apply import Outcome
from reconciler.apply.context import RELOOK_DELAYS
from reconciler.emulator import Fault
from reconciler.planning import Kind
from tests.apply.conftest import ApplyWorld, LaggingLists, VirtualClock, mutating, references

A = ["+13125550141", "+13125550142"]
B = ["+13125550151"]


def _outcomes(report: Any) -> dict[tuple[str, str], str]:
    return {(r.item.name, r.action): str(r.outcome) for r in report.results}


def test_creates_then_a_second_run_makes_no_mutating_call(world: ApplyWorld) -> None:
    world.spec("alpha", A, notes=["LOA attached"], documents=True)
    world.spec("beta", B)
    first = world.execute()
    assert _outcomes(first) == {
        ("alpha", "create"): "applied",
        ("beta", "create"): "applied",
        ("alpha", "add-note"): "applied",
        ("alpha", "upload-document"): "applied",
    }
    order = world.order("gitops/alpha")
    assert [n["note"] for n in order["notes"]] == ["LOA attached"]
    assert [d["documentName"] for d in order["documents"]] == ["loa.pdf"]
    assert world.plan().actions == ()
    world.emu.request_log.clear()
    second = world.execute()
    assert second.results == ()
    assert mutating(world.emu.request_log) == []


def test_create_looks_up_the_reference_first_and_adopts_a_matching_order(
    world: ApplyWorld,
) -> None:
    world.spec("alpha", A)
    desired = world.desired()

    def someone_else_creates(client: PortingClient) -> None:
        client.create_order(desired.orders[0].body)

    report = world.execute(between=someone_else_creates)
    (result,) = report.results
    assert result.outcome is Outcome.SKIPPED
    assert "already exists" in result.message
    assert references(world.emu) == ["gitops/alpha"]


def test_portability_is_checked_again_right_before_create(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    world.spec("beta", B)
    report = world.execute(between=lambda _: world.emu.mark_nonportable([A[1]]))
    outcomes = _outcomes(report)
    assert outcomes[("alpha", "create")] == "failed"
    assert outcomes[("beta", "create")] == "applied", "independent items go on"
    failed = next(r for r in report.results if r.item.name == "alpha")
    assert A[1] in failed.message
    assert "create_order" not in {c.operation for c in failed.calls}
    assert references(world.emu) == ["gitops/beta"]


def test_update_refuses_when_the_order_moved_after_the_plan(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    world.execute()
    world.spec("alpha", A, city="Springfield")
    order_id = world.order("gitops/alpha")["id"]
    report = world.execute(between=lambda c: c.add_note(order_id, "carrier called"))
    (result,) = report.results
    assert result.outcome is Outcome.FAILED
    assert "changed since the plan" in result.message
    assert [c.method for c in result.calls] == ["GET"]
    assert world.order("gitops/alpha")["phoneNumbers"][0]["endUser"]["city"] == "Chicago"


def test_update_already_satisfied_is_skipped(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    world.execute()
    world.spec("alpha", A, city="Springfield")
    desired = world.desired()
    order_id = world.order("gitops/alpha")["id"]
    report = world.execute(between=lambda c: c.update_order(order_id, desired.orders[0].body))
    (result,) = report.results
    assert result.outcome is Outcome.SKIPPED
    assert [c.operation for c in result.calls] == ["get_order"]


def test_lost_create_is_looked_up_not_resent(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    world.emu.add_fault(Fault(method="POST", path="/orders/portIns", mode="drop-after-commit"))
    world.emu.request_log.clear()
    (result,) = world.execute().results
    assert result.outcome is Outcome.APPLIED
    assert "answer lost" in result.message
    creates = [
        r for r in world.emu.request_log if r.method == "POST" and r.path.endswith("/portIns")
    ]
    assert len(creates) == 1
    assert references(world.emu) == ["gitops/alpha"]
    operations = [c.operation for c in result.calls]
    assert operations.index("create_order") < operations.index("list_orders", 1)


def test_create_answered_500_uncommitted_is_sent_again_only_after_a_lookup(
    world: ApplyWorld,
) -> None:
    world.spec("alpha", A)
    world.emu.add_fault(Fault(method="POST", path="/orders/portIns", status=503))
    (result,) = world.execute().results
    assert result.outcome is Outcome.APPLIED
    operations = [c.operation for c in result.calls]
    first, second = (i for i, op in enumerate(operations) if op == "create_order")
    assert "list_orders" in operations[first:second]
    assert references(world.emu) == ["gitops/alpha"]


def test_unknown_create_names_what_to_check_and_never_posts_twice(world: ApplyWorld) -> None:
    world.spec("alpha", A, notes=["hello"])
    world.spec("beta", B)

    def break_things(_: PortingClient) -> None:
        world.emu.add_fault(Fault(method="POST", path="/orders/portIns", mode="drop-after-commit"))
        # the lookup before the POST passes; the one after the lost answer fails every retry
        world.emu.add_fault(Fault(method="GET", path="/orders/portIns", mode="latency"))
        world.emu.add_fault(Fault(method="GET", path="/orders/portIns", status=500, count=5))

    world.emu.request_log.clear()
    report = world.execute(between=break_things)
    outcomes = _outcomes(report)
    assert outcomes[("alpha", "create")] == "unknown"
    assert outcomes[("alpha", "add-note")] == "failed", "no order id to put the note on"
    assert outcomes[("beta", "create")] == "applied", "independent items go on"
    alpha = next(r for r in report.results if r.action == "create" and r.item.name == "alpha")
    assert "customerOrderReference=gitops/alpha" in alpha.message
    assert [c.operation for c in alpha.calls].count("create_order") == 1
    # the next run finds the order and does not create it again
    world.emu.clear_faults()
    rerun = world.execute()
    assert _outcomes(rerun)[("alpha", "add-note")] == "applied"
    assert references(world.emu) == ["gitops/alpha", "gitops/beta"]


def _creates_sent(world: ApplyWorld) -> int:
    return sum(
        1 for r in world.emu.request_log if r.method == "POST" and r.path.endswith("/portIns")
    )


def test_lost_create_is_looked_for_again_while_the_list_lags(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    world.emu.add_fault(Fault(method="POST", path="/orders/portIns", mode="drop-after-commit"))
    world.emu.request_log.clear()
    clock = VirtualClock()
    # two looks (by reference, then by number) see nothing; the third finds the order
    lagging = LaggingLists(world.emu, lag=4)
    (result,) = world.execute(clock=clock, handler=lagging).results
    assert result.outcome is Outcome.APPLIED, result.message
    assert _creates_sent(world) == 1
    assert clock.waits == list(RELOOK_DELAYS)
    assert references(world.emu) == ["gitops/alpha"]


def test_a_lag_longer_than_every_look_leads_to_the_one_re_send(world: ApplyWorld) -> None:
    """The documented limit: after every look comes up empty, the create is sent once more.

    The emulator (like the API, per docs/api-notes.md#emulator-choices) refuses numbers already on a
    live order, so the re-send fails naming the order that exists, and the next plan is in sync. An
    API that accepted it would leave two orders, which the next plan blocks as a conflict.
    """
    world.spec("alpha", A)
    world.emu.add_fault(Fault(method="POST", path="/orders/portIns", mode="drop-after-commit"))
    world.emu.request_log.clear()
    clock = VirtualClock()
    (result,) = world.execute(clock=clock, handler=LaggingLists(world.emu, lag=100)).results
    assert clock.waits == list(RELOOK_DELAYS), "looked again before the one re-send"
    assert _creates_sent(world) == 2
    order_id = world.order("gitops/alpha")["id"]
    assert result.outcome is Outcome.FAILED
    assert f"already on order {order_id}" in result.message
    assert references(world.emu) == ["gitops/alpha"]
    (item,) = world.plan().items
    assert (item.kind, item.reason_code) == (Kind.NOOP, "in_sync")


def test_a_carrier_update_mid_run_stops_later_items_on_that_order_and_says_what_to_do(
    world: ApplyWorld,
) -> None:
    world.spec("alpha", A)
    world.execute()
    world.spec("alpha", A, city="Springfield", notes=["carrier called"])
    order = world.order("gitops/alpha")
    group = order["phoneNumbers"][0]["phoneNumberGroup"]

    class CarrierConfirmsAfterTheUpdate:
        def started(self, index: int, total: int, item: Any) -> None:
            """Nothing before an item."""

        def finished(self, index: int, total: int, timed: Any) -> None:
            if timed.result.action == "update":
                world.emu.confirm_group(order["id"], group)

    report = world.execute(observers=[CarrierConfirmsAfterTheUpdate()])
    assert _outcomes(report) == {("alpha", "update"): "applied", ("alpha", "add-note"): "failed"}
    note = report.results[1]
    assert f"order {order['id']} changed since the plan was made" in note.message
    assert "it is CONFIRMED now" in note.message
    assert "re-run `portctl apply`" in note.message
    assert [c.method for c in note.calls] == ["GET"], "nothing was sent"
    assert _outcomes(world.execute()) == {("alpha", "add-note"): "applied"}
