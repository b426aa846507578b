"""Retries against the emulator's fault injection: what is re-sent, what never is, and waits.

stamina runs in testing mode (conftest): nothing sleeps, and the waits the client chose are in
`client.retry_log`, computed on the virtual clock the `RetryPolicy` was given.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import format_datetime

import httpx
import pytest

from reconciler import redact
from reconciler.api import OutcomeUnknown, PortingClient, errors
from reconciler.emulator import Emulator, Fault
from tests.api.bodies import order_body
from tests.api.conftest import START, RecordingTransport, demo_client
from tests.api.flaky import BreakFirst


def _sent(emu: Emulator, method: str, path: str) -> int:
    return sum(1 for r in emu.request_log if r.method == method and r.path.endswith(path))


def test_429_retry_after_seconds_is_honoured(client: PortingClient, emu: Emulator) -> None:
    order = client.create_order(order_body())
    emu.add_fault(Fault(method="GET", path="/orders/portIns", count=2, status=429, retry_after="7"))
    assert client.get_order(order.id).id == order.id
    assert [(e.operation, e.reason, e.wait) for e in client.retry_log] == [
        ("get_order", "429", 7.0),
        ("get_order", "429", 7.0),
    ]
    assert client.calls["get_order"] == 3


def test_429_retry_after_http_date_is_read_on_the_virtual_clock(
    client: PortingClient, emu: Emulator
) -> None:
    when = format_datetime(START + timedelta(seconds=12), usegmt=True)
    emu.add_fault(Fault(method="GET", path="/orders/portIns", status=429, retry_after=when))
    assert client.list_orders() == []
    assert [e.wait for e in client.retry_log] == [12.0]


def test_a_long_retry_after_is_capped(client: PortingClient, emu: Emulator) -> None:
    emu.add_fault(Fault(method="GET", path="/configuration", status=429, retry_after="3600"))
    assert client.get_configuration() is None
    assert [e.wait for e in client.retry_log] == [30.0]


def test_reads_retry_5xx_with_full_jitter_backoff(client: PortingClient, emu: Emulator) -> None:
    emu.add_fault(Fault(method="GET", path="/orders/portIns", count=3, status=503))
    assert client.list_orders() == []
    waits = [e.wait for e in client.retry_log]
    assert len(waits) == 3
    assert all(0.0 <= w <= ceiling for w, ceiling in zip(waits, [0.5, 1.0, 2.0], strict=True))


def test_reads_give_up_after_the_attempt_limit(client: PortingClient, emu: Emulator) -> None:
    emu.add_fault(Fault(method="GET", path="/orders/portIns", count=10, status=502))
    with pytest.raises(errors.ServerError) as caught:
        client.list_orders()
    assert caught.value.status == 502
    assert client.calls["list_orders"] == 5


def test_a_post_answered_500_is_not_re_sent(client: PortingClient, emu: Emulator) -> None:
    emu.add_fault(Fault(method="POST", path="/orders/portIns", status=500))
    with pytest.raises(OutcomeUnknown) as caught:
        client.create_order(order_body())
    assert caught.value.status == 500
    assert "may have taken effect" in str(caught.value)
    assert client.calls["create_order"] == 1
    assert _sent(emu, "POST", "/orders/portIns") == 1
    assert client.retry_log == []


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_put_and_delete_answered_503_are_outcome_unknown(
    client: PortingClient, emu: Emulator, method: str
) -> None:
    order = client.create_order(order_body())
    emu.add_fault(Fault(method=method, path="/orders/portIns/", status=503))

    def call() -> None:
        if method == "PUT":
            client.update_order(order.id, order_body())
        else:
            client.cancel_order(order.id)

    with pytest.raises(OutcomeUnknown):
        call()
    assert _sent(emu, method, f"/orders/portIns/{order.id}") == 1


def test_a_post_answered_429_is_re_sent_once_processed(
    client: PortingClient, emu: Emulator
) -> None:
    emu.add_fault(Fault(method="POST", path="/orders/portIns", status=429, retry_after="2"))
    created = client.create_order(order_body())
    assert [o.id for o in client.list_orders(reference="gitops/acme")] == [created.id]
    assert [e.wait for e in client.retry_log] == [2.0]


def test_commit_then_drop_post_is_unknown_and_visible_to_a_lookup(
    client: PortingClient, emu: Emulator
) -> None:
    emu.add_fault(Fault(method="POST", path="/orders/portIns", mode="drop-after-commit"))
    with pytest.raises(OutcomeUnknown) as caught:
        client.create_order(order_body(reference="gitops/dropped"))
    assert caught.value.status is None
    assert client.calls["create_order"] == 1
    found = client.list_orders(reference="gitops/dropped")
    assert len(found) == 1
    assert found[0].status == "PENDING"


def test_a_connect_error_on_post_is_re_sent(recorder: RecordingTransport, emu: Emulator) -> None:
    with demo_client(BreakFirst(recorder, httpx.ConnectError, method="POST")) as client:
        created = client.create_order(order_body())
        assert [o.id for o in client.list_orders()] == [created.id]
        assert [e.reason for e in client.retry_log] == ["TransportFailure"]
        assert client.calls["create_order"] == 2


def test_a_read_timeout_on_get_is_retried(recorder: RecordingTransport) -> None:
    with demo_client(BreakFirst(recorder, httpx.ReadTimeout, method="GET", count=2)) as client:
        assert client.list_orders() == []
        assert client.calls["list_orders"] == 3


def test_a_read_timeout_after_sending_a_delete_is_outcome_unknown(
    recorder: RecordingTransport, emu: Emulator
) -> None:
    flaky = BreakFirst(recorder, httpx.ReadTimeout, method="DELETE", count=1, after_send=True)
    with demo_client(flaky) as client:
        order = client.create_order(order_body())
        with pytest.raises(OutcomeUnknown) as caught:
            client.cancel_order(order.id)
        assert "ReadTimeout" in caught.value.message
        assert client.get_order(order.id).status == "PENDING_CANCELATION"
        assert client.calls["cancel_order"] == 1


def test_the_run_budget_is_shared_and_ends_retrying(
    recorder: RecordingTransport, emu: Emulator
) -> None:
    with demo_client(recorder, run_budget_seconds=20.0) as client:
        emu.add_fault(
            Fault(method="GET", path="/configuration", count=2, status=429, retry_after="8")
        )
        assert client.get_configuration() is None
        emu.add_fault(
            Fault(method="GET", path="/configuration", count=2, status=429, retry_after="8")
        )
        with pytest.raises(errors.RateLimited) as caught:
            client.get_configuration()
        assert caught.value.status == 429
        assert [e.wait for e in client.retry_log] == [8.0, 8.0]


def test_the_per_call_budget_ends_retrying(recorder: RecordingTransport, emu: Emulator) -> None:
    with demo_client(recorder, per_call_timeout=10.0) as client:
        emu.add_fault(
            Fault(method="GET", path="/configuration", count=2, status=429, retry_after="6")
        )
        with pytest.raises(errors.RateLimited):
            client.get_configuration()
        assert [e.wait for e in client.retry_log] == [6.0]


def test_each_retry_is_logged_once_readably_and_without_secrets(
    emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    redact.register_secret("9731")
    calls = 0

    def leaky_once(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return httpx.Response(503, json={"message": "carrier refused PIN 9731"})
        return emu.handle(request)

    caplog.set_level(logging.DEBUG)
    with demo_client(httpx.MockTransport(leaky_once), wait_max=0.0) as client:
        assert client.list_orders() == []
    warnings = [
        (r.name, r.getMessage())
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith(("reconciler.api", "stamina"))
    ]
    assert warnings == [
        (
            "reconciler.api.retry",
            "Porting API GET /orders/portIns failed (503); retry 1 of 4 in 0.0 s",
        )
    ]
    # What a record carries from the code (not its timestamps, pids or thread ids, which can
    # contain the digits by chance: this was flaky under load).
    carried = [
        f"{r.getMessage()} {r.args!r} {r.exc_text or ''} {r.stack_info or ''}"
        for r in caplog.records
    ]
    assert all("9731" not in text for text in carried)
