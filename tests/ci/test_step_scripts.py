"""The shell logic inside the workflows, run with bash against a fake `gh`.

Covers: one PR comment found by its marker and edited in place (else created), size limits of
comments (65,536 characters) and job summaries (1 MiB) cut on a UTF-8 boundary, the fork
notice, and the drift issue opened, updated or closed by label.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ci.runner_sim import WORKFLOWS_DIR, Runner, find_step, load_yaml

PR_WORKFLOW = load_yaml(WORKFLOWS_DIR / "portctl-pr.yml")
DRIFT_WORKFLOW = load_yaml(WORKFLOWS_DIR / "portctl-drift.yml")
APPLY_WORKFLOW = load_yaml(WORKFLOWS_DIR / "portctl-apply.yml")
MARKER = "<!-- portctl:plan -->"
RUN_URL = "https://github.com/acme/ports/actions/runs/42"
COMMENT_LIMIT = 65_536
SUMMARY_LIMIT = 1024 * 1024
PLAN = "| order | action |\n|---|---|\n| acme-east | update |\n"


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    """A scratch runner with fake programs on PATH."""
    return Runner(tmp_path)


def _post_plan_comment(runner: Runner, plan: str, exitcode: str = "2") -> Any:
    (runner.workspace / "plan.md").write_text(plan, encoding="utf-8")
    step = find_step(PR_WORKFLOW, "Post or update the plan comment")
    env = {
        "GH_TOKEN": "token",
        "PR": "7",
        "HEAD_SHA": "0123456789abcdef",
        "EXITCODE": exitcode,
        "RUN_URL": RUN_URL,
    }
    return runner.run_step(step, env)


def test_plan_comment_is_created_when_none_exists(runner: Runner) -> None:
    runner.gh_state = {
        "comments": [{"id": 5, "issue": 7, "body": "LGTM"}, {"id": 6, "issue": 8, "body": MARKER}],
        "issues": [],
        "labels": [],
    }
    result = _post_plan_comment(runner, PLAN)
    assert result.returncode == 0, result.stderr
    comments = runner.gh_state["comments"]
    assert [c["id"] for c in comments] == [5, 6, 101]
    body = comments[2]["body"]
    assert comments[2]["issue"] == 7
    assert body.startswith(
        f"{MARKER}\n> Changes pending: after merge, a new plan is made and applied once a"
        " reviewer approves it. (commit 0123456, exit code 2; secret values not compared)\n"
    )
    assert PLAN in body
    assert RUN_URL in body


def test_plan_comment_is_updated_in_place(runner: Runner) -> None:
    quoted = f"> {MARKER}\n> old plan\n\nwhy?"
    runner.gh_state = {
        "comments": [
            {"id": 5, "issue": 7, "body": quoted},
            {"id": 9, "issue": 7, "body": f"{MARKER}\nold plan"},
            {"id": 12, "issue": 7, "body": "thanks"},
        ],
        "issues": [],
        "labels": [],
    }
    result = _post_plan_comment(runner, PLAN, exitcode="0")
    assert result.returncode == 0, result.stderr
    comments = {c["id"]: c["body"] for c in runner.gh_state["comments"]}
    assert sorted(comments) == [5, 9, 12]
    assert comments[5] == quoted
    assert "No changes" in comments[9]
    assert PLAN in comments[9]
    assert runner.calls[1][:4] == ["gh", "api", "--method", "PATCH"]
    assert runner.calls[1][4] == "repos/acme/ports/issues/comments/9"


def test_blocked_plan_says_so(runner: Runner) -> None:
    runner.gh_state = {"comments": [], "issues": [], "labels": []}
    assert _post_plan_comment(runner, PLAN, exitcode="3").returncode == 0
    assert "**Blocked items**" in runner.gh_state["comments"][0]["body"]


def test_oversized_plan_comment_is_cut_on_a_character_boundary(runner: Runner) -> None:
    runner.gh_state = {"comments": [], "issues": [], "labels": []}
    plan = "| +12125550100 | Zoë\u2019s order ☎ |\n" * 8000  # multi-byte characters, > 250 kB
    assert _post_plan_comment(runner, plan).returncode == 0
    body: str = runner.gh_state["comments"][0]["body"]
    assert len(body) <= COMMENT_LIMIT
    assert "\ufffd" not in body
    assert "**Truncated.**" in body
    assert body.startswith(MARKER)


def _summarize_plan(runner: Runner, plan: str) -> Any:
    (runner.workspace / "plan.md").write_text(plan, encoding="utf-8")
    step = find_step(PR_WORKFLOW, "Add the plan to the job summary")
    return runner.run_step(step, {"EXITCODE": "2"})


def test_small_plan_goes_verbatim_into_the_job_summary(runner: Runner) -> None:
    assert _summarize_plan(runner, PLAN).returncode == 0
    summary = runner.summary_file.read_text(encoding="utf-8")
    assert summary == f"## portctl plan (exit code 2)\n\n{PLAN}"


def test_huge_plan_is_truncated_under_the_summary_limit(runner: Runner) -> None:
    plan = "| +12125550100 | ☎ Zoë |\n" * 90_000  # about 2.4 MB
    assert _summarize_plan(runner, plan).returncode == 0
    raw = runner.summary_file.read_bytes()
    assert len(raw) < SUMMARY_LIMIT
    text = raw.decode("utf-8")  # raises if a character was cut in half
    assert "portctl-plan" in text
    assert "**Truncated.**" in text


def test_fork_pull_requests_get_a_notice_instead_of_a_plan(runner: Runner) -> None:
    step = find_step(PR_WORKFLOW, "Skip the live plan on fork pull requests")
    result = runner.run_step(step, {})
    assert result.returncode == 0
    assert result.stdout.startswith("::notice title=portctl plan skipped::")
    assert "fork" in runner.summary_file.read_text(encoding="utf-8")


def _drift_issue(runner: Runner, exitcode: str, report: str = "| acme | drift |\n") -> Any:
    (runner.workspace / "drift.md").write_text(report, encoding="utf-8")
    step = find_step(DRIFT_WORKFLOW, "Open, update or close the drift issue")
    env = {"GH_TOKEN": "token", "GH_REPO": "acme/ports", "EXITCODE": exitcode, "RUN_URL": RUN_URL}
    return runner.run(str(step["run"]), {**env, "LABEL": DRIFT_WORKFLOW["env"]["LABEL"]})


def _issue(number: int, state: str = "open", labels: tuple[str, ...] = ("portctl-drift",)) -> Any:
    return {
        "number": number,
        "title": "t",
        "body": "old",
        "labels": list(labels),
        "state": state,
        "comments": [],
    }


def test_drift_opens_one_labelled_issue(runner: Runner) -> None:
    runner.gh_state = {"comments": [], "issues": [_issue(1, "closed")], "labels": []}
    result = _drift_issue(runner, "2")
    assert result.returncode == 0, result.stderr
    issues = runner.gh_state["issues"]
    assert len(issues) == 2
    new = issues[1]
    assert new["labels"] == ["portctl-drift"]
    assert new["state"] == "open"
    assert new["title"] == "portctl drift: live orders differ from the specs"
    assert "| acme | drift |" in new["body"]
    assert RUN_URL in new["body"]
    assert runner.gh_state["labels"] == ["portctl-drift"]


def test_drift_updates_the_open_issue_instead_of_opening_another(runner: Runner) -> None:
    runner.gh_state = {
        "comments": [],
        "issues": [_issue(3, labels=("bug",)), _issue(4)],
        "labels": ["portctl-drift", "bug"],
    }
    result = _drift_issue(runner, "3", report="| acme | blocked |\n")
    assert result.returncode == 0, result.stderr
    issues = {i["number"]: i for i in runner.gh_state["issues"]}
    assert sorted(issues) == [3, 4]
    assert issues[4]["title"] == "portctl drift: blocked changes need attention"
    assert "| acme | blocked |" in issues[4]["body"]
    assert issues[3]["body"] == "old"


def test_no_drift_closes_the_open_issue_with_a_comment(runner: Runner) -> None:
    runner.gh_state = {"comments": [], "issues": [_issue(4)], "labels": ["portctl-drift"]}
    result = _drift_issue(runner, "0")
    assert result.returncode == 0, result.stderr
    (issue,) = runner.gh_state["issues"]
    assert issue["state"] == "closed"
    assert issue["comments"][0].startswith("No drift as of ")
    assert RUN_URL in issue["comments"][0]


def test_no_drift_and_no_issue_does_nothing(runner: Runner) -> None:
    runner.gh_state = {"comments": [], "issues": [], "labels": []}
    assert _drift_issue(runner, "0").returncode == 0
    assert [call[:2] for call in runner.calls] == [["gh", "issue"]]
    assert runner.gh_state["issues"] == []


def test_apply_summary_and_blocked_warning(runner: Runner) -> None:
    (runner.workspace / "apply.md").write_text("| acme | applied |\n", encoding="utf-8")
    step = find_step(APPLY_WORKFLOW, "Report the outcome")
    result = runner.run_step(step, {"EXITCODE": "3"})
    assert result.returncode == 0
    assert result.stdout.startswith("::warning title=portctl apply::blocked items remain")
    assert "| acme | applied |" in runner.summary_file.read_text(encoding="utf-8")


def test_oversized_drift_report_fits_in_the_issue_body(runner: Runner) -> None:
    runner.gh_state = {"comments": [], "issues": [], "labels": []}
    report = "| +14165550100 | Québec ☎ | REJECTED |\n" * 5000  # about 200 kB
    assert _drift_issue(runner, "2", report=report).returncode == 0
    body: str = runner.gh_state["issues"][0]["body"]
    assert len(body) <= COMMENT_LIMIT
    assert "\ufffd" not in body
    assert "**Truncated.**" in body
