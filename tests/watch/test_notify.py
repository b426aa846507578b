"""Notifications: deduplicated, delivered to Slack and the generic webhook with the documented
fields, retried with backoff, kept as failed (and shown by `portctl watch --status`)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.watch.metrics import Metrics
from reconciler.watch.notify import MAX_ATTEMPTS, Notifier, retry_delay, targets_from_env
from reconciler.watch.store import Store


def queue(
    store: Store,
    *,
    message: str = "numbers rejected. What to do: fix the PIN.",
    targets: tuple[str, ...] = ("slack", "webhook"),
) -> bool:
    return store.add_notification(
        key=f"key-{message}",
        targets=targets,
        order_id=42,
        reference="gitops/hq",
        event="numbers_rejected",
        message=message,
        link="https://example.test/orders/42",
    )


def test_a_notification_is_queued_once(tmp_path: Path) -> None:
    store = Store(tmp_path)
    assert queue(store)
    assert not queue(store), "same order, event and content: a duplicate"
    assert store.snapshot()["notifications"]["pending"] == 2, "one per target"


def test_bodies_for_slack_and_the_generic_webhook(tmp_path: Path) -> None:
    store = Store(tmp_path)
    queue(store)
    seen: dict[str, dict[str, object]] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        seen[request.url.host] = json.loads(request.content)
        return httpx.Response(200)

    targets = {"slack": "https://slack.test/hook", "webhook": "https://notify.test/hook"}
    notifier = Notifier(store, targets, Metrics(), transport=httpx.MockTransport(answer))
    assert notifier.deliver_due() == 2
    assert seen["notify.test"] == {
        "order": 42,
        "reference": "gitops/hq",
        "event": "numbers_rejected",
        "message": "numbers rejected. What to do: fix the PIN.",
        "link": "https://example.test/orders/42",
    }
    text = str(seen["slack.test"]["text"])
    assert "order 42 (gitops/hq)" in text
    assert "https://example.test/orders/42" in text
    assert store.snapshot()["notifications"]["sent"] == 2
    assert notifier.deliver_due() == 0


def test_failures_back_off_then_stay_failed_and_show_in_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path)
    queue(store, targets=("webhook",))
    now = [time.time()]
    monkeypatch.setattr("reconciler.watch.notify.time.time", lambda: now[0])
    monkeypatch.setattr("reconciler.watch.store.time.time", lambda: now[0])
    down = httpx.MockTransport(lambda request: httpx.Response(503))
    notifier = Notifier(store, {"webhook": "https://notify.test/hook"}, Metrics(), transport=down)
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert notifier.deliver_due() >= 1
        assert notifier.deliver_due() == 0, "nothing due before the backoff has passed"
        due = store.next_delivery_at()
        if attempt < MAX_ATTEMPTS:
            assert due is not None
            waits.append(round(due - now[0]))
            now[0] = due
    assert waits == [round(retry_delay(n)) for n in range(1, MAX_ATTEMPTS)]
    assert waits[0] < waits[-1] <= 600
    snapshot = store.snapshot()
    failed = [n for n in snapshot["undelivered"] if n["state"] == "failed"]
    assert [(n["target"], n["attempts"], n["lastError"]) for n in failed] == [
        ("webhook", MAX_ATTEMPTS, "answered 503")
    ]
    store.close()
    shown = CliRunner().invoke(cli, ["watch", "--status", "--state", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    assert "failed to webhook after 8 attempt(s)" in shown.output
    assert "answered 503" in shown.output


def test_targets_come_from_the_environment() -> None:
    assert targets_from_env(
        {"PORTCTL_SLACK_WEBHOOK_URL": "https://s", "PORTCTL_NOTIFY_URL": ""}
    ) == {"slack": "https://s"}


def test_a_receiver_that_drips_its_answer_hits_the_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path)
    queue(store, targets=("webhook",))
    monkeypatch.setattr("reconciler.watch.notify.TIMEOUT_SECONDS", 0.3)

    def drip() -> Iterator[bytes]:
        for _ in range(40):
            time.sleep(0.05)
            yield b"."

    slow = httpx.MockTransport(lambda request: httpx.Response(200, content=drip()))
    notifier = Notifier(store, {"webhook": "https://notify.test/hook"}, Metrics(), transport=slow)
    started = time.monotonic()
    notifier.deliver_due()
    assert time.monotonic() - started < 1.5
    (row,) = store.snapshot()["undelivered"]
    assert row["state"] == "pending", "retried later"
    assert "ReadTimeout" in row["lastError"]
