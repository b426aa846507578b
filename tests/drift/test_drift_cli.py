"""`portctl drift` on the emulator: every category, its exit code, formats, read-only proof."""

from __future__ import annotations

from pathlib import Path

from reconciler.cli.exits import EXIT_BLOCKED, EXIT_CHANGES, EXIT_OK
from reconciler.emulator import Fault
from tests.drift.world import ACCOUNT, PIN, PREFIX, ReportWorld

NUMBERS_A = ["+13125550141", "+13125550142"]
NUMBERS_B = ["+13125550151"]


def _names(items: list[dict[str, object]]) -> list[object]:
    return [i["name"] for i in items]


def test_in_sync_exits_0_and_lists_the_order_in_lifecycle(world: ReportWorld) -> None:
    world.spec("alpha", NUMBERS_A)
    order = world.create("alpha")
    run = world.report("drift")
    doc = run.document
    assert run.code == EXIT_OK, run.err
    assert doc["verdict"] == "in-sync"
    assert doc["actionable"] == doc["blocked"] == doc["orphans"] == doc["archivable"] == []
    [facts] = doc["lifecycle"]
    assert facts["orderId"] == order.id
    assert facts["status"] == "PENDING"
    assert facts["numbersByStatus"] == {"PENDING": 2}
    assert facts["nextStep"] == "wait for the losing carrier to confirm (FOC)"


def test_spec_edit_on_a_pending_order_is_actionable_drift_exit_2(world: ReportWorld) -> None:
    world.spec("alpha", NUMBERS_A)
    world.create("alpha")
    world.spec("alpha", NUMBERS_A, city="Springfield")
    run = world.report("drift")
    [item] = run.document["actionable"]
    assert run.code == EXIT_CHANGES
    assert (item["kind"], item["reasonCode"]) == ("update", "fields_differ")
    assert {c["path"] for c in item["changes"]} == {
        f"phoneNumbers[{n}].endUser.city" for n in NUMBERS_A
    }
    assert run.document["blocked"] == []


def test_spec_without_an_order_is_actionable_create(world: ReportWorld) -> None:
    world.spec("alpha", NUMBERS_A)
    run = world.report("drift")
    assert run.code == EXIT_CHANGES
    assert [(i["kind"], i["name"]) for i in run.document["actionable"]] == [("create", "alpha")]
    assert run.document["lifecycle"] == []


def test_spec_edit_on_a_confirmed_order_is_blocked_exit_3_and_wins(world: ReportWorld) -> None:
    world.spec("alpha", NUMBERS_A)
    world.spec("bravo", NUMBERS_B)
    world.confirm(world.create("alpha"))
    world.create("bravo")
    world.spec("alpha", NUMBERS_A, city="Springfield")
    world.spec("bravo", NUMBERS_B, city="Springfield")
    run = world.report("drift")
    assert run.code == EXIT_BLOCKED
    assert run.document["verdict"] == "blocked"
    [blocked] = run.document["blocked"]
    assert (blocked["name"], blocked["reasonCode"]) == ("alpha", "order_confirmed_locked")
    assert _names(run.document["actionable"]) == ["bravo"]
    alpha = next(f for f in run.document["lifecycle"] if f["name"] == "alpha")
    assert alpha["nextStep"].startswith("changes are locked")


def test_live_order_under_the_prefix_without_spec_is_an_orphan_exit_2(world: ReportWorld) -> None:
    world.spec("alpha", NUMBERS_A)
    world.create("alpha")
    world.spec("legacy", NUMBERS_B)
    orphan = world.create("legacy")
    (world.specs / "legacy.yaml").unlink()
    world.spec("theirs", ["+13125550161"])
    world.create("theirs", customerOrderReference="other/not-ours")
    (world.specs / "theirs.yaml").unlink()
    run = world.report("drift")
    assert run.code == EXIT_CHANGES
    [item] = run.document["orphans"]
    assert (item["reference"], item["orderId"]) == (f"{PREFIX}legacy", orphan.id)
    assert item["numbers"] == NUMBERS_B


