"""One error hierarchy for everything the Porting API (or the network) can do to a call.

Callers decide on the *class*, never on parsed text: `apply` needs to tell "the server said no"
(`ApiError` subclasses by status code) from "we do not know whether it happened"
(`OutcomeUnknown`), because the second one must be followed by a lookup, never a blind re-send.

    ApiError                       status, method, path, message, field_violations
    ├── BadRequest        400
    ├── Unauthorized      401
    ├── PaymentRequired   402
    ├── NotFound          404
    ├── Conflict          409
    ├── Unprocessable     422      field_violations from `details.fieldViolations`
    ├── RateLimited       429      retry_after (seconds) when the server sent one
    ├── ServerError       5xx
    ├── UnreadableAnswer           a success whose body is not the shape portctl reads
    ├── TransportFailure           no HTTP answer, and the request provably had no effect
    │   │                          (connect error) or was a read
    │   └── DeadlineExceeded       a read with no complete answer within the request deadline
    └── OutcomeUnknown             a POST/PUT/DELETE that may have reached the server
                                   (timeout after send, reset connection, 5xx)

Messages are read from any documented body shape (docs/api-notes.md#errors) and always pass through
`reconciler.redact.scrub` and `printable` (an API's message cannot break the error line); request
bodies are never quoted, because they carry PINs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from reconciler.redact import printable, scrub


@dataclass(frozen=True)
class FieldViolation:
    """One invalid field named by a 422 answer, e.g. `phoneNumbers[0].phoneNumber`."""

    field: str
    description: str

    def __str__(self) -> str:
        return f"{self.field}: {self.description}" if self.field else self.description


class ApiError(Exception):
    """A Porting API call that did not succeed; the base of every client error."""

    def __init__(
        self,
        *,
        status: int | None,
        method: str,
        path: str,
        message: str,
        field_violations: tuple[FieldViolation, ...] | list[FieldViolation] = (),
    ) -> None:
        self.status = status
        self.method = method
        self.path = path
        self.message = printable(scrub(message))
        self.field_violations: list[FieldViolation] = [
            FieldViolation(printable(scrub(v.field)), printable(scrub(v.description)))
            for v in field_violations
        ]
        super().__init__(str(self))

    def detail(self) -> str:
        """The server's explanation: the field violations if any, else the message."""
        if self.field_violations:
            return "; ".join(str(v) for v in self.field_violations)
        return self.message

    def __str__(self) -> str:
        status = f"{self.status} " if self.status is not None else ""
        return f"{self.method} {self.path}: {status}{self.detail()}".rstrip()


class BadRequest(ApiError):
    """400: malformed JSON or a request the server could not understand."""


class Unauthorized(ApiError):
    """401: wrong key, secret, project or an expired token that could not be refreshed."""


class PaymentRequired(ApiError):
    """402: the account has no balance."""


class NotFound(ApiError):
    """404: no such order, document or configuration."""


class Conflict(ApiError):
    """409: the resource is in a state that forbids the call."""


class Unprocessable(ApiError):
    """422: invalid parameters; `field_violations` says which."""


class RateLimited(ApiError):
    """429: rate limit exceeded; the request was not processed."""

    def __init__(self, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(**kwargs)


class ServerError(ApiError):
    """5xx on a read (reads are retried first; this is what is left when retries ran out)."""


class UnreadableAnswer(ApiError):
    """A 2xx answer portctl cannot read: not JSON, or not the shape it relies on.

    For a read this is the error; for a mutation the client raises `OutcomeUnknown` instead (the
    server accepted the request, what it did is not known)."""


class TransportFailure(ApiError):
    """No HTTP answer (connect error, timeout, reset) where re-sending is harmless."""


class DeadlineExceeded(TransportFailure):
    """A read that got no complete answer within the request deadline (`PORTCTL_REQUEST_DEADLINE`):
    the server answers too slowly, it is not down; not retried (it would only take as long again).
    """


class OutcomeUnknown(ApiError):
    """A mutating call that may or may not have taken effect: look before retrying.

    `status` is the 5xx code when the server answered one, else None (timeout after the
    request was sent, connection reset, commit-then-drop).
    """


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    402: PaymentRequired,
    404: NotFound,
    409: Conflict,
    422: Unprocessable,
    429: RateLimited,
}


def error_class(status: int) -> type[ApiError]:
    """The class for an HTTP error status (unlisted 4xx map to the `ApiError` base)."""
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, ApiError)


def _json_body(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return None


def message_from_body(body: Any, fallback: str) -> str:
    """`body.error.message` -> `body.message` -> `body.error` (a string) -> `fallback`."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(body.get("message"), str) and body["message"].strip():
            return " ".join(str(body["message"]).split())
        if isinstance(error, str) and error:
            description = body.get("error_description")
            return f"{error}: {description}" if isinstance(description, str) else error
    return fallback


def _violations_in(details: Any) -> list[FieldViolation]:
    """Field violations from `details` as a dict (documented) or a google-style list."""
    found: list[FieldViolation] = []
    blocks = details if isinstance(details, list) else [details]
    for block in blocks:
        if not isinstance(block, dict):
            continue
        for item in block.get("fieldViolations") or ():
            if isinstance(item, dict):
                found.append(
                    FieldViolation(str(item.get("field", "")), str(item.get("description", "")))
                )
    return found


def violations_from_body(body: Any) -> list[FieldViolation]:
    """Field violations from the flat shape or from a wrapped `{"error": {...}}` shape."""
    if not isinstance(body, dict):
        return []
    found = _violations_in(body.get("details"))
    error = body.get("error")
    if not found and isinstance(error, dict):
        found = _violations_in(error.get("details"))
    return found


def from_response(
    response: httpx.Response, *, method: str, path: str, retry_after: float | None = None
) -> ApiError:
    """Build the matching error for an HTTP error `response` (its body is already read)."""
    body = _json_body(response)
    message = message_from_body(body, response.reason_phrase or f"HTTP {response.status_code}")
    cls = error_class(response.status_code)
    common: dict[str, Any] = {
        "status": response.status_code,
        "method": method,
        "path": path,
        "message": message,
        "field_violations": violations_from_body(body),
    }
    if cls is RateLimited:
        return RateLimited(retry_after=retry_after, **common)
    return cls(**common)
