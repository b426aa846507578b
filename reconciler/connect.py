"""From the environment (or `--emulator`) to a ready `PortingClient` (docs/design.md#cli).

Commands never read `SINCH_*` variables themselves: they take `--emulator` (the CLI's
`api_options`) and call `client_from_env`. Missing credentials end in one readable paragraph
naming the variables and the `--emulator` way out, raised as `ConnectionSettingsError`; this
module knows nothing of click (the CLI layer turns that error into exit 1). Because this
module alone knows which variables made the client, `explain_api_error` also lives here: a
refused login or an endpoint that does not answer names the variable to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import httpx

from reconciler.api import ApiError, ClientCredentials, PortingClient, RetryPolicy, StaticToken
from reconciler.api.auth import Auth
from reconciler.api.client import DEFAULT_RETRY
from reconciler.api.concurrency import DEFAULT_CEILING
from reconciler.api.errors import DeadlineExceeded, TransportFailure
from reconciler.api.limits import ExchangeLimits, LimitSettingError
from reconciler.api.urls import InsecureURLError

DEFAULT_PORTING_URL = "https://porting.api.sinch.com"
DEFAULT_AUTH_URL = "https://auth.sinch.com/oauth2/token"
DEFAULT_EMULATOR_STATE = Path(".portctl") / "emulator.json"
EMULATOR_PROJECT = "demo"
EMULATOR_TOKEN = "x"  # noqa: S105 (the emulator's documented demo token)
EMULATOR_BASE_URL = "http://localhost"
"""Never dialled: the embedded transport answers in-process."""


class ConnectionSettingsError(Exception):
    """The environment does not say how to reach the API (or says it unsafely)."""


class MissingCredentials(ConnectionSettingsError):
    """No project id, or neither an access token nor a key pair."""


def _missing_message(missing: list[str]) -> str:
    return (
        f"Cannot reach the Sinch Porting API: {' and '.join(missing)} not set. "
        "Set SINCH_PROJECT_ID and either SINCH_ACCESS_TOKEN, or SINCH_KEY_ID and "
        "SINCH_KEY_SECRET (OAuth2 client credentials); SINCH_PORTING_URL and SINCH_AUTH_URL "
        "override the endpoints. To try portctl without an account, add --emulator to run "
        "against the embedded emulator (state in .portctl/emulator.json or "
        "$PORTCTL_EMULATOR_STATE)."
    )


def _setting(environ: Mapping[str, str], name: str, default: str = "") -> str:
    """A variable as portctl reads it: surrounding blanks dropped, empty meaning unset."""
    return environ.get(name, "").strip() or default


def emulator_state_path(environ: Mapping[str, str], state_path: Path | None = None) -> Path:
    """Where the embedded emulator keeps its world: argument, $PORTCTL_EMULATOR_STATE, default."""
    if state_path is not None:
        return state_path
    configured = _setting(environ, "PORTCTL_EMULATOR_STATE")
    return Path(configured) if configured else DEFAULT_EMULATOR_STATE


def _auth_from_env(environ: Mapping[str, str]) -> Auth:
    token = _setting(environ, "SINCH_ACCESS_TOKEN")
    if token:
        return StaticToken(token)
    key_id = _setting(environ, "SINCH_KEY_ID")
    key_secret = _setting(environ, "SINCH_KEY_SECRET")
    token_url = _setting(environ, "SINCH_AUTH_URL", DEFAULT_AUTH_URL)
    return ClientCredentials(key_id, key_secret, token_url)


def client_from_env(
    *,
    emulator: bool,
    environ: Mapping[str, str],
    state_path: Path | None = None,
    retry: RetryPolicy = DEFAULT_RETRY,
    parallelism: int = DEFAULT_CEILING,
) -> PortingClient:
    """A client for the real API (per `environ`) or for the embedded emulator; at most
    `parallelism` requests in flight at once (`reconciler.api.concurrency`)."""
    try:
        limits = ExchangeLimits.from_env(environ)
    except LimitSettingError as exc:
        raise ConnectionSettingsError(str(exc)) from exc
    if emulator:
        from reconciler.emulator.embedded import EmbeddedTransport

        return PortingClient(
            base_url=EMULATOR_BASE_URL,
            project_id=EMULATOR_PROJECT,
            auth=StaticToken(EMULATOR_TOKEN),
            transport=EmbeddedTransport(emulator_state_path(environ, state_path)),
            retry=retry,
            max_parallel_reads=parallelism,
            limits=limits,
        )
    project = _setting(environ, "SINCH_PROJECT_ID")
    has_token = bool(_setting(environ, "SINCH_ACCESS_TOKEN"))
    has_keys = all(_setting(environ, k) for k in ("SINCH_KEY_ID", "SINCH_KEY_SECRET"))
    missing = [] if project else ["SINCH_PROJECT_ID"]
    if not (has_token or has_keys):
        missing.append("SINCH_ACCESS_TOKEN (or SINCH_KEY_ID + SINCH_KEY_SECRET)")
    if missing:
        raise MissingCredentials(_missing_message(missing))
    base_url = _setting(environ, "SINCH_PORTING_URL", DEFAULT_PORTING_URL)
    try:
        return PortingClient(
            base_url=base_url,
            project_id=project,
            auth=_auth_from_env(environ),
            retry=retry,
            max_parallel_reads=parallelism,
            limits=limits,
        )
    except InsecureURLError as exc:
        raise ConnectionSettingsError(str(exc)) from exc


def explain_api_error(exc: ApiError, *, emulator: bool, environ: Mapping[str, str]) -> str:
    """The error line for a failed API call, saying which setting to check when it is ours.

    A refused login (401/403) names the credential variables that were used; no answer at all
    names the URL that was dialled. Neither can happen to the embedded emulator, so with
    `--emulator` the API's own words are enough.
    """
    message = f"Porting API error: {exc}"
    if emulator or not (isinstance(exc, TransportFailure) or exc.status in (401, 403)):
        return message
    uses_token = bool(_setting(environ, "SINCH_ACCESS_TOKEN"))
    auth_url = _setting(environ, "SINCH_AUTH_URL", DEFAULT_AUTH_URL)
    at_token_endpoint = not uses_token and exc.path == httpx.URL(auth_url).path
    if at_token_endpoint:
        url, setting = auth_url, "SINCH_AUTH_URL"
    else:
        url = _setting(environ, "SINCH_PORTING_URL", DEFAULT_PORTING_URL)
        setting = "SINCH_PORTING_URL"
    if isinstance(exc, DeadlineExceeded):
        return f"{message}. {url} answers too slowly: check {setting}, or raise the deadline."
    if isinstance(exc, TransportFailure):
        return (
            f"{message}. No answer from {url}: check {setting} and that the service is up "
            "(for a local `portctl emulator serve`, that it is still running)."
        )
    project = _setting(environ, "SINCH_PROJECT_ID")
    if exc.status == 403:
        return (
            f"{message}. {url} accepted the credentials but refused access to project "
            f"{project!r}: check SINCH_PROJECT_ID and that the credentials belong to it."
        )
    if at_token_endpoint:
        refused = "SINCH_KEY_ID and SINCH_KEY_SECRET were refused by the token endpoint"
    elif uses_token:
        refused = "SINCH_ACCESS_TOKEN was refused (wrong or expired)"
    else:
        refused = "the token obtained with SINCH_KEY_ID and SINCH_KEY_SECRET was refused"
    return f"{message}. {url}: {refused}; check it and SINCH_PROJECT_ID ({project!r})."
