"""`portctl apply` as a user meets it, in-process against a served emulator.

Approval (TTY prompt, `--auto-approve`), safety budgets, saved plans and their stale check,
output formats, the audit log and exit codes.
"""

from __future__ import annotations

import io
import json

import pytest

from reconciler.emulator import Fault
from tests.apply.conftest import (
    ACCOUNT,
    PIN,
    ApplyWorld,
    client_for,
    mutating,
    references,
    write_settings,
)

A = ["+13125550141", "+13125550142"]
B = ["+13125550151"]
C = ["+13125550161"]


class _Terminal(io.StringIO):
    """A stdin that says it is a terminal and holds what the user types."""

    def isatty(self) -> bool:
        return True


def test_without_a_terminal_auto_approve_is_required(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    result = world.cli()
    assert result.code == 64
    assert "--auto-approve" in result.err
    assert world.emu.request_log == []


@pytest.mark.parametrize(("answer", "code"), [("yes\n", 0), ("y\n", 1), ("\n", 1)])
def test_on_a_terminal_only_yes_applies(world: ApplyWorld, answer: str, code: int) -> None:
    world.spec("alpha", A)
    world.monkeypatch.setattr("sys.stdin", _Terminal(answer))
    result = world.cli()
    assert result.code == code
    assert "+ create" in result.out, "the plan is shown before the question"
    assert "Only 'yes' is accepted" in result.err
    assert references(world.emu) == (["gitops/alpha"] if code == 0 else [])


def test_cancel_needs_max_cancels_and_the_refusal_comes_after_the_plan(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    world.spec("beta", B)
    assert world.cli("--auto-approve").code == 0
    world.spec("alpha", A, state="canceled")
    world.spec("beta", B, city="Springfield")
    world.emu.request_log.clear()
    refused = world.cli("--auto-approve")
    assert refused.code == 1
    assert "- cancel" in refused.out
    assert "raise it with --max-cancels N" in refused.err
    assert "nothing was applied" in refused.err
    assert mutating(world.emu.request_log) == []
    done = world.cli("--auto-approve", "--max-cancels", "1")
    assert done.code == 0, done.err
    assert world.emu.world.orders[min(world.emu.world.orders)]["order"]["status"] == (
        "PENDING_CANCELATION"
    )
    assert "Apply: 2 applied, 0 skipped, 0 failed, 0 unknown." in done.out


def test_flags_override_the_settings_budgets(world: ApplyWorld) -> None:
    write_settings(world.specs, safety={"maxCancels": 1, "maxNumbersTouched": 1})
    world.spec("alpha", A)
    refused = world.cli("--auto-approve")
    assert refused.code == 1
    assert "--max-numbers-touched N" in refused.err
    assert world.cli("--auto-approve", "--max-numbers", "2").code == 0
    world.spec("alpha", A, state="canceled")
    world.emu.request_log.clear()
    assert world.cli("--auto-approve", "--max-cancels", "0", "--max-numbers", "5").code == 1
    assert mutating(world.emu.request_log) == []
    assert world.cli("--auto-approve", "--max-numbers", "5").code == 0


def test_prune_counts_as_cancels_and_needs_both_budgets(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    assert world.cli("--auto-approve").code == 0
    (world.specs / "alpha.yaml").unlink()
    world.spec("beta", B)
    refused = world.cli("--auto-approve", "--prune", "--max-cancels", "1")
    assert refused.code == 1
    assert "--max-prune N" in refused.err
    done = world.cli("--auto-approve", "--prune", "--max-cancels", "1", "--max-prune", "1")
    assert done.code == 0, done.out + done.err
    statuses = {
        rec["order"]["customerOrderReference"]: rec["order"]["status"]
        for rec in world.emu.world.orders.values()
    }
    assert statuses == {"gitops/alpha": "PENDING_CANCELATION", "gitops/beta": "PENDING"}


def test_saved_plan_is_refused_when_live_state_moved(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    assert world.cli("--auto-approve").code == 0
    world.spec("alpha", A, city="Springfield")
    plan_file = world.root / "plan.json"
    assert world.cli("--out", str(plan_file), command="plan").code == 0
    order_id = world.order("gitops/alpha")["id"]
    with client_for(world.emu) as client:
        client.add_note(order_id, "changed by hand")
    world.emu.request_log.clear()
    stale = world.cli(str(plan_file), str(world.specs), "--auto-approve")
    assert stale.code == 1
    assert f"order {order_id} changed since the plan was made" in stale.err
    assert "nothing was applied" in stale.err
    assert mutating(world.emu.request_log) == []


def test_saved_plan_applies_once_then_is_stale(world: ApplyWorld) -> None:
    world.spec("alpha", A, notes=["first"])
    plan_file = world.root / "plan.json"
    assert world.cli("--out", str(plan_file), command="plan").code == 0
    first = world.cli(str(plan_file), str(world.specs), "--auto-approve")
    assert first.code == 0, first.err
    assert references(world.emu) == ["gitops/alpha"]
    world.emu.request_log.clear()
    again = world.cli(str(plan_file), str(world.specs), "--auto-approve")
    assert again.code == 1
    assert "an order for gitops/alpha exists now" in again.err
    assert mutating(world.emu.request_log) == []


def test_saved_plan_with_edited_specs_is_stale(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    plan_file = world.root / "plan.json"
    assert world.cli("--out", str(plan_file), command="plan").code == 0
    world.spec("alpha", A, city="Springfield")
    stale = world.cli(str(plan_file), str(world.specs), "--auto-approve")
    assert stale.code == 1
    assert "the spec files changed" in stale.err
    assert references(world.emu) == []


def test_blocked_items_left_exit_3_when_everything_else_succeeded(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    assert world.cli("--auto-approve").code == 0
    order = world.order("gitops/alpha")
    for group in sorted({n["phoneNumberGroup"] for n in order["phoneNumbers"]}):
        world.emu.confirm_group(order["id"], group)
    world.spec("alpha", A, city="Springfield")
    world.spec("beta", B)
    result = world.cli("--auto-approve", "--format", "json")
    assert result.code == 3, result.err
    document = json.loads(result.out)
    assert document["kind"] == "portctl-apply"
    assert document["exitCode"] == 3
    assert [(r["name"], r["action"], r["outcome"]) for r in document["results"]] == [
        ("beta", "create", "applied")
    ]
    assert document["plan"]["summary"]["hasBlocked"] is True


def test_a_failed_item_exits_1_and_the_others_still_run(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    world.spec("beta", B)
    world.emu.add_fault(Fault(method="POST", path="/orders/portIns", status=422))
    result = world.cli("--auto-approve", "--format", "markdown")
    assert result.code == 1
    assert "| failed | create | alpha |" in result.out
    assert "| applied | create | beta" in result.out
    assert references(world.emu) == ["gitops/beta"]
    assert world.cli("--auto-approve").code == 0
    assert references(world.emu) == ["gitops/alpha", "gitops/beta"]


def test_audit_log_has_one_line_per_item_and_no_secrets(world: ApplyWorld) -> None:
    world.spec("alpha", A, notes=["LOA attached"], documents=True)
    world.monkeypatch.setenv("GITHUB_ACTOR", "octocat")
    world.monkeypatch.setenv("GITHUB_SHA", "0123456789abcdef")
    log = world.root / "audit.jsonl"
    assert world.cli("--auto-approve", "--audit-log", str(log)).code == 0
    assert world.cli("--auto-approve", "--audit-log", str(log)).code == 0
    text = log.read_text("utf-8")
    assert PIN not in text
    assert ACCOUNT not in text
    records = [json.loads(line) for line in text.splitlines()]
    assert [r["event"] for r in records] == ["started", "finished"] * 3
    assert [r["action"] for r in records[::2]] == ["create", "add-note", "upload-document"]
    lines = [r for r in records if r["event"] == "finished"]
    assert [(line["action"], line["outcome"]) for line in lines] == [
        ("create", "applied"),
        ("add-note", "applied"),
        ("upload-document", "applied"),
    ]
    first = lines[0]
    assert first["actor"] == "octocat"
    assert first["commit"] == "0123456789abcdef"
    assert first["order"]["reference"] == "gitops/alpha"
    assert first["order"]["id"] == world.order("gitops/alpha")["id"]
    operations = [c["operation"] for c in first["apiCalls"]]
    # the plan's own order list and portability batch, just read, are the create's look
    # (`CreateChecks.from_plan`): the item itself sends only its POST
    assert operations == ["create_order"]
    assert lines[1]["target"] == "LOA attached"


def test_progress_lines_on_stderr_without_a_terminal(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    world.spec("beta", B)
    result = world.cli("--auto-approve")
    assert "[1/2] create alpha: applied" in result.err
    assert "[2/2] create beta: applied" in result.err


def test_on_a_terminal_json_keeps_stdout_for_the_document(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    world.monkeypatch.setattr("sys.stdin", _Terminal("yes\n"))
    result = world.cli("--format", "json")
    assert result.code == 0
    assert "+ create" in result.err, "the plan is shown on stderr before the question"
    document = json.loads(result.out)
    assert document["summary"]["applied"] == 1
