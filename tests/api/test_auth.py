"""OAuth2 client credentials against the emulator's token endpoint and Bearer checks."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from reconciler.api import ClientCredentials, PortingClient, StaticToken, errors
from reconciler.api.urls import InsecureURLError
from reconciler.emulator import Emulator, Fault
from tests.api.bodies import order_body
from tests.api.conftest import BASE_URL, RecordingTransport

TOKEN_URL = "http://127.0.0.1/oauth2/token"
DEMO_SECRET = "demo-secret"


class Clock:
    """A settable wall clock for the token cache."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _credentials(
    emu: Emulator, *, secret: str = DEMO_SECRET, clock: Clock | None = None
) -> ClientCredentials:
    return ClientCredentials(
        "demo-key",
        secret,
        TOKEN_URL,
        transport=emu.transport(),
        clock=clock or Clock(datetime(2026, 11, 2, 14, tzinfo=UTC)),
    )


def _client(auth: ClientCredentials | StaticToken, transport: RecordingTransport) -> PortingClient:
    return PortingClient(base_url=BASE_URL, project_id="demo", auth=auth, transport=transport)


def _statuses(emu: Emulator, path: str) -> list[int | None]:
    return [r.status for r in emu.request_log if r.path.endswith(path)]


def test_token_is_fetched_once_and_reused(emu: Emulator, recorder: RecordingTransport) -> None:
    auth = _credentials(emu)
    with _client(auth, recorder) as client:
        for _ in range(3):
            client.list_orders()
    assert auth.fetches == 1
    header = recorder.exchanges[0].request.headers["Authorization"]
    assert header.startswith("Bearer ")
    assert header != "Bearer x"


def test_an_expired_token_is_refreshed_once(emu: Emulator, recorder: RecordingTransport) -> None:
    auth = _credentials(emu)
    with _client(auth, recorder) as client:
        client.list_orders()
        emu.advance(timedelta(hours=2))  # the server's clock: our cached token is now expired
        assert client.list_orders() == []
        assert client.calls["list_orders"] == 2
    assert auth.fetches == 2
    assert _statuses(emu, "/orders/portIns") == [200, 401, 200]


def test_the_token_is_renewed_shortly_before_expiry(
    emu: Emulator, recorder: RecordingTransport
) -> None:
    clock = Clock(datetime(2026, 11, 2, 14, tzinfo=UTC))
    auth = _credentials(emu, clock=clock)
    with _client(auth, recorder) as client:
        client.list_orders()
        clock.now += timedelta(seconds=3600 - 61)
        client.list_orders()
        assert auth.fetches == 1
        clock.now += timedelta(seconds=2)  # inside the 60 s margin
        client.list_orders()
    assert auth.fetches == 2
    assert 401 not in _statuses(emu, "/orders/portIns")


def test_concurrent_callers_share_one_fetch(emu: Emulator) -> None:
    auth = _credentials(emu)
    barrier = threading.Barrier(16)
    tokens: list[str] = []

    def worker() -> None:
        barrier.wait()
        tokens.append(auth.token())

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert auth.fetches == 1
    assert len(set(tokens)) == 1


def test_wrong_secret_is_unauthorized_at_the_token_endpoint(emu: Emulator) -> None:
    auth = _credentials(emu, secret="wrong-secret-value")
    with pytest.raises(errors.Unauthorized) as caught:
        auth.token()
    assert caught.value.path == "/oauth2/token"
    assert "wrong-secret-value" not in str(caught.value)
    assert auth.fetches == 0


@pytest.mark.parametrize(
    "answer",
    [b"<html>login</html>", b'{"access_token": "t", "token_type": "mac"}', b'["t"]'],
)
def test_an_unreadable_token_answer_is_unauthorized(answer: bytes) -> None:
    """A proxy's login page or an odd token type is an API error, never a traceback."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=answer))
    auth = ClientCredentials("demo-key", DEMO_SECRET, TOKEN_URL, transport=transport)
    with pytest.raises(errors.Unauthorized, match="without a bearer access_token"):
        auth.token()


def test_token_endpoint_429_is_retried(emu: Emulator) -> None:
    emu.add_fault(Fault(method="POST", path="/oauth2/token", status=429, retry_after="3"))
    auth = _credentials(emu)
    assert auth.token()
    assert [(e.operation, e.wait) for e in auth.retry_log] == [("token", 3.0)]


def test_token_endpoint_429_gives_up_after_three_tries(emu: Emulator) -> None:
    emu.add_fault(Fault(method="POST", path="/oauth2/token", count=5, status=429))
    auth = _credentials(emu)
    with pytest.raises(errors.RateLimited):
        auth.token()
    assert _statuses(emu, "/oauth2/token") == [429, 429, 429]


def test_a_bad_static_token_is_unauthorized_without_retry(
    emu: Emulator, recorder: RecordingTransport
) -> None:
    with _client(StaticToken("not-a-token"), recorder) as client:
        with pytest.raises(errors.Unauthorized) as caught:
            client.list_orders()
        assert caught.value.status == 401
        assert client.calls["list_orders"] == 1


def test_token_url_must_be_https_unless_loopback() -> None:
    with pytest.raises(InsecureURLError, match="SINCH_AUTH_URL"):
        ClientCredentials("k", "s", "http://auth.example.com/oauth2/token")


def test_porting_url_must_be_https_unless_loopback() -> None:
    with pytest.raises(InsecureURLError, match="SINCH_PORTING_URL"):
        PortingClient(base_url="http://porting.example.com", project_id="p", auth=StaticToken("t"))


def test_credentials_do_not_show_in_repr() -> None:
    assert "secret" not in repr(ClientCredentials("k", "secret", "https://auth.sinch.com/x"))
    assert "tok" not in repr(StaticToken("tok"))


def test_a_post_after_expiry_is_re_sent_once_with_the_new_token(
    emu: Emulator, recorder: RecordingTransport
) -> None:
    auth = _credentials(emu)
    with _client(auth, recorder) as client:
        client.list_orders()
        emu.advance(timedelta(hours=2))
        created = client.create_order(order_body())
        assert [o.id for o in client.list_orders()] == [created.id]
    assert _statuses(emu, "/orders/portIns") == [200, 401, 201, 200]


def test_parallel_reads_after_expiry_share_one_refresh(
    emu: Emulator, recorder: RecordingTransport
) -> None:
    auth = _credentials(emu)
    with _client(auth, recorder) as client:
        ids = [
            client.create_order(order_body([f"+1312555{400 + i:04d}"], reference=f"p{i}")).id
            for i in range(8)
        ]
        emu.advance(timedelta(hours=2))
        assert sorted(client.get_orders(ids)) == sorted(ids)
    assert auth.fetches == 2
