"""`portctl` against a misbehaving API (issue 10 points 3, 4 and 7), through the CLI.

A hostile server (`tests.cli.hostile`) answers one endpoint badly and lets an in-memory emulator
answer the rest. Whatever it does, portctl must end in one clear error line naming the call and
the reason, within bounded time and memory, never read a wrong-shaped answer as "no orders", and
never print a credential the API echoes back.
"""

from __future__ import annotations

import base64
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import stamina

from reconciler.emulator import Emulator
from tests.cli import test_error_ux
from tests.cli.hostile import Reply, Seen, emulated, serve
from tests.cli.test_error_ux import _clean_environment, portctl, spec_args

__all__ = ["_clean_environment"]  # the autouse fixture: clean SINCH_* env, no retry sleeps


@pytest.fixture(autouse=True)
def _own_specs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A private copy of the example specs: apply locks the workspace its specs are in, so tests
    applying the repository's own `specs/` in parallel workers would refuse each other."""
    copy = tmp_path / "specs"
    shutil.copytree(test_error_ux.SPECS, copy)
    monkeypatch.setattr(test_error_ux, "SPECS", copy)


def _echo_credentials(request: Seen) -> Reply | None:
    """Every API call and the token endpoint answer with the credentials they were sent."""
    authorization = request.headers.get("Authorization", "")
    if request.path.endswith("/oauth2/token"):
        if authorization.startswith("Basic "):
            return Reply(json={"access_token": "oauth-issued-7f3a", "token_type": "bearer"})
        return Reply(401, json={"message": f"bad credentials {authorization}"})
    return Reply(400, json={"message": f"unexpected header: {authorization}"})


def use_api(monkeypatch: pytest.MonkeyPatch, url: str, **settings: str) -> None:
    """Point portctl at `url` as project demo with the emulator's token, plus `settings`."""
    monkeypatch.setenv("SINCH_PORTING_URL", url)
    monkeypatch.setenv("SINCH_PROJECT_ID", "demo")
    monkeypatch.setenv("SINCH_ACCESS_TOKEN", "x")
    for name, value in settings.items():
        monkeypatch.setenv(name, value)


