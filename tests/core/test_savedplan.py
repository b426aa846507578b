"""Saved plan files: round trip, tamper and version checks, fingerprints without secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.desired import DesiredState
from reconciler.live import LiveSnapshot
from reconciler.planning import build_plan
from reconciler.savedplan import (
    SavedPlanError,
    fingerprint,
    read_saved_plan,
    stale_reasons,
    write_saved_plan,
)
from tests.core.builders import PIN, TODAY, desired, live_order, number, summary


def _world() -> tuple[DesiredState, LiveSnapshot]:
    spec = desired("acme", [number("+13125550141", city="Springfield")])
    live = live_order(7, desired("acme", [number("+13125550141")]).body)
    state = DesiredState(orders=(spec,), spec_digest="digest-1")
    return state, LiveSnapshot(managed={spec.reference: (summary(live),)}, details={7: live})


def test_round_trip_keeps_items_and_binds_fingerprints(tmp_path: Path) -> None:
    state, live = _world()
    plan = build_plan(state, live, today=TODAY)
    path = tmp_path / "plan.json"
    write_saved_plan(path, plan, desired=state, live=live)
    assert PIN not in path.read_text("utf-8")
    saved = read_saved_plan(path)
    assert saved.plan == plan
    assert saved.fingerprints == {7: fingerprint(live.details[7])}
    assert stale_reasons(saved, desired=state, live=live, fresh=plan) == []


def test_edited_or_foreign_files_are_refused(tmp_path: Path) -> None:
    state, live = _world()
    path = tmp_path / "plan.json"
    write_saved_plan(path, build_plan(state, live, today=TODAY), desired=state, live=live)
    document = json.loads(path.read_text("utf-8"))
    document["items"][0]["kind"] = "cancel"
    path.write_text(json.dumps(document), "utf-8")
    with pytest.raises(SavedPlanError, match="checksum mismatch"):
        read_saved_plan(path)
    path.write_text(json.dumps({**document, "formatVersion": 99}), "utf-8")
    with pytest.raises(SavedPlanError, match="version 99"):
        read_saved_plan(path)
    path.write_text("{}", "utf-8")
    with pytest.raises(SavedPlanError, match="not a portctl saved plan"):
        read_saved_plan(path)


def test_fingerprint_moves_with_status_but_not_with_secrets_or_key_order() -> None:
    _, live = _world()
    order = dict(live.details[7])
    assert fingerprint(order) == fingerprint(dict(reversed(list(order.items()))))
    assert fingerprint({**order, "status": "CONFIRMED"}) != fingerprint(order)
    other_pin = live_order(7, desired("acme", [number("+13125550141", pin="9999")]).body)
    assert fingerprint(other_pin) == fingerprint(order)


def test_stale_when_the_order_or_the_specs_moved(tmp_path: Path) -> None:
    state, live = _world()
    path = tmp_path / "plan.json"
    write_saved_plan(path, build_plan(state, live, today=TODAY), desired=state, live=live)
    saved = read_saved_plan(path)
    moved = LiveSnapshot(
        managed=live.managed, details={7: {**live.details[7], "status": "CONFIRMED"}}
    )
    assert stale_reasons(
        saved, desired=state, live=moved, fresh=build_plan(state, moved, today=TODAY)
    ) == ["order 7 changed since the plan was made"]
    edited = DesiredState(orders=state.orders, spec_digest="digest-2")
    assert stale_reasons(
        saved, desired=edited, live=live, fresh=build_plan(edited, live, today=TODAY)
    ) == ["the spec files changed since the plan was made"]