def test_completed_and_canceled_orders_make_archivable_specs_not_drift(
    world: ReportWorld,
) -> None:
    world.spec("done", NUMBERS_A, port_date="2026-11-27")
    world.spec("gone", NUMBERS_B, state="canceled")
    done = world.create("done")
    world.confirm(done, "2026-11-27")
    gone = world.create("gone")
    world.cancel(gone)
    world.advance(2)
    world.monkeypatch.setenv("PORTCTL_TODAY", "2026-11-28")
    run = world.report("drift")
    assert run.code == EXIT_OK, run.out
    archivable = {i["name"]: (i["status"], i["reasonCode"]) for i in run.document["archivable"]}
    assert archivable == {
        "done": ("COMPLETED", "order_completed"),
        "gone": ("CANCELED", "already_canceled"),
    }
    lifecycle = {f["name"]: f for f in run.document["lifecycle"]}
    assert lifecycle["done"]["numbersByStatus"] == {"ACTIVATED": 2}
    assert lifecycle["gone"]["numbersByStatus"] == {"CANCELED": 1}
    assert lifecycle["done"]["nextStep"] == "archive the spec (nothing left to do)"


def test_lifecycle_shows_rejections_carrier_notes_and_dates_in_the_next_7_days(
    world: ReportWorld,
) -> None:
    world.spec("alpha", NUMBERS_A, port_date="2026-12-01")
    world.spec("bravo", NUMBERS_B, notes=["ours: LOA attached"])
    alpha = world.create("alpha")
    bravo = world.create("bravo")
    [group] = world.groups(alpha)
    world.emu.reject_group(alpha.id, group, "Invalid port-out PIN")
    world.confirm(bravo, "2026-11-30")
    with world.client() as client:
        client.add_note(bravo.id, "ours: LOA attached")
        client.add_note(bravo.id, "Customer asks to port after 6pm")
    run = world.report("drift")
    assert run.code == EXIT_OK
    lifecycle = {f["name"]: f for f in run.document["lifecycle"]}
    a, b = lifecycle["alpha"], lifecycle["bravo"]
    assert a["rejections"] == [{"number": n, "reason": "Invalid port-out PIN"} for n in NUMBERS_A]
    assert a["numbersByStatus"] == {"REJECTED": 2}
    assert [n["author"] for n in a["carrierNotes"]] == ["Sinch"]
    assert "rejected group" in a["carrierNotes"][0]["text"]
    assert a["upcoming"] == [{"kind": "port", "date": "2026-12-01", "numbers": 0}]
    assert a["nextStep"] == "fix the rejected numbers in the spec, then apply (update)"
    assert [n["text"] for n in b["carrierNotes"]] == ["Customer asks to port after 6pm"]
    assert b["status"] == "CONFIRMED"
    assert b["focDates"] == ["2026-11-30"]
    assert b["upcoming"] == [{"kind": "foc", "date": "2026-11-30", "numbers": 1}]
    assert b["nextStep"].startswith("ports on its FOC date (2026-11-30)")


def test_an_order_being_canceled_has_no_upcoming_port_date(world: ReportWorld) -> None:
    world.spec("alpha", NUMBERS_A, port_date="2026-11-30", state="canceled")
    world.cancel(world.create("alpha"))
    run = world.report("drift")
    [facts] = run.document["lifecycle"]
    assert (facts["status"], facts["portDate"]) == ("PENDING_CANCELATION", "2026-11-30")
    assert facts["upcoming"] == []
    assert run.document["summary"]["upcoming"] == 0


def test_drift_changes_nothing_live(world: ReportWorld) -> None:
    world.spec("alpha", NUMBERS_A)
    world.spec("bravo", NUMBERS_B)
    world.spec("gone", ["+13125550171"], state="canceled")
    world.create("alpha")
    world.create("gone")
    world.spec("alpha", NUMBERS_A, city="Springfield")
    before = world.emu.world.to_dict()
    assert world.report("drift").code == EXIT_CHANGES
    assert world.report("drift", "--format", "html").code == EXIT_CHANGES
    assert world.emu.world.to_dict() == before


