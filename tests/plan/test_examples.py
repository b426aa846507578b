"""The shipped example specs, applied by hand on the emulator, plan empty (no false drift).

Covers what the constructed tests cannot: the real loader's bodies (defaults merged, e911,
per-number overrides, a Canadian order with a reseller, project configuration) against what
the emulator echoes back (filled-in schedule defaults, FOC date-times, server fields).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from hypothesis import given, settings

from reconciler.api import PortingClient, StaticToken
from reconciler.desired import DesiredOrder, DesiredState
from reconciler.emulator import Emulator
from reconciler.live import fetch_live
from reconciler.planning import Kind, Plan, build_plan
from reconciler.planning.reads import PlanReads
from reconciler.spec import load_env, load_project
from tests.core.test_properties import orders

SPECS = Path(__file__).resolve().parents[2] / "specs"
TODAY = date(2026, 11, 26)


def plan_after_applying_by_hand(state: DesiredState) -> Plan:
    """Create every order of `state` (with its notes and documents, and the configuration)
    directly through the client on a fresh emulator, then plan against the result."""
    emu = Emulator(now=datetime(2026, 11, 26, 15, tzinfo=UTC), webhook_sender=lambda _u, _e: None)
    with PortingClient(
        base_url="http://127.0.0.1",
        project_id="demo",
        auth=StaticToken("x"),
        transport=emu.transport(),
    ) as client:
        if state.configuration is not None:
            client.create_configuration(state.configuration.body)
        for spec in state.orders:
            order = client.create_order(spec.body)
            for note in spec.notes:
                client.add_note(order.id, note)
            for doc in spec.documents:
                client.upload_document(
                    order.id, name=doc.name, description=doc.description, content=b"%PDF"
                )
        return build_plan(state, fetch_live(client, PlanReads(state)), today=TODAY)


def test_example_specs_as_applied_plan_empty() -> None:
    result = load_project(
        [SPECS], today=TODAY, env=load_env(SPECS / "demo.env", {}), resolve_secrets=True
    )
    state = result.state
    assert state is not None
    assert state.configuration is not None
    plan = plan_after_applying_by_hand(state)
    assert len(state.orders) >= 4
    assert {item.kind for item in plan.items} == {Kind.NOOP}
    assert not plan.has_changes


@settings(max_examples=15)
@given(orders())
def test_generated_specs_as_applied_on_the_emulator_plan_empty(
    specs: tuple[DesiredOrder, ...],
) -> None:
    state = DesiredState(orders=specs, reference_prefix="gitops/")
    plan = plan_after_applying_by_hand(state)
    assert [str(i.kind) for i in plan.items] == ["noop"] * len(specs)
