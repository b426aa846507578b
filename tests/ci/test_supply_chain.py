"""What the CI files run is pinned and linted: actions by commit SHA, kept current by Dependabot,
and every shell script shellcheck-clean.

Why SHAs: a tag (`@v7`) can be moved by whoever controls the action's repository, so a workflow
holding deployment credentials would run whatever the tag points at today; a full commit SHA
cannot change. The tag stays in a comment for humans and for Dependabot, which updates both.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.ci.runner_sim import (
    ACTION_DIR,
    GITHUB_DIR,
    REPO_ROOT,
    load_yaml,
    shellcheck,
    workflow_files,
)

PINNED = re.compile(r"uses: ([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # (v\d+(?:\.\d+){0,2})$", re.M)
USES = re.compile(r"^\s*(?:- )?uses: (\S+)")
ACTION_FILES = [*workflow_files(), ACTION_DIR / "action.yml"]


@pytest.mark.parametrize("path", ACTION_FILES, ids=lambda p: p.name)
def test_every_remote_action_is_pinned_by_commit_sha_with_its_tag(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    used = [(line, USES.match(line)) for line in lines]
    remote = [line.strip() for line, match in used if match and not match[1].startswith("./")]
    assert remote, f"{path.name} uses no remote action: is the pattern still right?"
    for line in remote:
        assert PINNED.search(line), f"{path.name}: not pinned by SHA with a tag comment: {line}"


def test_one_action_version_everywhere() -> None:
    """Two SHAs for one action would mean a half-done update (Dependabot groups them)."""
    seen: dict[str, set[tuple[str, str]]] = {}
    for path in ACTION_FILES:
        for match in PINNED.finditer(path.read_text(encoding="utf-8")):
            seen.setdefault(match[1], set()).add((match[2], match[3]))
    assert {"actions/checkout", "actions/setup-python", "actions/upload-artifact"} <= set(seen)
    assert {name: len(pins) for name, pins in seen.items()} == dict.fromkeys(seen, 1)


def test_dependabot_updates_the_actions_of_workflows_and_the_composite_action_and_pip() -> None:
    config: dict[str, Any] = load_yaml(GITHUB_DIR / "dependabot.yml")
    assert config["version"] == 2
    by_ecosystem = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(by_ecosystem) == {"github-actions", "pip"}
    actions = by_ecosystem["github-actions"]
    directories = actions["directories"]
    assert "/" in directories  # means .github/workflows for this ecosystem
    action_dir = "/" + str(ACTION_DIR.parent.relative_to(REPO_ROOT)) + "/*"
    assert action_dir in directories
    assert by_ecosystem["pip"]["directory"] == "/"
    assert (REPO_ROOT / "pyproject.toml").exists()
    assert all(update["schedule"]["interval"] for update in config["updates"])


def _shell_scripts() -> list[Path]:
    """Every shell script file in the repository's CI and action code."""
    scripts = [REPO_ROOT / ".ci" / "run", *sorted(GITHUB_DIR.rglob("*.sh"))]
    assert all(
        path.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash") for path in scripts
    )
    return scripts


@pytest.mark.parametrize("script", _shell_scripts(), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_shell_scripts_are_shellcheck_clean(script: Path) -> None:
    result = subprocess.run(
        [shellcheck(), "--norc", str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_shellcheck_finds_real_problems(tmp_path: Path) -> None:
    """Guards against a vacuous pass (e.g. a wrapper that always exits 0)."""
    bad = tmp_path / "bad.sh"
    bad.write_text("#!/usr/bin/env bash\nrm -rf $1/*\n", encoding="utf-8")
    result = subprocess.run(
        [shellcheck(), "--norc", str(bad)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 1
    assert "SC2086" in result.stdout
