"""`portctl` against a misbehaving API (issue 10 points 3, 4 and 7), through the CLI.

A hostile server (`tests.cli.hostile`) answers one endpoint badly and lets an in-memory emulator
answer the rest. Whatever it does, portctl must end in one clear error line naming the call and
the reason, within bounded time and memory, never read a wrong-shaped answer as "no orders", and
never print a credential the API echoes back.
"""

from __future__ import annotations

import base64

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
