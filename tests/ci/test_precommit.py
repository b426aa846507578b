"""`.pre-commit-hooks.yaml`: other repositories can run `portctl validate` as a commit hook.

pre-commit installs this repository as a Python package and, when a staged file matches
`files`, runs `entry` plus `args` (no file names: the whole spec folder is validated, since
rules span files). The hook's command is run here the way pre-commit runs it.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import cli
from tests.ci.runner_sim import REPO_ROOT, load_yaml

HOOKS: list[dict[str, Any]] = load_yaml(REPO_ROOT / ".pre-commit-hooks.yaml")


def _hook(hook_id: str) -> dict[str, Any]:
    (hook,) = [hook for hook in HOOKS if hook["id"] == hook_id]
    return hook


def test_validate_hook_is_a_python_hook_on_the_whole_spec_folder() -> None:
    hook = _hook("portctl-validate")
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["args"] == ["specs/"]
    assert hook["require_serial"] is True
    assert hook["name"]
    assert shlex.split(hook["entry"]) == ["portctl", "validate"]
    assert {key for hook in HOOKS for key in hook} <= {
        "id",
        "name",
        "description",
        "entry",
        "language",
        "files",
        "args",
        "pass_filenames",
        "require_serial",
    }


@pytest.mark.parametrize(
    ("path", "checked"),
    [
        ("specs/acme-east.yaml", True),
        ("specs/canada/ottawa.yml", True),
        ("specs/demo.env", False),
        (".github/workflows/portctl-pr.yml", False),
        ("README.md", False),
    ],
)
def test_validate_hook_checks_spec_yaml_only(path: str, checked: bool) -> None:
    # pre-commit matches `files` with re.search against the repository-relative path.
    assert bool(re.search(_hook("portctl-validate")["files"], path)) is checked


def _run_hook(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    hook = _hook("portctl-validate")
    monkeypatch.chdir(repo)
    return CliRunner().invoke(cli, [*shlex.split(hook["entry"])[1:], *hook["args"]])


def _spec(repo: Path, name: str, number: str) -> None:
    text = (
        "apiVersion: portctl/v1\nkind: PortIn\n"
        f"metadata: {{name: {name}}}\n"
        "spec:\n"
        '  schedule: {date: "2026-12-15"}\n'
        "  defaults:\n"
        "    endUser: {name: Acme, streetNum: '1', streetName: Main, city: Chicago, state: IL,"
        " zipCode: '60606'}\n"
        "    portOutInfo: {existingPortOutPin: '${PIN}', accountNum: '${ACCT}'}\n"
        "    voiceConfiguration: {type: EST, trunkId: '1'}\n"
        f'  phoneNumbers: ["{number}"]\n'
    )
    (repo / "specs" / f"{name}.yaml").write_text(text, "utf-8")


def test_the_hook_command_validates_across_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "specs").mkdir()
    _spec(tmp_path, "acme-east", "+13125550141")
    assert _run_hook(tmp_path, monkeypatch).exit_code == 0
    # Staging only acme-west.yaml must still catch the number acme-east already ports.
    _spec(tmp_path, "acme-west", "+13125550141")
    result = _run_hook(tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert "+13125550141" in result.output