def test_output_file_formats_and_no_secret_anywhere(world: ReportWorld, tmp_path: Path) -> None:
    world.spec("alpha", NUMBERS_A)
    world.create("alpha")
    world.spec("alpha", NUMBERS_A, pin="${OTHER_PIN}")
    world.monkeypatch.setenv("OTHER_PIN", "SECRET-NEW-9911")
    for fmt in ("text", "markdown", "json", "html"):
        out = tmp_path / "reports" / f"drift.{fmt}"
        run = world.report("drift", "--format", fmt, "--output", str(out))
        text = out.read_text("utf-8")
        assert run.code == EXIT_CHANGES
        assert run.out == ""
        assert f"written to {out}" in run.err
        assert "alpha" in text
        for secret in (PIN, ACCOUNT, "SECRET-NEW-9911"):
            assert secret not in text
    assert "(secret changed)" in (tmp_path / "reports" / "drift.markdown").read_text("utf-8")


def test_spec_errors_exit_1_and_nothing_is_read(world: ReportWorld) -> None:
    world.write("broken.yaml", {"apiVersion": "portctl/v1", "kind": "PortIn", "metadata": {}})
    before = len(world.emu.request_log)
    run = world.report("drift")
    assert run.code == 1
    assert "problem(s) in the specs" in run.err
    assert len(world.emu.request_log) == before


def test_two_open_orders_for_one_spec_are_blocked_and_both_listed(world: ReportWorld) -> None:
    world.spec("alpha", NUMBERS_A)
    first = world.create("alpha")
    world.spec("other", NUMBERS_B)
    second = world.create("other", customerOrderReference=f"{PREFIX}alpha")
    (world.specs / "other.yaml").unlink()
    run = world.report("drift")
    assert run.code == EXIT_BLOCKED
    [item] = run.document["blocked"]
    assert (item["kind"], item["reasonCode"]) == ("conflict", "conflicting_orders")
    rows = [(f["name"], f["orderId"]) for f in run.document["lifecycle"]]
    assert rows == [("alpha", first.id), ("alpha", second.id)]
    assert all(
        f["nextStep"].startswith("cancel the wrong order") for f in run.document["lifecycle"]
    )


def test_api_error_exits_1_and_writes_no_report(world: ReportWorld, tmp_path: Path) -> None:
    world.spec("alpha", NUMBERS_A)
    world.create("alpha")
    world.emu.add_fault(Fault(method="GET", path="/orders", status=403, count=50))
    out = tmp_path / "drift.html"
    run = world.report("drift", "--format", "html", "--output", str(out))
    assert run.code == 1
    assert "403" in run.err
    assert not out.exists()
    assert run.out == ""


def test_a_non_portable_number_in_a_new_spec_is_blocked_exit_3(world: ReportWorld) -> None:
    world.spec("alpha", NUMBERS_A)
    world.emu.mark_nonportable([NUMBERS_A[0]])
    run = world.report("drift")
    assert run.code == EXIT_BLOCKED
    [item] = run.document["blocked"]
    assert (item["name"], item["reasonCode"]) == ("alpha", "number_not_portable")
    assert run.document["actionable"] == []


def test_an_offered_on_demand_activation_is_actionable_exit_2(world: ReportWorld) -> None:
    world.spec("alpha", NUMBERS_A, on_demand=True, port_date="2026-11-27")
    order = world.create("alpha")
    world.confirm(order, "2026-11-27")
    assert world.report("drift").code == EXIT_OK  # FOC not reached: nothing offered yet
    world.advance(1)
    world.monkeypatch.setenv("PORTCTL_TODAY", "2026-11-27")
    run = world.report("drift")
    assert run.code == EXIT_CHANGES
    [item] = run.document["actionable"]
    assert (item["kind"], item["groups"]) == ("activate", world.groups(order))
    [facts] = run.document["lifecycle"]
    assert facts["nextStep"] == f"portctl apply activates {', '.join(world.groups(order))}"
