"""`portctl` against a misbehaving API (issue 10 points 3, 4 and 7), through the CLI.

A hostile server (`tests.cli.hostile`) answers one endpoint badly and lets an in-memory emulator
answer the rest. Whatever it does, portctl must end in one clear error line naming the call and
the reason, within bounded time and memory, never read a wrong-shaped answer as "no orders", and
never print a credential the API echoes back.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable

import pytest

from tests.cli.hostile import Reply, Seen, serve
from tests.cli.test_error_ux import _clean_environment, portctl, spec_args

__all__ = ["_clean_environment"]  # the autouse fixture: clean SINCH_* env, no retry sleeps


def _echo_credentials(request: Seen) -> Reply | None:
    """Every API call and the token endpoint answer with the credentials they were sent."""
    authorization = request.headers.get("Authorization", "")
    if request.path.endswith("/oauth2/token"):
        if authorization.startswith("Basic "):
            return Reply(json={"access_token": "oauth-issued-7f3a", "token_type": "bearer"})
        return Reply(401, json={"message": f"bad credentials {authorization}"})
    return Reply(400, json={"message": f"unexpected header: {authorization}"})


def test_a_short_static_token_echoed_by_the_api_is_not_printed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve(_echo_credentials) as api:
        monkeypatch.setenv("SINCH_PORTING_URL", api.url)
        monkeypatch.setenv("SINCH_PROJECT_ID", "demo")
        monkeypatch.setenv("SINCH_ACCESS_TOKEN", "tok42")
        code, out, err = portctl(capsys, *spec_args(["plan"]))

    assert code == 1
    assert "unexpected header: Bearer ***" in err
    assert "tok42" not in out + err


def test_an_oauth_token_echoed_by_the_api_is_not_printed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve(_echo_credentials) as api:
        monkeypatch.setenv("SINCH_PORTING_URL", api.url)
        monkeypatch.setenv("SINCH_AUTH_URL", f"{api.url}/oauth2/token")
        monkeypatch.setenv("SINCH_PROJECT_ID", "demo")
        monkeypatch.setenv("SINCH_KEY_ID", "portctl-key")
        monkeypatch.setenv("SINCH_KEY_SECRET", "s3cret")
        code, out, err = portctl(capsys, *spec_args(["plan"]))

    assert code == 1
    assert "unexpected header: Bearer ***" in err
    assert "oauth-issued-7f3a" not in out + err


def test_the_basic_credentials_echoed_by_the_token_endpoint_are_not_printed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    basic = base64.b64encode(b"portctl-key:s3cret").decode()

    def refuse_echoing(request: Seen) -> Reply:
        return Reply(401, json={"message": f"bad credentials {request.headers['Authorization']}"})

    with serve(refuse_echoing) as api:
        monkeypatch.setenv("SINCH_PORTING_URL", api.url)
        monkeypatch.setenv("SINCH_AUTH_URL", f"{api.url}/oauth2/token")
        monkeypatch.setenv("SINCH_PROJECT_ID", "demo")
        monkeypatch.setenv("SINCH_KEY_ID", "portctl-key")
        monkeypatch.setenv("SINCH_KEY_SECRET", "s3cret")
        code, out, err = portctl(capsys, *spec_args(["plan"]))
        assert api.seen[0].headers["Authorization"] == f"Basic {basic}"

    assert code == 1
    assert "bad credentials Basic ***" in err
    assert basic not in out + err
    assert "s3cret" not in out + err


def use_api(monkeypatch: pytest.MonkeyPatch, url: str, **settings: str) -> None:
    """Point portctl at `url` as project demo with the emulator's token, plus `settings`."""
    monkeypatch.setenv("SINCH_PORTING_URL", url)
    monkeypatch.setenv("SINCH_PROJECT_ID", "demo")
    monkeypatch.setenv("SINCH_ACCESS_TOKEN", "x")
    for name, value in settings.items():
        monkeypatch.setenv(name, value)


def on_order_list(reply: Reply) -> Callable[[Seen], Reply | None]:
    """`reply` to the order list; every other call is the emulator's."""

    def app(request: Seen) -> Reply | None:
        listing = request.method == "GET" and request.path.split("?")[0].endswith("/portIns")
        return reply if listing else None

    return app


EMPTY_LIST = {"orders": [], "page": 1, "pageSize": 1000, "totalItems": 0, "totalPages": 0}


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers-and-body"])
def test_a_server_trickling_its_answer_is_cut_off_at_the_request_deadline(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, headers_too: bool
) -> None:
    # One byte every 0.2 s: each read succeeds, so only an overall deadline ends it (the whole
    # answer would take about 20 s).
    reply = Reply(json=EMPTY_LIST, trickle_seconds=0.2, trickle_headers=headers_too)
    with serve(on_order_list(reply)) as api:
        use_api(monkeypatch, api.url, PORTCTL_REQUEST_DEADLINE="1")
        started = time.monotonic()
        code, out, err = portctl(capsys, *spec_args(["plan"]))
        elapsed = time.monotonic() - started

    assert code == 1
    assert out == ""
    assert "GET /orders/portIns: no complete answer within 1 s" in err
    assert "PORTCTL_REQUEST_DEADLINE" in err
    assert err.count("\n") == 1
    assert elapsed < 6


def test_an_answer_declared_over_the_cap_is_refused_unread(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    reply = Reply(raw=json.dumps(EMPTY_LIST).encode() + b" " * 2_000_000)
    with serve(on_order_list(reply)) as api:
        use_api(monkeypatch, api.url, PORTCTL_MAX_ANSWER_BYTES="1000000")
        code, out, err = portctl(capsys, *spec_args(["plan"]))

    assert code == 1
    assert out == ""
    assert "GET /orders/portIns" in err
    assert "the answer is larger than 1000000 bytes (PORTCTL_MAX_ANSWER_BYTES)" in err


def test_an_endless_answer_is_streamed_and_cut_at_the_cap_not_read_into_memory(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    reply = Reply(json=EMPTY_LIST, filler=100_000_000)  # valid JSON: trailing blanks
    with serve(on_order_list(reply)) as api:
        use_api(monkeypatch, api.url, PORTCTL_MAX_ANSWER_BYTES="1000000")
        code, out, err = portctl(capsys, *spec_args(["plan"]))
        sent = api.filler_sent

    assert code == 1
    assert out == ""
    assert "the answer is larger than 1000000 bytes (PORTCTL_MAX_ANSWER_BYTES)" in err
    assert sent < 20_000_000  # portctl hung up soon after the cap, socket buffers aside


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("PORTCTL_REQUEST_DEADLINE", "soon", "must be a number of seconds greater than 0"),
        ("PORTCTL_REQUEST_DEADLINE", "0", "must be a number of seconds greater than 0"),
        ("PORTCTL_MAX_ANSWER_BYTES", "1.5", "must be a whole number of bytes greater than 0"),
    ],
)
def test_an_unusable_limit_setting_is_named(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str,
    expected: str,
) -> None:
    monkeypatch.setenv(name, value)

    code, out, err = portctl(capsys, *spec_args(["plan"]), "--emulator")

    assert code == 1
    assert out == ""
    assert f"{name} {expected}, not {value!r}" in err
