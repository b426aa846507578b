"""The composite action `.github/actions/portctl`: its metadata, and its run script's behaviour.

The run script is executed with bash against a fake `portctl`, so the exit-code contract
(docs/design.md#exit-codes: 2 and 3 are results, not failures, when the caller allows them) is
checked for real.
"""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest

from tests.ci.runner_sim import (
    ACTION_DIR,
    LOCAL_ACTION,
    Runner,
    iter_steps,
    load_yaml,
    run_action,
    workflow_files,
)

ACTION = load_yaml(ACTION_DIR / "action.yml")


def _run_action(
    runner: Runner, inputs: dict[str, str], fake: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Execute the action's `portctl` step; `fake` sets the fake portctl's behaviour
    (FAKE_PORTCTL_EXIT, FAKE_PORTCTL_STDOUT)."""
    return run_action(runner, inputs, env=fake)


@pytest.fixture
def runner(tmp_path: Any) -> Runner:
    """A scratch runner with fake programs on PATH."""
    return Runner(tmp_path)


def test_every_referenced_input_is_declared_and_every_declared_input_used() -> None:
    text = (ACTION_DIR / "action.yml").read_text(encoding="utf-8")
    referenced = set(re.findall(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", text))
    assert referenced == set(ACTION["inputs"])


def test_inputs_have_descriptions_and_required_ones_no_default() -> None:
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description"), name
        assert spec.get("required", False) == ("default" not in spec), name
    assert [name for name, spec in ACTION["inputs"].items() if spec.get("required")] == ["command"]


def test_exitcode_output_comes_from_the_run_step() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert ACTION["outputs"]["exitcode"]["value"] == "${{ steps.run.outputs.exitcode }}"
    assert [s.get("id") for s in ACTION["runs"]["steps"]].count("run") == 1


@pytest.mark.parametrize("workflow", workflow_files(), ids=lambda p: p.name)
def test_workflows_call_the_action_with_declared_inputs_only(workflow: Any) -> None:
    for _, step in iter_steps(load_yaml(workflow)):
        if step.get("uses") == LOCAL_ACTION:
            given = set(step.get("with", {}))
            assert given <= set(ACTION["inputs"]), given - set(ACTION["inputs"])
            assert "command" in given


@pytest.mark.parametrize(
    ("code", "allowed", "step_rc"),
    [
        (0, "0", 0),
        (2, "0,2,3", 0),
        (3, "0, 2, 3", 0),
        (1, "0,2,3", 1),
        (64, "0,2,3", 64),
        (2, "0", 2),
        (0, "2", 1),  # an unexpected success still fails the step
    ],
)
def test_exit_code_is_output_and_fails_the_step_only_when_not_allowed(
    runner: Runner, code: int, allowed: str, step_rc: int
) -> None:
    result = _run_action(
        runner,
        {"command": "plan", "args": "specs/", "allowed-exit-codes": allowed},
        {"FAKE_PORTCTL_EXIT": str(code)},
    )
    assert result.returncode == step_rc, result.stdout + result.stderr
    assert runner.outputs() == {"exitcode": str(code)}
    assert ("::error title=portctl plan::" in result.stdout) == (step_rc != 0)


def test_args_are_split_like_a_shell_without_expansion(runner: Runner) -> None:
    (runner.workspace / "a.yaml").write_text("x", encoding="utf-8")
    args = "specs/ --out 'my plan.json' *.yaml $HOME --selector \"team=ops east\""
    result = _run_action(runner, {"command": "plan", "args": args})
    assert result.returncode == 0, result.stderr
    assert runner.calls == [
        [
            "portctl",
            "plan",
            "specs/",
            "--out",
            "my plan.json",
            "*.yaml",
            "$HOME",
            "--selector",
            "team=ops east",
        ]
    ]


def test_no_args_runs_the_bare_command(runner: Runner) -> None:
    assert _run_action(runner, {"command": "status"}).returncode == 0
    assert runner.calls == [["portctl", "status"]]


def test_stdout_file_keeps_the_output_and_still_logs_it(runner: Runner) -> None:
    plan = "## Plan\n\n| order | action |\n|---|---|\n| acme | update |\n"
    result = _run_action(
        runner,
        {"command": "plan", "stdout-file": "plan.md", "allowed-exit-codes": "0,2"},
        {"FAKE_PORTCTL_EXIT": "2", "FAKE_PORTCTL_STDOUT": plan},
    )
    assert result.returncode == 0
    assert (runner.workspace / "plan.md").read_text(encoding="utf-8") == plan
    assert plan in result.stdout
    assert runner.outputs() == {"exitcode": "2"}


def test_env_file_content_is_a_private_masked_temporary_env_file(runner: Runner) -> None:
    content = 'ACME_PIN=4711\n# a comment\nACME_ACCOUNT="88 21"\nNOTE="line one\nline two"\n'
    result = _run_action(runner, {"command": "plan", "args": "specs/", "env-file-content": content})
    assert result.returncode == 0, result.stderr
    (record,) = runner.call_records
    assert record["argv"][:3] == ["portctl", "plan", "specs/"]
    assert record["argv"][3] == "--env-file"
    assert record["env_file_content"] == content + "\n"
    assert record["env_file_mode"] == 0o600
    env_file = record["argv"][4]
    assert env_file.startswith(str(runner.temp))
    assert not list(runner.temp.glob("portctl.*.env")), "the env file must be removed"
    masks = [line for line in result.stdout.splitlines() if line.startswith("::add-mask::")]
    assert masks == [
        "::add-mask::4711",
        "::add-mask::88 21",
        "::add-mask::line one",
        "::add-mask::line two",
    ]


def test_without_env_file_content_no_env_file_is_passed(runner: Runner) -> None:
    assert _run_action(runner, {"command": "validate", "args": "specs/"}).returncode == 0
    assert runner.calls == [["portctl", "validate", "specs/"]]


def test_empty_command_is_an_error(runner: Runner) -> None:
    result = _run_action(runner, {"command": ""})
    assert result.returncode == 1
    assert "::error title=portctl action::input 'command' is empty" in result.stdout
    assert runner.calls == []


def test_plan_key_is_passed_through_when_set_and_unset_when_empty(runner: Runner) -> None:
    """A workflow maps `secrets.PORTCTL_PLAN_KEY` always; an unset secret arrives as "", which
    must not reach portctl as a (empty) signing key."""
    assert (
        run_action(runner, {"command": "plan"}, env={"PORTCTL_PLAN_KEY": "k" * 32}).returncode == 0
    )
    assert run_action(runner, {"command": "plan"}, env={"PORTCTL_PLAN_KEY": ""}).returncode == 0
    first, second = runner.call_records
    assert first["plan_key_length"] == 32
    assert "plan_key_length" not in second
