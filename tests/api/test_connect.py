"""`client_from_env`: environment variables (docs/design.md#cli) and the embedded `--emulator`."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler import redact
from reconciler.api import ClientCredentials, StaticToken
from reconciler.connect import (
    ConnectionSettingsError,
    MissingCredentials,
    client_from_env,
)
from tests.api.bodies import order_body


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({}, "SINCH_PROJECT_ID and SINCH_ACCESS_TOKEN"),
        ({"SINCH_PROJECT_ID": "p"}, "SINCH_ACCESS_TOKEN (or SINCH_KEY_ID + SINCH_KEY_SECRET)"),
        ({"SINCH_PROJECT_ID": "p", "SINCH_KEY_ID": "k"}, "SINCH_ACCESS_TOKEN"),
        ({"SINCH_ACCESS_TOKEN": "t"}, "SINCH_PROJECT_ID not set"),
    ],
)
def test_missing_credentials_is_one_paragraph_naming_the_way_out(
    environ: dict[str, str], named: str
) -> None:
    with pytest.raises(MissingCredentials) as caught:
        client_from_env(emulator=False, environ=environ)
    message = str(caught.value)
    assert named in message
    assert "--emulator" in message
    assert "SINCH_KEY_SECRET" in message
    assert "\n" not in message


def test_access_token_wins_and_is_registered_as_a_secret() -> None:
    environ = {"SINCH_PROJECT_ID": "p1", "SINCH_ACCESS_TOKEN": "tok-123456789", "SINCH_KEY_ID": "k"}
    with client_from_env(emulator=False, environ=environ) as client:
        assert isinstance(client.auth, StaticToken)
        assert client.project_id == "p1"
    assert redact.scrub("Bearer tok-123456789") == "Bearer ***"


def test_key_pair_uses_client_credentials_at_the_auth_url() -> None:
    environ = {
        "SINCH_PROJECT_ID": "p1",
        "SINCH_KEY_ID": "key",
        "SINCH_KEY_SECRET": "a-long-key-secret",
        "SINCH_AUTH_URL": "http://127.0.0.1:9/oauth2/token",
        "SINCH_PORTING_URL": "http://localhost:8787",
    }
    with client_from_env(emulator=False, environ=environ) as client:
        assert isinstance(client.auth, ClientCredentials)
    assert "a-long-key-secret" not in redact.scrub("x a-long-key-secret y")


@pytest.mark.parametrize("variable", ["SINCH_PORTING_URL", "SINCH_AUTH_URL"])
def test_plain_http_to_a_remote_host_is_refused(variable: str) -> None:
    environ = {
        "SINCH_PROJECT_ID": "p1",
        "SINCH_KEY_ID": "key",
        "SINCH_KEY_SECRET": "secret",
        variable: "http://porting.example.com",
    }
    with pytest.raises(ConnectionSettingsError, match=variable):
        client_from_env(emulator=False, environ=environ)


def test_emulator_mode_keeps_one_world_in_the_state_file(tmp_path: Path) -> None:
    state = tmp_path / "emulator.json"
    environ = {"PORTCTL_EMULATOR_STATE": str(state)}
    with client_from_env(emulator=True, environ=environ) as client:
        created = client.create_order(order_body())
    assert state.exists()
    with client_from_env(emulator=True, environ={}, state_path=state) as client:
        assert [o.id for o in client.list_orders()] == [created.id]
        assert client.project_id == "demo"


def test_emulator_mode_ignores_real_credentials(tmp_path: Path) -> None:
    environ = {
        "PORTCTL_EMULATOR_STATE": str(tmp_path / "e.json"),
        "SINCH_PORTING_URL": "http://porting.example.com",
    }
    with client_from_env(emulator=True, environ=environ) as client:
        assert client.list_orders() == []
