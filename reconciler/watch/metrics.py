"""Prometheus metrics of one watcher (`GET /metrics`), via `prometheus_client`.

`prometheus_client` is the Prometheus project's own Python client: its text exposition is the
format scrapers expect, so none of it is written by hand. Each watcher has its own registry
(not the process-global one), so tests can run several in one process.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """The counters and gauges the app, worker and notifier update."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.webhooks = Counter(
            "portctl_watch_webhooks_total", "Webhooks accepted, by type", ["type"], registry=r
        )
        self.refused = Counter(
            "portctl_watch_webhooks_refused_total",
            "Webhook requests refused, by reason",
            ["reason"],
            registry=r,
        )
        self.processed = Counter(
            "portctl_watch_orders_processed_total",
            "Orders looked at (one API read each), by result",
            ["result"],
            registry=r,
        )
        self.activations = Counter(
            "portctl_watch_activations_total", "Activations, by outcome", ["outcome"], registry=r
        )
        self.notifications = Counter(
            "portctl_watch_notifications_total",
            "New (not duplicate) notifications, by event",
            ["event"],
            registry=r,
        )
        self.deliveries = Counter(
            "portctl_watch_notification_deliveries_total",
            "Notification delivery attempts, by target and outcome",
            ["target", "outcome"],
            registry=r,
        )
        self.resyncs = Counter(
            "portctl_watch_resyncs_total", "Periodic re-reads of all open orders", registry=r
        )
        self.pending = Gauge(
            "portctl_watch_pending_events", "Events recorded but not processed yet", registry=r
        )

    def watch_pending(self, count: Callable[[], float]) -> None:
        """Read the pending-events gauge from `count` at each scrape."""
        self.pending.set_function(count)

    def exposition(self) -> bytes:
        """The Prometheus text format of every metric."""
        return generate_latest(self.registry)
