"""When a failed call may be sent again, and how long to wait first.

The rules are those of docs/design.md#apply-semantics.

The rules, in one place:

- Reads (GET) are retried on connect errors, timeouts, 429 and 500/502/503/504; not when the
  whole request deadline (`PORTCTL_REQUEST_DEADLINE`) ran out.
- Mutations (POST/PUT/DELETE) are re-sent only when the request provably never left: a connect
  error (no connection, nothing sent) or a 429 (the API says "not processed"). A 5xx or a
  timeout after sending is `OutcomeUnknown` and is *never* retried here; `apply` looks first.
- `Retry-After` (seconds or an HTTP date) is honoured, capped at `max_retry_after`; otherwise
  full-jitter exponential backoff.
- Budgets: `attempts` and `per_call_timeout` (waits plus stamina's wall clock) bound one call;
  `run_budget_seconds` bounds the total retry waiting of a whole run, shared by every call.

stamina runs the loop; the hook below decides and returns the wait as a float, so the wait is
recorded (`RetryEvent`) and logged before it happens. Under `stamina.set_testing(True)` nothing
sleeps, and tests assert on the recorded waits instead.

stamina's own instrumentation is switched off when this module is imported: it would log
`stamina.retry_scheduled` at WARNING (printed bare on a CLI's stderr) with the failure's repr
attached. The hook logs one readable line per retry instead, naming method, path, status and
wait only: never a response body or request data, so no secret can reach a log.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import stamina.instrumentation

from reconciler.api.errors import (
    ApiError,
    DeadlineExceeded,
    RateLimited,
    ServerError,
    TransportFailure,
)

RETRYABLE_SERVER_STATUSES = frozenset({500, 502, 503, 504})
log = logging.getLogger(__name__)
stamina.instrumentation.set_on_retry_hooks(())


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RetryPolicy:
    """Retry limits for one client; immutable so one instance can be a default argument."""

    attempts: int = 5
    """Total tries of one call, the first included."""
    per_call_timeout: float = 60.0
    """Seconds one call may spend, retries and waits included."""
    run_budget_seconds: float = 300.0
    """Seconds of retry waiting allowed across the whole run (all calls together)."""
    max_retry_after: float = 30.0
    """A longer `Retry-After` is cut to this."""
    wait_initial: float = 0.5
    wait_max: float = 8.0
    wait_exp_base: float = 2.0
    clock: Callable[[], datetime] = field(default=_utcnow, compare=False, repr=False)
    """Wall clock used to turn an HTTP-date `Retry-After` into seconds (virtual in tests)."""


TOKEN_RETRY_POLICY = RetryPolicy(
    attempts=3, per_call_timeout=60.0, wait_initial=1.0, wait_exp_base=4.0, wait_max=16.0
)
"""The token endpoint, as the Sinch SDKs do it: 3 tries, full jitter, base 1 s, x4."""


@dataclass(frozen=True)
class RetryEvent:
    """One retry that was decided: which call, after which failure, waiting how long."""

    operation: str
    method: str
    path: str
    attempt: int
    """The attempt that failed (1 = the first send)."""
    wait: float
    reason: str


class RetryBudget:
    """Retry waiting left for the whole run; shared by all calls (and threads) of a client."""

    def __init__(self, seconds: float) -> None:
        self._left = seconds
        self._lock = threading.Lock()

    @property
    def left(self) -> float:
        """Seconds of retry waiting still allowed."""
        with self._lock:
            return self._left

    def spend(self, seconds: float) -> bool:
        """Take `seconds` from the budget; False (and nothing taken) if not enough is left."""
        with self._lock:
            if seconds > self._left:
                return False
            self._left -= seconds
            return True


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP date), else None."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def is_retryable(exc: BaseException) -> bool:
    """Whether the client raised `exc` for a failure that may be sent again.

    The client only raises `ServerError`/`TransportFailure` where a re-send is harmless (reads,
    or a connect error); mutations get `OutcomeUnknown` instead, which is never retryable.
    """
    if isinstance(exc, DeadlineExceeded):
        return False  # the whole request deadline is spent; another try takes as long again
    if isinstance(exc, RateLimited | TransportFailure):
        return True
    return isinstance(exc, ServerError) and exc.status in RETRYABLE_SERVER_STATUSES


class CallRetries:
    """The stamina backoff hook for one logical call: decide, pick the wait, record it."""

    def __init__(
        self,
        *,
        policy: RetryPolicy,
        budget: RetryBudget,
        operation: str,
        record: Callable[[RetryEvent], None],
    ) -> None:
        self._policy = policy
        self._budget = budget
        self._operation = operation
        self._record = record
        self._failures = 0
        self._waited = 0.0

    def _backoff(self) -> float:
        p = self._policy
        ceiling = min(p.wait_max, p.wait_initial * p.wait_exp_base ** (self._failures - 1))
        return random.uniform(0.0, ceiling)  # noqa: S311 (jitter, not cryptography)

    def __call__(self, exc: Exception) -> bool | float:
        """stamina hook: False = give up and re-raise `exc`; a float = wait that long, retry."""
        if not isinstance(exc, ApiError) or not is_retryable(exc):
            return False
        self._failures += 1
        if self._failures >= self._policy.attempts:
            return False
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            wait = min(exc.retry_after, self._policy.max_retry_after)
        else:
            wait = self._backoff()
        if self._waited + wait > self._policy.per_call_timeout or not self._budget.spend(wait):
            return False
        self._waited += wait
        reason = f"{exc.status}" if exc.status is not None else type(exc).__name__
        log.warning(
            "Porting API %s %s failed (%s); retry %d of %d in %.1f s",
            exc.method,
            exc.path,
            reason,
            self._failures,
            self._policy.attempts - 1,
            wait,
        )
        self._record(
            RetryEvent(
                operation=self._operation,
                method=exc.method,
                path=exc.path,
                attempt=self._failures,
                wait=wait,
                reason=reason,
            )
        )
        return wait
