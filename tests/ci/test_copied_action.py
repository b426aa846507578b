"""Issue 11 points 13 and 14: the composite action works when copied into a specs repository
(or referenced), installs a pinned portctl and never the caller's checkout, and the PR plan
reads the pull request's files as data only.

A fresh specs-only repository is laid out the way a user copies the CI files into it; the
action's steps run as the runner runs them, `pip` and `gh` are fakes that record their calls,
and `portctl` is the real one against an emulator served on a socket.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.emulator import Emulator
from reconciler.emulator.server import running
from tests.ci.runner_sim import (
    ACTION_DIR,
    FAKES_DIR,
    REPO_ROOT,
    WORKFLOWS_DIR,
    Runner,
    api_env,
    find_step,
    install_program,
    load_yaml,
    run_action,
    step_inputs,
    write_specs_repo,
)

MARKER = "<!-- portctl:plan -->"
PINNED = {"portctl-ref": "v1.4.0", "portctl-repository": "acme/portctl"}


def _copy_ci_files(repo: Path) -> Path:
    """Copy the action and the PR workflow into `repo` as a user would; returns the action dir."""
    action = repo / ".github" / "actions" / "portctl"
    shutil.copytree(ACTION_DIR, action)
    (repo / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(WORKFLOWS_DIR / "portctl-pr.yml", repo / ".github" / "workflows")
    return action


@pytest.fixture
def runner(tmp_path: Path, emu: Emulator) -> Iterator[Runner]:
    """The base checkout of a specs-only repository with the CI files copied in."""
    with running(emu) as url:
        runner = Runner(tmp_path, env=api_env(url), real_portctl=True)
        write_specs_repo(runner.workspace, "+13125550141")
        yield runner


def _install(runner: Runner, action: Path, inputs: dict[str, str]) -> tuple[int, str]:
    """Run the action's install step with `pip` faked: `python` records its argv."""
    fake_bin = runner.root / "fake-python"
    fake_bin.mkdir(exist_ok=True)
    install_program(fake_bin, "python", FAKES_DIR / "fake_portctl.py")
    install_program(fake_bin, "portctl", FAKES_DIR / "fake_portctl.py")
    path = f"{fake_bin}:{runner.env['PATH']}"
    result = run_action(runner, inputs, step_id="install", action_dir=action, env={"PATH": path})
    return result.returncode, result.stdout + result.stderr


def test_a_copy_installs_the_pinned_portctl_ref(runner: Runner) -> None:
    action = _copy_ci_files(runner.workspace)
    code, output = _install(runner, action, PINNED)
    assert code == 0, output
    assert runner.calls == [
        [
            "python",
            "-I",
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--quiet",
            "git+https://github.com/acme/portctl@v1.4.0",
        ],
        ["portctl", "--version"],
    ]


def test_a_copy_without_a_pin_refuses_to_guess(runner: Runner) -> None:
    action = _copy_ci_files(runner.workspace)
    # The caller's checkout is a specs repository: nothing there may be installed.
    (runner.workspace / "pyproject.toml").write_text('[project]\nname = "evil"\n', "utf-8")
    code, output = _install(runner, action, {})
    assert code == 1
    assert "set the input portctl-ref (a release tag or full commit SHA)" in output
    assert runner.calls == []


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"portctl-ref": "main", "portctl-repository": "acme/portctl"}, "is not a release tag"),
        ({"portctl-ref": "v1.4.0"}, "portctl-ref needs portctl-repository as owner/name"),
        ({"portctl-ref": "v1.4.0", "portctl-repository": "acme/x;id"}, "needs portctl-repository"),
    ],
)
def test_unpinned_or_malformed_refs_are_refused(
    runner: Runner, inputs: dict[str, str], message: str
) -> None:
    action = _copy_ci_files(runner.workspace)
    code, output = _install(runner, action, inputs)
    assert code == 1
    assert message in output
    assert runner.calls == []


def test_a_full_commit_sha_is_a_pin(runner: Runner) -> None:
    action = _copy_ci_files(runner.workspace)
    sha = "0123456789abcdef0123456789abcdef01234567"
    code, output = _install(runner, action, {**PINNED, "portctl-ref": sha})
    assert code == 0, output
    assert runner.calls[0][-1] == f"git+https://github.com/acme/portctl@{sha}"


