"""Retry decisions in isolation: Retry-After parsing, caps, budgets, what is never retried."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reconciler.api import errors
from reconciler.api.retry import (
    CallRetries,
    RetryBudget,
    RetryEvent,
    RetryPolicy,
    parse_retry_after,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _err(cls: type[errors.ApiError], status: int | None, **kw: object) -> errors.ApiError:
    return cls(status=status, method="GET", path="/orders/portIns", message="m", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        (" 2.5 ", 2.5),
        ("Thu, 26 Nov 2026 12:00:40 GMT", 40.0),
        ("Thu, 26 Nov 2026 11:00:00 GMT", 0.0),
        ("-3", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


def _hook(
    policy: RetryPolicy, budget: RetryBudget | None = None
) -> tuple[CallRetries, list[RetryEvent]]:
    log: list[RetryEvent] = []
    budget = budget or RetryBudget(policy.run_budget_seconds)
    return CallRetries(policy=policy, budget=budget, operation="op", record=log.append), log


def test_retry_after_is_honoured_and_capped() -> None:
    hook, log = _hook(RetryPolicy(max_retry_after=30.0))
    assert hook(_err(errors.RateLimited, 429, retry_after=7.0)) == 7.0
    assert hook(_err(errors.RateLimited, 429, retry_after=3600.0)) == 30.0
    assert [e.wait for e in log] == [7.0, 30.0]
    assert [e.attempt for e in log] == [1, 2]


def test_backoff_without_retry_after_is_full_jitter_within_the_ceiling() -> None:
    hook, _ = _hook(RetryPolicy(attempts=10, wait_initial=1.0, wait_max=4.0))
    waits = [hook(_err(errors.ServerError, 503)) for _ in range(6)]
    ceilings = [1.0, 2.0, 4.0, 4.0, 4.0, 4.0]
    assert all(0.0 <= float(w) <= c for w, c in zip(waits, ceilings, strict=True))


@pytest.mark.parametrize(
    "exc",
    [
        _err(errors.Unprocessable, 422),
        _err(errors.NotFound, 404),
        _err(errors.ServerError, 501),
        _err(errors.OutcomeUnknown, 500),
        _err(errors.OutcomeUnknown, None),
    ],
)
def test_never_retried(exc: errors.ApiError) -> None:
    hook, log = _hook(RetryPolicy())
    assert hook(exc) is False
    assert log == []


def test_foreign_exceptions_are_not_retried() -> None:
    hook, _ = _hook(RetryPolicy())
    assert hook(ValueError("boom")) is False


def test_attempts_limit_counts_the_first_send() -> None:
    hook, log = _hook(RetryPolicy(attempts=3))
    results = [hook(_err(errors.TransportFailure, None)) for _ in range(3)]
    assert results[2] is False
    assert len(log) == 2


def test_per_call_budget_stops_waiting() -> None:
    hook, _ = _hook(RetryPolicy(attempts=10, per_call_timeout=10.0))
    assert hook(_err(errors.RateLimited, 429, retry_after=6.0)) == 6.0
    assert hook(_err(errors.RateLimited, 429, retry_after=6.0)) is False


def test_run_budget_is_shared_between_calls() -> None:
    policy = RetryPolicy(attempts=10, run_budget_seconds=10.0)
    budget = RetryBudget(policy.run_budget_seconds)
    first, _ = _hook(policy, budget)
    second, _ = _hook(policy, budget)
    assert first(_err(errors.RateLimited, 429, retry_after=8.0)) == 8.0
    assert second(_err(errors.RateLimited, 429, retry_after=8.0)) is False
    assert budget.left == 2.0
