"""Error answers in the flat shape the porting docs show (`code` is a string).

Handlers raise `ErrorAnswer`; the dispatcher turns it into a response. 422 carries
`details.fieldViolations`. Messages never echo secret values (PINs, account numbers): the
validators only ever name the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx

REASONS: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment required",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    422: "Invalid parameters",
    429: "Too many requests",
    500: "Internal service error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


@dataclass(frozen=True)
class FieldViolation:
    """One invalid request field, as `{"field", "description"}` on the wire."""

    field: str
    description: str


class ErrorAnswer(Exception):
    """An error answer: status, message and (for 422) the field violations.

    Named apart from `reconciler.api.ApiError`, which is what the *client* raises on reading
    such an answer.
    """

    def __init__(
        self,
        status: int,
        message: str,
        violations: list[FieldViolation] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.violations = violations or []
        self.headers = headers or {}


def invalid(violations: list[FieldViolation]) -> ErrorAnswer:
    """A 422 naming every violation (the message summarises the first few)."""
    summary = "; ".join(f"{v.field}: {v.description}" for v in violations[:3])
    more = f" (+{len(violations) - 3} more)" if len(violations) > 3 else ""
    return ErrorAnswer(422, f"Invalid parameters: {summary}{more}", violations)


def error_body(status: int, message: str, violations: list[FieldViolation] | None = None) -> bytes:
    """The documented flat error object, serialised."""
    body: dict[str, object] = {
        "code": str(status),
        "error": REASONS.get(status, "Error"),
        "message": message,
    }
    if violations:
        body["details"] = {
            "fieldViolations": [
                {"field": v.field, "description": v.description} for v in violations
            ]
        }
    return json.dumps(body).encode()


def error_response(error: ErrorAnswer) -> httpx.Response:
    """Turn an `ErrorAnswer` into a response; 401 has an empty body, as the docs say."""
    headers = {**error.headers}
    if error.status == 401:
        return httpx.Response(401, headers=headers)
    headers["Content-Type"] = "application/json"
    return httpx.Response(
        error.status,
        headers=headers,
        content=error_body(error.status, error.message, error.violations),
    )
