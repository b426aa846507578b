"""Golden renderings of one rich plan; regenerate: `PORTCTL_UPDATE_GOLDEN=1 pytest tests/golden`.

The plan has every kind a reviewer meets: configuration, create (with notes and documents),
update with removals, a secret changed, rejected numbers, cancel, blocked (locked and
non-portable), activation, an orphan, a conflict and a completed order (shown for its
archive notice, said once). Built on plain data, so the files change
only when the planner's decisions or the renderers' wording change.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from reconciler import redact
from reconciler.desired import DesiredConfiguration, DesiredState, SourceLocation
from reconciler.live import LiveOrderSummary, LiveSnapshot
from reconciler.planning import Plan, build_plan
from tests.core.builders import PIN, TODAY, desired, live_order, number, render, summary

HERE = Path(__file__).parent
UPDATE = os.environ.get("PORTCTL_UPDATE_GOLDEN") == "1"


def rich_plan() -> Plan:
    """The plan the golden files show."""
    create = desired(
        "acme-branch",
        [number("+13125550201"), number("+13125550202")],
        notes=("LOA signed by the CFO, attached",),
        documents=("acme-loa.pdf",),
        port_date="2026-11-30",
    )
    update = desired(
        "acme-hq",
        [number("+13125550141", city="Springfield"), number("+13125550142", pin="NEW-PIN-0000")],
        notes=("Please port after 6pm",),
    )
    update_live = live_order(
        1001,
        {
            **desired("acme-hq", [number("+13125550141"), number("+13125550142")]).body,
            "loaUploadedBy": "Former Admin",
        },
        focDate="2026-11-28",
    )
    update_live["phoneNumbers"][1].update(status="REJECTED", rejectReason="Invalid port-out PIN")
    cancel = replace(desired("acme-old", [number("+13125550301")]), state="canceled")
    locked = desired("beta-locked", [number("+14155550111", city="Oakland [HQ]")])
    locked_live = live_order(
        1003, desired("beta-locked", [number("+14155550111")]).body, status="CONFIRMED"
    )
    activate = desired("gamma-ondemand", [number("+12125550171")], mode="on-demand", when="ready")
    nonportable = desired("delta-new", [number("+17185550181")])
    conflict = desired("epsilon", [number("+16175550191")])
    completed = desired("acme-done", [number("+13125550401")])
    lives = [
        update_live,
        live_order(1002, cancel.body),
        locked_live,
        live_order(1004, activate.body, status="CONFIRMED", group="GW Verizon Grp1"),
        live_order(1005, conflict.body),
        live_order(1006, conflict.body),
        live_order(1007, completed.body, status="COMPLETED"),
    ]
    managed: dict[str, tuple[LiveOrderSummary, ...]] = {}
    for live in lives:
        ref = live["customerOrderReference"]
        managed[ref] = (*managed.get(ref, ()), summary(live))
    snapshot = LiveSnapshot(
        managed=managed,
        details={int(o["id"]): o for o in lives},
        orphans=(LiveOrderSummary(2001, "gitops/zeta-forgotten", "PENDING", "2026-10-01"),),
        configuration={"defaultPortTime": "09:00:00", "webhookUrl": "https://old.example/hook"},
        available_activations={1004: ("GW Verizon Grp1",)},
        portability={
            "+13125550201": (True, ""),
            "+13125550202": (True, ""),
            "+17185550181": (False, "Number is not portable to Sinch"),
        },
    )
    state = DesiredState(
        orders=(create, update, cancel, locked, activate, nonportable, conflict, completed),
        configuration=DesiredConfiguration(
            body={"defaultPortTime": "09:00:00", "webhookUrl": "https://hooks.example/porting"},
            source=SourceLocation(Path("specs/defaults.yaml")),
        ),
        reference_prefix="gitops/",
        settings_file="specs/portctl.yaml",
    )
    return build_plan(state, snapshot, today=TODAY)


@pytest.mark.parametrize(("fmt", "suffix"), [("text", "txt"), ("markdown", "md"), ("json", "json")])
def test_golden_rendering(fmt: str, suffix: str) -> None:
    redact.register_secret(PIN)
    rendered = render(rich_plan(), fmt, api_calls=11 if fmt == "json" else None)
    path = HERE / f"plan.{suffix}"
    if UPDATE:
        path.write_text(rendered, "utf-8")
    assert rendered == path.read_text("utf-8"), f"regenerate with PORTCTL_UPDATE_GOLDEN=1 ({path})"
    assert PIN not in rendered
    assert "NEW-PIN-0000" not in rendered
