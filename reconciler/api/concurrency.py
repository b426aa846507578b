"""How many requests are in flight at once: adapted to the API, never above a ceiling.

Like TCP's congestion window (additive increase, multiplicative decrease): a run starts at
`START` requests in flight (or the ceiling, if lower), halves on a 429 and grows by one after
as many successes in a row as the current limit, never above the ceiling (`--parallelism N`,
as in Terraform). A 429 counts once per window: the answers of requests that were already in
flight when the limit last dropped say nothing about the new limit. The wait a 429 asks for
(`Retry-After`) is the retry loop's business (`reconciler.api.retry`); the limiter only
decides how many requests go out together, and holds no slot while a request waits to retry.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

START = 8
"""Requests in flight at the start of a run (issue 12)."""
DEFAULT_CEILING = 8
"""The ceiling when none is given: what the API's published figures assume."""


@dataclass(frozen=True)
class Ticket:
    """One request's slot: the window it was sent in."""

    window: int


class AdaptiveLimit:
    """A gate for concurrent requests whose width follows the API's answers (thread-safe)."""

    def __init__(self, ceiling: int = DEFAULT_CEILING, *, start: int = START) -> None:
        if ceiling < 1:
            raise ValueError("the parallelism ceiling must be at least 1")
        self.ceiling = ceiling
        self._limit = max(1, min(start, ceiling))
        self._in_flight = 0
        self._window = 0
        self._successes = 0
        self._changed = threading.Condition()
        self.peak = 0
        """The most requests that were in flight at once (for tests and `--stats`)."""

    @property
    def limit(self) -> int:
        """Requests allowed in flight now."""
        return self._limit

    @contextmanager
    def slot(self) -> Iterator[Ticket]:
        """Hold one of the `limit` slots for the duration of one HTTP exchange."""
        with self._changed:
            self._changed.wait_for(lambda: self._in_flight < self._limit)
            self._in_flight += 1
            self.peak = max(self.peak, self._in_flight)
            ticket = Ticket(self._window)
        try:
            yield ticket
        finally:
            with self._changed:
                self._in_flight -= 1
                self._changed.notify_all()

    def rate_limited(self, ticket: Ticket) -> None:
        """The API answered 429 to the request of `ticket`: halve, once per window."""
        with self._changed:
            if ticket.window != self._window:
                return
            self._limit = max(1, self._limit // 2)
            self._window += 1
            self._successes = 0

    def succeeded(self) -> None:
        """An answer that was not a 429: after `limit` of them in a row, one slot more."""
        with self._changed:
            if self._limit >= self.ceiling:
                return
            self._successes += 1
            if self._successes >= self._limit:
                self._limit += 1
                self._successes = 0
                self._changed.notify_all()