def test_referenced_from_the_portctl_repository_it_installs_its_own_tree(runner: Runner) -> None:
    """`uses: OWNER/portctl/.github/actions/portctl@REF`: the runner fetched portctl at REF."""
    code, output = _install(runner, ACTION_DIR, {})
    assert code == 0, output
    assert runner.calls[0][-1] == str(REPO_ROOT)
    assert "the portctl repository this action belongs to" in output


def test_source_overrides_the_ref(runner: Runner) -> None:
    action = _copy_ci_files(runner.workspace)
    code, _ = _install(runner, action, {**PINNED, "source": "/wheels/portctl.whl"})
    assert code == 0
    assert runner.calls[0][-1] == "/wheels/portctl.whl"


def test_the_copied_pr_workflow_plans_the_pr_as_data_and_comments(runner: Runner) -> None:
    """The PR plan job in a specs repository: base checkout with the copied action, the PR's
    commit in pr/ (with Python files that would run if anything imported from there), the real
    portctl, the one plan comment through the fake gh."""
    action = _copy_ci_files(runner.workspace)
    workflow = load_yaml(runner.workspace / ".github" / "workflows" / "portctl-pr.yml")
    pr = runner.workspace / "pr"
    write_specs_repo(pr, "+13125550141", "+13125550199")
    pwned = runner.root / "pwned"
    for module in ("shlex", "dotenv", "sitecustomize", "click"):
        (pr / f"{module}.py").write_text(f"open({str(pwned)!r}, 'w').write('{module}')\n", "utf-8")
    runner.gh_state = {"comments": [], "issues": [], "labels": []}

    # The repository variables PORTCTL_REF and PORTCTL_REPOSITORY pin portctl for every call.
    repo_vars = {f"vars.{name.upper().replace('-', '_')}": v for name, v in PINNED.items()}
    inputs = step_inputs(workflow, find_step(workflow, "portctl plan"), repo_vars)
    assert _install(runner, action, inputs)[0] == 0
    assert runner.calls[0][-1] == "git+https://github.com/acme/portctl@v1.4.0"
    assert inputs["args"].startswith("pr/specs/ ")
    assert "--secrets skip" in inputs["args"]
    result = run_action(runner, inputs, action_dir=action)
    assert result.returncode == 0, result.stdout + result.stderr
    assert runner.outputs()["exitcode"] == "2"
    assert not pwned.exists(), f"imported from the PR's files: {pwned.read_text('utf-8')}"
    assert (runner.workspace / "plan.json").exists(), "outputs land in the base checkout"
    assert not (pr / "plan.json").exists()

    comment = runner.run_step(
        find_step(workflow, "Post or update the plan comment"),
        {
            "GH_TOKEN": "token",
            "PR": "7",
            "HEAD_SHA": "0123456789abcdef",
            "EXITCODE": "2",
            "RUN_URL": "https://github.com/acme/ports/actions/runs/42",
        },
    )
    assert comment.returncode == 0, comment.stderr
    (posted,) = runner.gh_state["comments"]
    assert posted["issue"] == 7
    assert posted["body"].startswith(MARKER)
    assert "+13125550199" in posted["body"]
    assert "secret values not compared" in posted["body"]


def test_python_files_in_the_working_directory_are_never_imported(runner: Runner) -> None:
    """Even pointed at the PR's files (`working-directory: pr`), the action's own Python runs
    isolated: a `shlex.py` or `dotenv.py` there is not imported."""
    action = _copy_ci_files(runner.workspace)
    pr = runner.workspace / "pr"
    write_specs_repo(pr, "+13125550141")
    pwned = runner.root / "pwned"
    for module in ("shlex", "dotenv"):
        (pr / f"{module}.py").write_text(f"open({str(pwned)!r}, 'w').write('{module}')\n", "utf-8")
    inputs = {
        "command": "validate",
        "args": "specs/ --format text",
        "working-directory": "pr",
        "env-file-content": "CI_PIN=1\n",
    }
    result = run_action(runner, inputs, action_dir=action)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not pwned.exists(), f"imported from the PR's files: {pwned.read_text('utf-8')}"
