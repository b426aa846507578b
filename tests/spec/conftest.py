"""Shared helpers of the spec tests: a pinned "today" and a CLI runner for `portctl validate`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import cli

TODAY = date(2026, 11, 26)
REPO = Path(__file__).resolve().parents[2]
SPECS = REPO / "specs"
CORPUS = Path(__file__).resolve().parent / "corpus"

RunValidate = Callable[..., Result]


@pytest.fixture
def run_validate(monkeypatch: pytest.MonkeyPatch) -> RunValidate:
    """Invoke `portctl validate ARGS` in-process with today pinned and no CI variables."""
    monkeypatch.setenv("PORTCTL_TODAY", TODAY.isoformat())
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(cli, ["validate", *args], env=env)

    return run