def _use_oauth(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """Point portctl at `url` as project demo with OAuth key credentials (token from `url`)."""
    monkeypatch.setenv("SINCH_PORTING_URL", url)
    monkeypatch.setenv("SINCH_AUTH_URL", f"{url}/oauth2/token")
    monkeypatch.setenv("SINCH_PROJECT_ID", "demo")
    monkeypatch.setenv("SINCH_KEY_ID", "portctl-key")
    monkeypatch.setenv("SINCH_KEY_SECRET", "s3cret")


def test_a_short_static_token_echoed_by_the_api_is_not_printed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve(_echo_credentials) as api:
        use_api(monkeypatch, api.url, SINCH_ACCESS_TOKEN="tok42")
        code, out, err = portctl(capsys, *spec_args(["plan"]))

    assert code == 1
    assert "unexpected header: Bearer ***" in err
    assert "tok42" not in out + err


def test_an_oauth_token_echoed_by_the_api_is_not_printed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve(_echo_credentials) as api:
        _use_oauth(monkeypatch, api.url)
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
        _use_oauth(monkeypatch, api.url)
        code, out, err = portctl(capsys, *spec_args(["plan"]))
        assert api.seen[0].headers["Authorization"] == f"Basic {basic}"

    assert code == 1
    assert "bad credentials Basic ***" in err
    assert basic not in out + err
    assert "s3cret" not in out + err


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
    stamina.set_testing(True, attempts=5)  # retries allowed: the deadline must not be retried
    with serve(on_order_list(reply)) as api:
        use_api(monkeypatch, api.url, PORTCTL_REQUEST_DEADLINE="1")
        started = time.monotonic()
        code, out, err = portctl(capsys, *spec_args(["plan"]))
        elapsed = time.monotonic() - started
        listed = [s for s in api.seen if s.method == "GET" and "/portIns" in s.path]

    assert code == 1
    assert out == ""
    assert "GET /orders/portIns: no complete answer within 1 s" in err
    assert "PORTCTL_REQUEST_DEADLINE" in err
    assert f"{api.url} answers too slowly" in err
    assert err.count("\n") == 1
    assert len(listed) == 1
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


WRONG_LISTS = {
    "empty-object": Reply(json={}),
    "orders-not-a-list": Reply(json={"orders": "nope"}),
    "rows-not-objects": Reply(json={"orders": [1, "x"], "totalPages": 1}),
    "row-without-id": Reply(json={"orders": [{"status": "PENDING"}], "totalPages": 1}),
    "an-array": Reply(json=[]),
    "not-json": Reply(raw=b"<html>maintenance</html>"),
}


@pytest.mark.parametrize("reply", WRONG_LISTS.values(), ids=WRONG_LISTS.keys())
@pytest.mark.parametrize("command", [["plan"], ["apply", "--auto-approve"], ["drift"], ["status"]])
def test_a_wrong_shaped_order_list_is_an_error_never_no_orders(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    reply: Reply,
    command: list[str],
) -> None:
    with serve(on_order_list(reply)) as api:
        use_api(monkeypatch, api.url)
        code, out, err = portctl(capsys, *spec_args(command))
        created = [s for s in api.seen if s.method == "POST" and s.path.endswith("/portIns")]

    assert code == 1
    assert out == ""  # no plan proposing to create orders that may exist
    assert created == []
    assert "Error: Porting API error: GET /orders/portIns: 200 " in err
    assert "expected" in err or "not valid JSON" in err
    assert err.count("\n") == 1


def _apply_examples(capsys: pytest.CaptureFixture[str], emulator: Emulator) -> None:
    """Create the example specs' orders in `emulator` (through the CLI, over the socket)."""
    with serve(lambda _: None, emulator) as api, pytest.MonkeyPatch.context() as patch:
        use_api(patch, api.url)
        code, _, _ = portctl(capsys, *spec_args(["apply", "--auto-approve"]))
    assert code == 0


WRONG_ORDERS: dict[str, tuple[dict[str, object], str]] = {
    "numbers-not-a-list": ({"phoneNumbers": "nope"}, "phoneNumbers"),
    "number-not-an-object": ({"phoneNumbers": ["+13125550101"]}, "phoneNumbers.0"),
    "number-without-number": ({"phoneNumbers": [{"status": "PENDING"}]}, "phoneNumbers.0"),
    "notes-not-a-list": ({"notes": "LOA signed"}, "notes"),
    "schedule-not-an-object": ({"desiredPortSchedule": "2027-01-19"}, "desiredPortSchedule"),
}


@pytest.mark.parametrize(("change", "field"), WRONG_ORDERS.values(), ids=WRONG_ORDERS.keys())
def test_a_wrong_shaped_order_is_an_error_naming_the_field(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    change: dict[str, object],
    field: str,
) -> None:
    emulator = Emulator()
    _apply_examples(capsys, emulator)

    def garble(request: Seen) -> Reply | None:
        if request.method != "GET" or "/portIns/" not in request.path:
            return None
        real = emulated(emulator, request)
        return Reply(real.status_code, json={**real.json(), **change})

    with serve(garble, emulator) as api:
        use_api(monkeypatch, api.url)
        code, out, err = portctl(capsys, *spec_args(["plan"]))

    assert code == 1
    assert out == ""
    assert "Error: Porting API error: GET /orders/portIns/" in err
    assert f"({field}" in err
    assert "internal error" not in err


def test_an_unreadable_answer_to_a_create_is_unknown_and_resolved_by_lookup(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator = Emulator()

    def garbled_create(request: Seen) -> Reply | None:
        if request.method == "POST" and request.path.endswith("/orders/portIns"):
            real = emulated(emulator, request)  # the order IS created
            return Reply(real.status_code, json={"orders": "nope"})
        return None

    with serve(garbled_create, emulator) as api:
        use_api(monkeypatch, api.url)
        code, out, err = portctl(capsys, *spec_args(["apply", "--auto-approve"]))

    assert code == 0
    assert "Error" not in err
    assert "0 failed, 0 unknown" in out
    assert out.count("order created (answer lost; a re-read shows it took effect)") == 4
    assert len(emulator.world.orders) == 4  # found, never created twice
