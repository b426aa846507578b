"""Delivering notifications: a Slack-compatible incoming webhook and a generic JSON webhook.

The store is the outbox: a notification is queued there (deduplicated) before anything is
sent, and `Notifier.deliver_due` sends what is due, one HTTP POST per target with a deadline
(`TIMEOUT_SECONDS`). A failure is retried with exponential backoff (`retry_delay`) up to
`MAX_ATTEMPTS`, then kept as `failed` in the store, logged, and shown by `portctl watch
--status`: never dropped silently. Bodies hold the order, its reference, the event, the
message and a link, all passed through `scrub` (no secret values).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import httpx

from reconciler.api.limits import (
    AnswerTooLarge,
    ExchangeLimits,
    deadline_after,
    enforce_deadlines,
    read_bounded,
)
from reconciler.redact import scrub
from reconciler.watch.metrics import Metrics
from reconciler.watch.store import Delivery, Store

log = logging.getLogger(__name__)

SLACK = "slack"
WEBHOOK = "webhook"
TIMEOUT_SECONDS = 10.0
"""Deadline of one delivery, connect to the answer's last byte (the API client's mechanism,
`reconciler.api.limits`: a receiver that drips bytes cannot hold the notifier)."""
LIMITS = ExchangeLimits(deadline=TIMEOUT_SECONDS, max_answer_bytes=64 * 1024)
"""A receiver's answer is not used; at most this much of it is read."""
MAX_ATTEMPTS = 8
"""Attempts before a delivery is kept as `failed` (5 s doubling: about 11 minutes of retries)."""


def retry_delay(attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones: 5 s doubling, at most 10
    minutes."""
    return float(min(5 * 2 ** max(attempts - 1, 0), 600))


def targets_from_env(environ: Mapping[str, str]) -> dict[str, str]:
    """Target name -> URL, from `PORTCTL_SLACK_WEBHOOK_URL` and `PORTCTL_NOTIFY_URL`."""
    found = {
        SLACK: environ.get("PORTCTL_SLACK_WEBHOOK_URL", "").strip(),
        WEBHOOK: environ.get("PORTCTL_NOTIFY_URL", "").strip(),
    }
    return {name: url for name, url in found.items() if url}


def headline(delivery: Delivery) -> str:
    """One line naming the order, for humans."""
    order = f"order {delivery.order_id}" if delivery.order_id is not None else "an order"
    return f"portctl watch: {order} ({delivery.reference}): {delivery.event}"


def body_for(target: str, delivery: Delivery) -> dict[str, Any]:
    """The JSON a target receives (Slack's `text`, or the generic fields)."""
    if target == SLACK:
        text = f"*{headline(delivery)}*\n{delivery.message}\n{delivery.link}"
        return {"text": scrub(text)}
    return {
        "order": delivery.order_id,
        "reference": delivery.reference,
        "event": delivery.event,
        "message": scrub(delivery.message),
        "link": delivery.link,
    }


class Notifier:
    """Sends due deliveries from the store to the configured targets."""

    def __init__(
        self,
        store: Store,
        targets: Mapping[str, str],
        metrics: Metrics,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.store = store
        self.targets = dict(targets)
        self.metrics = metrics
        self._http = httpx.Client(timeout=TIMEOUT_SECONDS, transport=transport)
        enforce_deadlines(self._http)

    def close(self) -> None:
        """Close the HTTP client."""
        self._http.close()

    def deliver_due(self) -> int:
        """Attempt every delivery that is due now; how many were attempted."""
        due = self.store.due_deliveries(time.time())
        for delivery in due:
            self._deliver(delivery)
        return len(due)

    def _post(self, url: str, body: dict[str, Any]) -> str:
        """POST within the overall deadline, reading at most `ANSWER_CAP` bytes of the
        answer; the error text ("" when accepted)."""
        with (
            deadline_after(TIMEOUT_SECONDS) as at,
            self._http.stream("POST", url, json=body) as response,
        ):
            read_bounded(response, LIMITS, at)
        return f"answered {response.status_code}" if response.is_error else ""

    def _deliver(self, delivery: Delivery) -> None:
        url = self.targets.get(delivery.target)
        if url is None:
            error = f"target {delivery.target} is not configured any more"
        else:
            try:
                error = self._post(url, body_for(delivery.target, delivery))
            except (httpx.HTTPError, AnswerTooLarge) as exc:
                error = f"{type(exc).__name__}: {scrub(str(exc)) or 'no detail'}"
        if not error:
            self.store.delivered(delivery.key, delivery.target)
            self.metrics.deliveries.labels(delivery.target, "sent").inc()
            log.info(
                "notification sent",
                extra={
                    "target": delivery.target,
                    "event": delivery.event,
                    "order": delivery.order_id,
                },
            )
            return
        attempts = delivery.attempts + 1
        final = attempts >= MAX_ATTEMPTS
        retry_at = None if final else time.time() + retry_delay(attempts)
        self.store.attempt_failed(delivery.key, delivery.target, error, retry_at=retry_at)
        self.metrics.deliveries.labels(delivery.target, "failed").inc()
        log.warning(
            "notification %s to %s failed (attempt %d): %s%s",
            delivery.event,
            delivery.target,
            attempts,
            error,
            "; giving up, kept as failed (see `portctl watch --status`)" if final else "",
            extra={"order": delivery.order_id},
        )
