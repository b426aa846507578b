"""`portctl plan` as a user meets it: read-only, saved plans, exit codes, selectors, stats."""

from __future__ import annotations

import dataclasses
import json

from reconciler.essence import numbers_digest
from reconciler.live import fetch_live
from reconciler.planning import build_plan
from reconciler.planning.reads import PlanReads
from reconciler.savedplan import read_saved_plan, stale_reasons
from reconciler.spec import load_project
from tests.plan.conftest import ACCOUNT, PIN, TODAY, PlanWorld

A = ["+13125550141", "+13125550142"]
B = ["+13125550151", "+13125550152"]
C = ["+13125550161"]


def _busy_world(world: PlanWorld) -> None:
    """A PENDING order that differs, a CONFIRMED on-demand one, an orphan and a new spec."""
    world.spec("pending", A)
    world.create("pending")
    world.spec("pending", A, city="Springfield", notes=["call first"], documents=True)
    world.spec("ondemand", B, on_demand=True)
    world.confirm(world.create("ondemand"), foc="2026-11-26")
    world.spec("orphaned", C)
    world.create("orphaned", reference="gitops/orphaned-elsewhere")
    (world.specs / "orphaned.yaml").unlink()
    world.spec("new", ["+13125550171"])


def test_plan_sends_no_mutating_request(world: PlanWorld) -> None:
    _busy_world(world)
    before = json.dumps(world.emu.world.to_dict()["orders"], sort_keys=True)
    world.emu.request_log.clear()
    result = world.plan_served("--prune")
    assert {i["kind"] for i in result.document["items"]} >= {
        "update",
        "activate",
        "create",
        "cancel",
    }
    methods = {
        (r.method, r.path.rsplit("/", 1)[-1]) for r in world.emu.request_log if r.method != "GET"
    }
    assert methods == {("POST", "portabilityChecks")}
    assert json.dumps(world.emu.world.to_dict()["orders"], sort_keys=True) == before


def test_api_calls_are_reported_in_json_and_with_stats(world: PlanWorld) -> None:
    _busy_world(world)
    world.emu.request_log.clear()
    result = world.plan_served("--stats")
    calls = len(world.emu.request_log)
    assert result.document["apiCalls"] == calls
    assert f"API calls: {calls}" in result.err
    # list (1 page), configuration, 2 open managed orders, availableActivations, portability.
    # A create is planned, so numbers on the open orphan must be found too: the portability
    # batch carries a probe number of the PENDING order read anyway, answered not portable,
    # so the check speaks for the orphan and it is not read (docs/design.md#decision-table)
    assert calls == 6


def test_saved_plan_has_no_secrets_and_goes_stale_when_live_or_specs_move(world: PlanWorld) -> None:
    _busy_world(world)
    out = world.root / "plan.json"
    world.plan("--out", str(out))
    text = out.read_text("utf-8")
    assert PIN not in text
    assert ACCOUNT not in text
    saved = read_saved_plan(out)
    assert saved.creates_references == ("gitops/new",)
    assert len(saved.fingerprints) == 2

    def stale() -> list[str]:
        env = {"PLAN_PIN": PIN, "PLAN_ACCOUNT": ACCOUNT}
        state = load_project([world.specs], today=TODAY, env=env, resolve_secrets=True).state
        assert state is not None
        with world.client() as client:
            live = fetch_live(client, PlanReads(state))
        fresh = build_plan(state, live, today=TODAY)
        return stale_reasons(saved, desired=state, live=live, fresh=fresh)

    assert stale() == []
    order_id = next(i.order_id for i in saved.plan.items if i.name == "pending" and i.order_id)
    with world.client() as client:
        client.add_note(order_id, "someone else was here")
    assert stale() == [f"order {order_id} changed since the plan was made"]
    world.spec("new", ["+13125550172"])
    reasons = stale()
    assert "the spec files changed since the plan was made" in reasons


def test_selector_limits_the_plan_to_matching_specs(world: PlanWorld) -> None:
    world.spec("acme", A, labels={"customer": "acme"})
    world.spec("globex", B, labels={"customer": "globex"})
    result = world.plan("--selector", "customer=globex")
    assert [i["name"] for i in result.document["items"]] == ["globex"]


def test_selector_never_turns_unselected_specs_into_orphans(world: PlanWorld) -> None:
    world.spec("acme", A, labels={"customer": "acme"})
    world.create("acme")
    world.spec("globex", B, labels={"customer": "globex"})
    result = world.plan("--selector", "customer=globex", "--prune", "--detailed-exitcode")
    assert [(i["name"], i["kind"]) for i in result.document["items"]] == [("globex", "create")]


def test_bad_selector_is_a_usage_error(world: PlanWorld) -> None:
    world.spec("acme", A)
    assert world.plan("--selector", "customer").code == 64


def test_spec_problems_exit_1_and_call_no_api(world: PlanWorld) -> None:
    world.spec("acme", A)
    (world.specs / "broken.yaml").write_text("apiVersion: portctl/v1\nkind: PortIn\n", "utf-8")
    world.emu.request_log.clear()
    result = world.plan_served()
    assert result.code == 1
    assert "broken.yaml" in result.err
    assert world.emu.request_log == []


def test_missing_credentials_name_the_variables_and_exit_1(world: PlanWorld) -> None:
    world.spec("acme", A)
    for name in ("SINCH_PROJECT_ID", "SINCH_ACCESS_TOKEN", "SINCH_KEY_ID", "SINCH_KEY_SECRET"):
        world.monkeypatch.delenv(name, raising=False)
    result = world.plan(emulator=False)
    assert result.code == 1
    assert "SINCH_PROJECT_ID" in result.err
    assert "--emulator" in result.err


def test_text_output_has_no_colour_when_not_a_terminal(world: PlanWorld) -> None:
    world.spec("acme", A, city="O'Fallon [bold]x[/bold]")
    result = world.plan(
        "--format", "text", str(world.specs), "--emulator", "--env-file", str(world.env_file)
    )
    assert "\x1b[" not in result.out
    assert result.out.startswith("Plan: 1 to create; 2 numbers affected")
    assert PIN not in result.out


def test_numbers_digests_worked_out_during_the_read_plan_as_the_plain_path(
    world: PlanWorld,
) -> None:
    """The read works out each managed order's numbers digest as it arrives (issue 12); they
    are those of its details, and the plan made with them is the plan made without."""
    _busy_world(world)
    env = {"PLAN_PIN": PIN, "PLAN_ACCOUNT": ACCOUNT}
    state = load_project([world.specs], today=TODAY, env=env, resolve_secrets=True).state
    assert state is not None
    with world.client() as client:
        live = fetch_live(client, PlanReads(state))
    managed = {s.id for group in live.managed.values() for s in group if s.id in live.details}
    assert managed
    assert managed <= set(live.number_digests)
    for order_id in managed:
        assert live.number_digests[order_id] == numbers_digest(live.details[order_id])
    without = build_plan(state, dataclasses.replace(live, number_digests={}), today=TODAY)
    with_them = build_plan(state, live, today=TODAY)
    assert with_them.to_dicts() == without.to_dicts()
    assert "update" in {str(i.kind) for i in with_them.items}
    same = [o.name for o in state.orders if o.numbers_digest in live.number_digests.values()]
    assert same, "no spec's numbers matched its live order's: the shortcut was not taken"
