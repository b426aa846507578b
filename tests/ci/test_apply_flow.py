"""Issue 11 point 12: the merge run applies exactly the plan a reviewer approved after seeing it.

The steps of `portctl-apply.yml` run here as the runner runs them (bash, the composite action's
run script, the real `portctl`) against an emulator served on a socket: the plan job makes and
publishes plan.json and its digest; the apply job checks the digest and applies that file. The
job wiring (needs, environments, what each job may hold) is checked in test_workflows.py.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import Emulator
from reconciler.emulator.server import running
from tests.ci.runner_sim import (
    SECRETS,
    WORKFLOWS_DIR,
    Runner,
    api_env,
    dotenv,
    find_step,
    load_yaml,
    run_action,
    step_inputs,
    write_specs_repo,
)

WORKFLOW = load_yaml(WORKFLOWS_DIR / "portctl-apply.yml")
# Repository variables unset, as in the portctl repository itself (the action installs its tree).
UNSET_VARS = {"vars.PORTCTL_REF": "", "vars.PORTCTL_REPOSITORY": ""}
PLAN_KEY = "test-plan-signing-key"  # a test value, mapped like the secret


@pytest.fixture
def runner(tmp_path: Path, emu: Emulator) -> Iterator[Runner]:
    """A checkout of a specs repository on main, portctl for real, the emulator served."""
    with running(emu) as url:
        runner = Runner(tmp_path, env=api_env(url), real_portctl=True)
        write_specs_repo(runner.workspace, "+13125550141", "+13125550142")
        yield runner


def _step(job: str, name_or_id: str) -> dict[str, Any]:
    steps = WORKFLOW["jobs"][job]["steps"]
    (step,) = [s for s in steps if name_or_id in (s.get("id"), s.get("name"))]
    return dict(step)


def _plan_job(runner: Runner) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """The plan job: portctl plan through the action, then the digest and summary steps."""
    inputs = step_inputs(WORKFLOW, _step("plan", "plan"), UNSET_VARS)
    assert "--secrets skip" in inputs["args"]
    assert "env-file-content" not in inputs, "the plan job holds no secret values"
    planned = run_action(runner, inputs, env={"PORTCTL_PLAN_KEY": PLAN_KEY})
    exitcode = runner.outputs()["exitcode"]
    digest = runner.run_step(_step("plan", "digest"), {})
    assert digest.returncode == 0, digest.stderr
    sha256 = runner.outputs()["sha256"]
    summary = runner.run_step(
        find_step(WORKFLOW, "Add the plan to the job summary"),
        {"EXITCODE": exitcode, "SHA256": sha256},
    )
    assert summary.returncode == 0, summary.stderr
    return planned, {"exitcode": exitcode, "sha256": sha256}


def _apply_job(runner: Runner, expected_sha256: str) -> tuple[int, int, str]:
    """The apply job after approval: digest check, then apply through the action.

    Returns the check step's code, the apply step's code and what the apply step printed.
    """
    check = runner.run_step(
        _step("apply", "Check it is the plan that was shown"), {"EXPECTED": expected_sha256}
    )
    if check.returncode != 0:
        return check.returncode, -1, check.stdout
    inputs = step_inputs(
        WORKFLOW,
        _step("apply", "apply"),
        {**UNSET_VARS, "secrets.PORTCTL_ENV_FILE": dotenv(SECRETS)},
    )
    applied = run_action(runner, inputs, env={"PORTCTL_PLAN_KEY": PLAN_KEY})
    return check.returncode, applied.returncode, applied.stdout + applied.stderr


def _orders(emu: Emulator) -> list[dict[str, Any]]:
    """Every open order, as the emulator stores it."""
    orders = (record["order"] for record in emu.world.orders.values())
    return [o for o in orders if o["status"] not in ("CANCELED", "COMPLETED")]


def test_the_approved_plan_is_published_then_applied_as_is(runner: Runner, emu: Emulator) -> None:
    planned, plan = _plan_job(runner)
    assert plan["exitcode"] == "2", planned.stdout + planned.stderr
    plan_file = runner.workspace / "plan.json"
    assert json.loads(plan_file.read_text(encoding="utf-8"))["kind"] == "portctl-plan"
    summary = runner.summary_file.read_text(encoding="utf-8")
    assert "## portctl plan to approve (exit code 2)" in summary
    assert plan["sha256"] in summary
    assert "acme-east" in summary
    assert _orders(emu) == [], "planning changed nothing"

    check, code, output = _apply_job(runner, plan["sha256"])
    assert (check, code) == (0, 0), output
    assert [o["customerOrderReference"] for o in _orders(emu)] == ["gitops/acme-east"]
    assert (runner.workspace / "portctl-audit.jsonl").exists()
    assert "acme-east" in (runner.workspace / "apply.md").read_text(encoding="utf-8")
    # The values appear only in the runner's mask commands, which hide them in the log.
    logged = [line for line in output.splitlines() if not line.startswith("::add-mask::")]
    assert not [line for line in logged for value in SECRETS.values() if value in line]


def test_a_plan_file_other_than_the_one_shown_is_refused(runner: Runner, emu: Emulator) -> None:
    _, plan = _plan_job(runner)
    plan_file = runner.workspace / "plan.json"
    document = json.loads(plan_file.read_text(encoding="utf-8"))
    plan_file.write_text(json.dumps(document, indent=4), encoding="utf-8")  # same plan, new bytes
    check, code, output = _apply_job(runner, plan["sha256"])
    assert check == 1
    assert code == -1, "the apply step never ran"
    assert "is not the plan the plan job made" in output
    assert _orders(emu) == []
    check, _, output = _apply_job(runner, "")
    assert check == 1
    assert "sha256 missing" in output


def test_a_plan_gone_stale_while_waiting_for_approval_is_refused(
    runner: Runner, emu: Emulator
) -> None:
    _, plan = _plan_job(runner)
    # While the run waits for a reviewer, someone applies the same specs by hand.
    inputs = step_inputs(
        WORKFLOW,
        _step("apply", "apply"),
        {**UNSET_VARS, "secrets.PORTCTL_ENV_FILE": dotenv(SECRETS)},
    )
    manual = run_action(runner, {**inputs, "args": "specs/ --auto-approve"})
    assert manual.returncode == 0, manual.stdout + manual.stderr
    (before,) = _orders(emu)

    check, code, output = _apply_job(runner, plan["sha256"])
    assert check == 0
    assert code == 1, output
    assert "stale" in output.lower()
    assert _orders(emu) == [before], "nothing applied"
    report = runner.run_step(_step("apply", "Report the outcome"), {"EXITCODE": "1"})
    assert report.returncode == 0
    assert "run this workflow again for a new plan to approve" in report.stdout


def test_no_changes_asks_no_approval(runner: Runner) -> None:
    (runner.workspace / "specs" / "acme-east.yaml").unlink()
    _, plan = _plan_job(runner)
    assert plan["exitcode"] == "0"
    assert "no changes, nothing to approve" in runner.summary_file.read_text(encoding="utf-8")
    assert WORKFLOW["jobs"]["apply"]["if"] == "needs.plan.outputs.exitcode != '0'"
