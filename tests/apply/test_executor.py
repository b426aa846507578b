"""The executor's rules (DESIGN §5), each shown on the in-process emulator."""

from __future__ import annotations

from typing import Any

from reconciler.api import PortingClient
from reconciler.apply import Outcome
from reconciler.emulator import Fault
from tests.apply.conftest import ApplyWorld, mutating, references

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
