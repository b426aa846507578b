"""`portctl status` on the emulator: one row per spec with status, numbers, FOC, next step."""

from __future__ import annotations

from reconciler.cli.exits import EXIT_OK
from tests.drift.scenario import build_scenario
from tests.drift.world import ReportWorld


def test_status_json_has_one_row_per_spec_with_its_lifecycle(world: ReportWorld) -> None:
    build_scenario(world)
    run = world.report("status")
    assert run.code == EXIT_OK, run.err
    rows = {r["name"]: r for r in run.document["orders"]}
    assert run.document["today"] == "2026-11-28"
    assert list(rows) == sorted(rows)
    assert set(rows) == {
        "alpha-hq",
        "bravo-branch",
        "charlie-lab",
        "delta-warehouse",
        "done-chicago",
        "echo-new",
        "gone-evanston",
    }
    summary = {
        name: (r["status"], r["numbersByStatus"], r["focDates"], r["nextStep"])
        for name, r in rows.items()
    }
    assert summary["alpha-hq"] == (
        "PENDING",
        {"REJECTED": 2},
        [],
        "fix the rejected numbers in the spec, then apply (update)",
    )
    assert summary["bravo-branch"][3] == "portctl apply updates the order (PUT)"
    assert summary["charlie-lab"][:3] == ("CONFIRMED", {"CONFIRMED": 2}, ["2026-12-01"])
    assert summary["delta-warehouse"][3] == (
        "on-demand: waiting for groups to be offered for activation"
    )
    assert summary["done-chicago"][:2] == ("COMPLETED", {"ACTIVATED": 2})
    assert summary["echo-new"] == ("NO ORDER", {}, [], "portctl apply creates the order")
    assert rows["echo-new"]["orderId"] is None
    assert summary["gone-evanston"][:2] == ("CANCELED", {"CANCELED": 1})


def test_status_text_is_a_table_with_foc_range(world: ReportWorld) -> None:
    world.spec("alpha", ["+13125550141", "+14155550111", "+12125550171", "+16175550191"])
    order = world.create("alpha")
    groups = world.groups(order)
    assert len(groups) >= 2  # several losing carriers: several FOC dates
    world.emu.confirm_group(order.id, groups[0], "2026-12-01")
    for group in groups[1:]:
        world.emu.confirm_group(order.id, group, "2026-12-04")
    run = world.report("status", "--format", "text")
    lines = run.out.splitlines()
    assert run.code == EXIT_OK
    assert lines[0] == "Status on 2026-11-26: 1 spec, 1 with a live order"
    assert lines[2].split() == ["name", "id", "status", "numbers", "FOC", "next", "step"]
    row = lines[4]
    assert row.startswith(f"alpha  {order.id}  CONFIRMED  4 CONFIRMED  2026-12-01..2026-12-04")
    assert "ports on its FOC date (2026-12-01..2026-12-04), activated by Sinch" in row


def test_status_selector_and_empty_selection(world: ReportWorld) -> None:
    world.spec("alpha", ["+13125550141"])
    run = world.report("status", "--format", "text", "--selector", "team=none")
    assert run.code == EXIT_OK
    assert run.out == "Status on 2026-11-26: 0 specs, 0 with a live order\n"
