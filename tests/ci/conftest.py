"""The live API the CI-flow tests (workflow steps, copied action, GitLab jobs) run against."""

from __future__ import annotations

import pytest

from reconciler.emulator import Emulator
from tests.world import START


@pytest.fixture
def emu() -> Emulator:
    """A fresh emulator on the suite's clock, project `demo` (what `api_env` points at)."""
    return Emulator(now=START, project_id="demo")
