"""Suite-wide test settings: deterministic hypothesis runs and no secret bleeding between tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from reconciler import redact

# Derandomized: the same examples on every run and every machine, so CI failures reproduce.
settings.register_profile(
    "portctl",
    derandomize=True,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
settings.load_profile("portctl")


@pytest.fixture(autouse=True)
def _forget_secrets() -> Iterator[None]:
    """Registered secret values are process-global; start and end every test with none."""
    redact.forget_all()
    yield
    redact.forget_all()
