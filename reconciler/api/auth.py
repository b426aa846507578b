"""Credentials for the Porting API, as httpx auth flows.

Two ways in (docs/design.md#cli): a ready access token (`SINCH_ACCESS_TOKEN`), or a key pair
exchanged for a bearer token through OAuth2 client credentials (`SINCH_KEY_ID` +
`SINCH_KEY_SECRET`). The second behaves like the Sinch SDKs (docs/api-notes.md#auth): the token is
cached until 60 s before it expires, concurrent callers share one refresh, a 401 whose
`WWW-Authenticate` says the token expired triggers one refresh and one re-send, and a 429 from the
token endpoint is retried (3 tries, full jitter, `Retry-After` honoured).

Every credential value is registered for scrubbing (`reconciler.redact`) the moment it is known:
the static token, the key secret, the `base64(key:secret)` of the Basic header and each token the
endpoint hands out, so an API that echoes one in an error message never gets it printed. Only a
single character is too short to scrub without mangling output (the emulator's demo token `x`).
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import stamina

from reconciler import __version__
from reconciler.api import errors
from reconciler.api.limits import (
    AnswerTooLarge,
    ExchangeLimits,
    bounded_exchange,
    enforce_deadlines,
    ran_out,
)
from reconciler.api.retry import (
    TOKEN_RETRY_POLICY,
    CallRetries,
    RetryBudget,
    RetryEvent,
    RetryPolicy,
    parse_retry_after,
)
from reconciler.api.urls import require_secure_url
from reconciler.redact import register_secret

REFRESH_MARGIN = timedelta(seconds=60)
"""A cached token is replaced this long before it expires."""
TOKEN_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
TOKEN_LIMITS = ExchangeLimits(deadline=30.0, max_answer_bytes=64 * 1024)
"""A token answer is a few hundred bytes; its exchange gets 30 s (and no more than the API request
it happens inside)."""
DEFAULT_TOKEN_LIFETIME = 3600
"""Seconds a token is trusted when the endpoint does not say (`expires_in` is optional)."""


MIN_SCRUBBED_CREDENTIAL = 2
"""Credentials at least this long are registered for scrubbing (`reconciler.redact`)."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def register_credential(value: str) -> None:
    """Have `reconciler.redact.scrub` remove `value` from any output from now on."""
    if len(value) >= MIN_SCRUBBED_CREDENTIAL:
        register_secret(value)


def says_expired(response: httpx.Response) -> bool:
    """A 401 whose `WWW-Authenticate` says the token expired (worth one refresh)."""
    header = response.headers.get("WWW-Authenticate", "")
    return response.status_code == 401 and "expired" in header.lower()


class Auth(httpx.Auth):
    """Base of portctl's credentials; each sets `Authorization` on every API request.

    The body is not read up front: portctl's bodies can be sent again as they are (JSON bytes,
    or a re-iterable `DocumentBody` streamed from disk), and reading would load a streamed
    document into memory whole.
    """

    requires_request_body = False


class StaticToken(Auth):
    """A bearer token given from outside (`SINCH_ACCESS_TOKEN`); it cannot be refreshed."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("an access token must not be empty")
        register_credential(token)
        self._token = token

    def __repr__(self) -> str:
        return "StaticToken(***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the bearer header."""
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


@dataclass(frozen=True)
class _Token:
    value: str
    expires_at: datetime


class ClientCredentials(Auth):
    """OAuth2 client credentials: Basic key id/secret -> cached, shared bearer token."""

    def __init__(
        self,
        key_id: str,
        key_secret: str,
        token_url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], datetime] = _utcnow,
        retry: RetryPolicy = TOKEN_RETRY_POLICY,
        limits: ExchangeLimits = TOKEN_LIMITS,
    ) -> None:
        require_secure_url(token_url, what="SINCH_AUTH_URL")
        register_credential(key_secret)
        basic = base64.b64encode(f"{key_id}:{key_secret}".encode()).decode("ascii")
        register_credential(basic)
        self._token_url = token_url
        self._http = httpx.Client(
            auth=httpx.BasicAuth(key_id, key_secret),
            transport=transport,
            timeout=TOKEN_TIMEOUT,
            headers={"User-Agent": f"portctl/{__version__}"},
        )
        enforce_deadlines(self._http)
        self._limits = limits
        self._clock = clock
        self._retry = retry
        self._budget = RetryBudget(retry.run_budget_seconds)
        self._lock = threading.Lock()
        self._token: _Token | None = None
        self.fetches = 0
        """How many tokens were fetched (tests and `--stats`)."""
        self.retry_log: list[RetryEvent] = []

    def __repr__(self) -> str:
        return f"ClientCredentials(token_url={self._token_url!r})"

    def close(self) -> None:
        """Close the token endpoint's connection pool."""
        self._http.close()

    def token(self) -> str:
        """A valid bearer token, fetched once and shared by every thread until near expiry."""
        with self._lock:
            current = self._token
            if current is None or self._clock() >= current.expires_at - REFRESH_MARGIN:
                current = self._token = self._fetch()
            return current.value

    def invalidate(self, value: str) -> None:
        """Forget `value` if it is still the cached token (another thread may have renewed)."""
        with self._lock:
            if self._token is not None and self._token.value == value:
                self._token = None

    def _fetch(self) -> _Token:
        hook = CallRetries(
            policy=self._retry,
            budget=self._budget,
            operation="token",
            record=self.retry_log.append,
        )
        for attempt in stamina.retry_context(
            on=hook, attempts=self._retry.attempts, timeout=self._retry.per_call_timeout
        ):
            with attempt:
                return self._fetch_once()
        raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover

    def _fetch_once(self) -> _Token:
        path = httpx.URL(self._token_url).path
        form = {"grant_type": "client_credentials"}
        try:
            response = bounded_exchange(
                self._http, self._limits, "POST", self._token_url, data=form
            )
        except httpx.TransportError as exc:
            if ran_out(exc):
                raise errors.DeadlineExceeded(
                    status=None, method="POST", path=path, message=self._limits.deadline_message()
                ) from exc
            raise errors.TransportFailure(
                status=None, method="POST", path=path, message=type(exc).__name__
            ) from exc
        except AnswerTooLarge as exc:
            raise errors.ApiError(
                status=exc.status, method="POST", path=path, message=str(exc)
            ) from exc
        if response.status_code != 200:
            retry_after = parse_retry_after(
                response.headers.get("Retry-After"), now=self._retry.clock()
            )
            raise errors.from_response(response, method="POST", path=path, retry_after=retry_after)
        try:
            body = response.json()
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else {}
        value = body.get("access_token")
        kind = str(body.get("token_type", "bearer"))
        lifetime = body.get("expires_in") or DEFAULT_TOKEN_LIFETIME
        if (
            not isinstance(value, str)
            or not value
            or kind.lower() != "bearer"
            or not isinstance(lifetime, int | float)
        ):
            raise errors.Unauthorized(
                status=response.status_code,
                method="POST",
                path=path,
                message="the token endpoint answered without a bearer access_token and lifetime",
            )
        register_credential(value)
        self.fetches += 1
        return _Token(value, self._clock() + timedelta(seconds=lifetime))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Bearer header; on a 401 "expired", one refresh and one re-send."""
        token = self.token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if says_expired(response):
            self.invalidate(token)
            request.headers["Authorization"] = f"Bearer {self.token()}"
            yield request
