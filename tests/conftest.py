"""Suite-wide test settings: deterministic hypothesis runs, no secret bleeding between tests,
and portctl's own API traffic checked against the OpenAPI document in every test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from reconciler import redact
from reconciler.emulator import Emulator
from reconciler.spec import parallel
from tests.contract.traffic import ContractWatch, watched_handle

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


@pytest.fixture(autouse=True)
def _client_traffic_follows_the_contract(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Issue 3's contract check, suite-wide: every request portctl's client sends to an
    in-process emulator (MockTransport, `--emulator`'s embedded state file, or
    `emulator.server.running` in a thread, which also serves `portctl` subprocesses) validates
    against the OpenAPI request schema, and every answer against the response schema.

    Tests using `tests/api`'s `recorder` are left out: it already checks the same exchanges,
    more strictly. A test that sends invalid requests on purpose carries
    `@pytest.mark.invalid_requests_ok` and gets its answers checked only. A
    `portctl emulator serve` subprocess is out of reach here.
    """
    if "recorder" in request.fixturenames:
        yield
        return
    watch = ContractWatch()
    check_requests = request.node.get_closest_marker("invalid_requests_ok") is None
    monkeypatch.setattr(
        Emulator, "handle", watched_handle(Emulator.handle, watch, check_requests=check_requests)
    )
    yield
    if watch.problems:
        distinct = list(dict.fromkeys(watch.problems))
        listed = "\n  ".join(distinct)
        pytest.fail(
            f"portctl's API traffic breaks the OpenAPI contract ({len(distinct)} distinct "
            f"problems in {watch.exchanges} exchanges; see tests/contract/openapi_contract.py "
            f"and DOCUMENT_CORRECTIONS there):\n  {listed}",
            pytrace=False,
        )


@pytest.fixture
def maps(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pool of `reconciler.spec.parallel` on from one file, and the name of the function
    of each map its worker processes ran (tests/spec/test_early.py, tests/plan)."""
    done: list[str] = []
    original = parallel.Workers.map

    def counting(
        self: parallel.Workers, function: Callable[[Any, Any], Any], **options: Any
    ) -> list[Any]:
        done.append(getattr(function, "func", function).__name__)
        return original(self, function, **options)

    monkeypatch.setattr(parallel.Workers, "map", counting)
    monkeypatch.setattr(parallel, "POOL_THRESHOLD", 1)
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    # a thread of the test (a served emulator) would keep the pool off
    monkeypatch.setattr("threading.active_count", lambda: 1)
    return done
