"""Golden drift reports (markdown, json) of the scenario world.

Regenerate after an intended wording or format change:
`PORTCTL_UPDATE_GOLDEN=1 pytest tests/drift/test_golden.py`, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reconciler.cli.exits import EXIT_BLOCKED
from tests.drift.scenario import build_scenario
from tests.drift.world import ACCOUNT, PIN, ReportWorld

GOLDEN = Path(__file__).parent.parent / "golden"
UPDATE = os.environ.get("PORTCTL_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize(("fmt", "suffix"), [("markdown", "md"), ("json", "json")])
def test_drift_report_matches_golden_file(world: ReportWorld, fmt: str, suffix: str) -> None:
    build_scenario(world)
    run = world.report("drift", "--format", fmt)
    assert run.code == EXIT_BLOCKED, run.err
    text = run.out.replace(str(world.specs), "specs")
    for secret in (PIN, ACCOUNT):
        assert secret not in text
    golden = GOLDEN / f"drift.{suffix}"
    if UPDATE:
        golden.write_text(text, "utf-8")
    assert text == golden.read_text("utf-8")
