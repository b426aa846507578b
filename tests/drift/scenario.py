"""One emulator world with every drift category, for the golden files and the browser test.

Built through the emulator's public surface only (API client, carrier controls, clock), in a
fixed order on a fixed clock, so order ids, dates and note times are the same on every run.
"""

from __future__ import annotations

from tests.drift.world import ReportWorld

SCENARIO_TODAY = "2026-11-28"


def build_scenario(world: ReportWorld) -> None:
    """Completed, canceled, rejected, updated, locked, on-demand, missing and orphan orders."""
    world.spec("done-chicago", ["+13125550101", "+13125550102"], port_date="2026-11-27")
    world.spec("gone-evanston", ["+18475550111"], state="canceled")
    done = world.create("done-chicago")
    world.confirm(done, "2026-11-27")
    world.cancel(world.create("gone-evanston"))
    world.advance(2)
    world.monkeypatch.setenv("PORTCTL_TODAY", SCENARIO_TODAY)

    world.spec("alpha-hq", ["+13125550141", "+13125550142"], port_date="2026-12-02")
    world.spec("bravo-branch", ["+13125550151"])
    world.spec("charlie-lab", ["+13125550161", "+13125550162"])
    world.spec("delta-warehouse", ["+13125550171"], on_demand=True, port_date="2026-12-03")
    world.spec("legacy-desk", ["+13125550181"])
    alpha = world.create("alpha-hq")
    world.emu.reject_group(alpha.id, world.groups(alpha)[0], "Invalid port-out PIN")
    world.create("bravo-branch")
    charlie = world.create("charlie-lab")
    world.confirm(charlie, "2026-12-01")
    with world.client() as client:
        client.add_note(charlie.id, "Customer asks to port after 6pm <script>alert(1)</script>")
    world.confirm(world.create("delta-warehouse"), "2026-12-03")
    world.create("legacy-desk")
    (world.specs / "legacy-desk.yaml").unlink()

    world.spec("bravo-branch", ["+13125550151"], city="Evanston")
    world.spec("charlie-lab", ["+13125550161", "+13125550162"], city="Oak Park")
    world.spec("echo-new", ["+13125550191"])
