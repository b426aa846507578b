"""The OAuth2 token endpoint and credential checks of the emulated API.

Accepted on API routes: `Authorization: Bearer <token>` with a configured static token or a
token issued by `POST /oauth2/token` that has not expired on the virtual clock, or HTTP Basic
with the configured key id and secret. A missing or bad credential gets 401 with an empty body
and a `WWW-Authenticate` header; an expired issued token says `error_description="expired"`,
which is what the Sinch SDKs look for before refreshing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx

from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.errors import ErrorAnswer

INVALID = 'Bearer realm="sinch", error="invalid_token"'
EXPIRED = 'Bearer realm="sinch", error="invalid_token", error_description="expired"'
MISSING = 'Bearer realm="sinch", Basic realm="sinch"'


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(user, password) of a `Basic` Authorization header, or None."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return (user, password) if sep else None


class Tokens:
    """Issued tokens and their expiry on the virtual clock (JSON-safe)."""

    def __init__(self, *, seed: int) -> None:
        self.seed = seed
        self.issued: dict[str, str] = {}
        self.counter = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {"issued": dict(self.issued), "counter": self.counter}

    def load(self, data: dict[str, Any]) -> None:
        """Restore `to_dict` output."""
        self.issued = dict(data.get("issued", {}))
        self.counter = int(data.get("counter", 0))

    def issue(
        self, request: httpx.Request, *, now: datetime, config: EmulatorConfig
    ) -> httpx.Response:
        """POST /oauth2/token: Basic client credentials + `grant_type=client_credentials`."""
        creds = basic_credentials(request.headers.get("Authorization", ""))
        form = parse_qs(request.content.decode(errors="replace"))
        if creds is None:
            creds = (form.get("client_id", [""])[0], form.get("client_secret", [""])[0])
        if creds != (config.client_id, config.client_secret):
            return oauth_error(401, "invalid_client", "Client authentication failed")
        if form.get("grant_type", [""])[0] != "client_credentials":
            return oauth_error(400, "unsupported_grant_type", "Use grant_type=client_credentials")
        self.counter += 1
        token = hashlib.sha256(f"emulator:{self.seed}:{self.counter}".encode()).hexdigest()
        expires = now + timedelta(seconds=config.token_lifetime_seconds)
        self.issued = {t: e for t, e in self.issued.items() if datetime.fromisoformat(e) > now}
        self.issued[token] = expires.isoformat()
        body = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": config.token_lifetime_seconds,
            "scope": "",
        }
        return httpx.Response(200, json=body, headers={"Cache-Control": "no-store"})

    def check(self, request: httpx.Request, *, now: datetime, config: EmulatorConfig) -> str:
        """The caller's identity (key id or "api"), or raise a 401 `ErrorAnswer`."""
        header = request.headers.get("Authorization", "")
        if not header:
            raise ErrorAnswer(401, "missing credentials", headers={"WWW-Authenticate": MISSING})
        creds = basic_credentials(header)
        if creds is not None:
            if creds == (config.client_id, config.client_secret):
                return config.client_id
            raise ErrorAnswer(401, "bad credentials", headers={"WWW-Authenticate": MISSING})
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ErrorAnswer(401, "bad credentials", headers={"WWW-Authenticate": INVALID})
        if token in config.static_tokens:
            return "api"
        expiry = self.issued.get(token)
        if expiry is None:
            raise ErrorAnswer(401, "unknown token", headers={"WWW-Authenticate": INVALID})
        if datetime.fromisoformat(expiry) <= now:
            raise ErrorAnswer(401, "expired token", headers={"WWW-Authenticate": EXPIRED})
        return config.client_id


def oauth_error(status: int, code: str, description: str) -> httpx.Response:
    """An OAuth-style error body (`error`, `error_description`)."""
    body = json.dumps({"error": code, "error_description": description}).encode()
    return httpx.Response(status, content=body, headers={"Content-Type": "application/json"})
