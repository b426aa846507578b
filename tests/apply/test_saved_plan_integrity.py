"""Edited saved plans never get past a safety rule (issue 10 point 1), through `portctl apply`.

The attacker here can edit the plan file and recompute its checksum (the algorithm is public),
so every case reseals the file the way portctl seals it. What stops each edit is that apply
takes nothing that decides safety from the file: it makes a fresh plan with its own `--prune`
and budgets and refuses unless that plan takes exactly the saved actions with the same
fingerprints. Each refusal leaves the API untouched (no mutating call). Signing with
`PORTCTL_PLAN_KEY` (docs/design.md#saved-plans) is checked at the end.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.savedplan import document_checksum, render_saved_plan
from tests.apply.conftest import ApplyWorld, client_for, mutating, references

A = ["+13125550141", "+13125550142"]
B = ["+13125550151"]
SIX = [f"+1312555016{i}" for i in range(6)]

Edit = Callable[[dict[str, Any]], None]


def _edit(path: Path, edit: Edit) -> None:
    """Edit the saved plan and reseal it (recomputed checksum, exact formatting)."""
    document = json.loads(path.read_text("utf-8"))
    edit(document)
    document["checksum"] = document_checksum(document)
    path.write_text(render_saved_plan(document), "utf-8")


def _orphaned(world: ApplyWorld) -> int:
    """alpha applied, then its spec removed: a live PENDING orphan; returns its id."""
    world.spec("alpha", A)
    world.spec("beta", B)
    assert world.cli("--auto-approve").code == 0
    (world.specs / "alpha.yaml").unlink()
    return int(world.order("gitops/alpha")["id"])


def _save(world: ApplyWorld, *flags: str) -> Path:
    plan_file = world.root / "plan.json"
    made = world.cli("--out", str(plan_file), *flags, command="plan")
    assert made.code == 0, made.err
    world.emu.request_log.clear()
    return plan_file


def _refused(world: ApplyWorld, plan_file: Path, *flags: str) -> str:
    result = world.cli(str(plan_file), str(world.specs), "--auto-approve", *flags)
    assert result.code == 1, result.out + result.err
    assert "nothing was applied" in result.err
    assert mutating(world.emu.request_log) == []
    return result.err


def _status(world: ApplyWorld, order_id: int) -> str:
    return str(world.emu.world.orders[order_id]["order"]["status"])


def test_plan_made_without_prune_edited_to_prune_cancels_nothing(world: ApplyWorld) -> None:
    orphan = _orphaned(world)
    plan_file = _save(world)

    def prune(document: dict[str, Any]) -> None:
        document["prune"] = True

    _edit(plan_file, prune)
    budgets = ("--max-cancels", "1", "--max-prune", "1")
    assert "was made with --prune; pass --prune" in _refused(world, plan_file, *budgets)
    assert "stale: the actions" in _refused(world, plan_file, "--prune", *budgets)
    assert _status(world, orphan) == "PENDING"


def test_orphan_relabelled_as_a_prune_is_refused(world: ApplyWorld) -> None:
    orphan = _orphaned(world)
    plan_file = _save(world)

    def relabel(document: dict[str, Any]) -> None:
        item = next(i for i in document["items"] if i["orderId"] == orphan)
        item.update(kind="cancel", risk="irreversible", reasonCode="orphan_pruned")
        document["prune"] = True

    _edit(plan_file, relabel)
    budgets = ("--max-cancels", "1", "--max-prune", "1")
    assert "was made with --prune" in _refused(world, plan_file, *budgets)
    assert _status(world, orphan) == "PENDING"


def test_prune_relabelled_as_a_spec_cancel_still_needs_max_prune(world: ApplyWorld) -> None:
    orphan = _orphaned(world)
    plan_file = _save(world, "--prune")

    def disguise(document: dict[str, Any]) -> None:
        item = next(i for i in document["items"] if i["orderId"] == orphan)
        item["reasonCode"] = "spec_canceled"

    _edit(plan_file, disguise)
    assert "stale: the actions" in _refused(world, plan_file, "--prune", "--max-cancels", "1")
    assert _status(world, orphan) == "PENDING"


def test_emptied_numbers_do_not_pass_max_numbers(world: ApplyWorld) -> None:
    world.spec("big", SIX)
    plan_file = _save(world)

    def empty(document: dict[str, Any]) -> None:
        for item in document["items"]:
            item["numbers"] = []
        document["summary"]["numbersAffected"] = 0

    _edit(plan_file, empty)
    _refused(world, plan_file, "--max-numbers", "5")
    assert references(world.emu) == []


def test_deleted_fingerprints_do_not_hide_an_out_of_band_change(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    assert world.cli("--auto-approve").code == 0
    world.spec("alpha", A, city="Springfield")
    plan_file = _save(world)

    def forget(document: dict[str, Any]) -> None:
        document["fingerprints"] = {}

    _edit(plan_file, forget)
    order_id = int(world.order("gitops/alpha")["id"])
    with client_for(world.emu) as client:
        client.add_note(order_id, "changed by hand")
    world.emu.request_log.clear()
    assert "fingerprints" in _refused(world, plan_file)


def test_every_byte_is_covered(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    plan_file = _save(world)
    text = plan_file.read_text("utf-8")
    plan_file.write_text(text.replace('"prune": false', '"prune":  false'), "utf-8")
    assert "its bytes are not the ones plan --out wrote" in _refused(world, plan_file)
    document = json.loads(text)
    document["createsReferences"] = []
    plan_file.write_text(render_saved_plan(document), "utf-8")
    assert "checksum mismatch" in _refused(world, plan_file)
    assert references(world.emu) == []


@pytest.mark.parametrize(
    ("plan_key", "apply_key", "error"),
    [
        ("ci-key-1", "ci-key-2", "signature mismatch"),
        ("ci-key-1", None, "the plan is signed but PORTCTL_PLAN_KEY is not set"),
        (None, "ci-key-1", "the plan is not signed but PORTCTL_PLAN_KEY is set"),
    ],
)
def test_signed_plans_need_the_same_key(
    world: ApplyWorld, plan_key: str | None, apply_key: str | None, error: str
) -> None:
    world.spec("alpha", A)
    if plan_key is not None:
        world.monkeypatch.setenv("PORTCTL_PLAN_KEY", plan_key)
    plan_file = _save(world)
    world.monkeypatch.delenv("PORTCTL_PLAN_KEY", raising=False)
    if apply_key is not None:
        world.monkeypatch.setenv("PORTCTL_PLAN_KEY", apply_key)
    err = _refused(world, plan_file)
    assert error in err
    assert "ci-key" not in err
    assert references(world.emu) == []


def test_a_signed_plan_applies_with_its_key_and_resealing_does_not_forge_it(
    world: ApplyWorld,
) -> None:
    world.spec("alpha", A)
    world.monkeypatch.setenv("PORTCTL_PLAN_KEY", "ci-key-1")
    plan_file = _save(world)
    original = plan_file.read_text("utf-8")
    assert '"signature": "hmac-sha256:' in original

    def rename(document: dict[str, Any]) -> None:
        document["createsReferences"] = []

    _edit(plan_file, rename)
    assert "signature mismatch" in _refused(world, plan_file)
    plan_file.write_text(original, "utf-8")
    done = world.cli(str(plan_file), str(world.specs), "--auto-approve")
    assert done.code == 0, done.err
    assert references(world.emu) == ["gitops/alpha"]
