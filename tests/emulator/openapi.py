"""Validate every emulator answer against the OpenAPI document, error answers included.

Built on `tests.contract.openapi_contract` (the corrected document, `$ref` resolution,
Draft 2020-12 validation) and adds what that module leaves unchecked:

* error answers: their bodies must have the flat shape of the document's "Error Messages"
  section (`FLAT_ERROR`: `code` as a string equal to the status, `error`, `message`, and
  `details.fieldViolations` on 422), and a 401 must have an empty body and `WWW-Authenticate`;
* the skill's document download path (docs/api-notes.md#document-conflicts), which must answer like
  the documented one;
* the token endpoint's OAuth2 answer.

`response_problems(response)` returns a list of human-readable problems (empty = conforms).
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from tests.contract.openapi_contract import (
    FLAT_ERROR,
    exchange_problems,
    find_operation,
    schema_errors,
)

API_PREFIX = re.compile(r"^/v1/projects/[^/]+")

TOKEN_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["access_token", "token_type", "expires_in"],
    "properties": {
        "access_token": {"type": "string", "minLength": 1},
        "token_type": {"type": "string", "pattern": "^(?i:bearer)$"},
        "expires_in": {"type": "integer", "minimum": 1},
        "scope": {"type": "string"},
    },
}

SKILL_DOCUMENT_PATH = re.compile(r"^(/orders)/portIns(/[^/]+/documents/[^/]+)$")


def _body(response: httpx.Response) -> tuple[bool, Any]:
    if not response.content:
        return False, None
    try:
        return True, json.loads(response.content)
    except ValueError:
        return True, ValueError


def error_problems(response: httpx.Response) -> list[str]:
    """Problems of a 4xx/5xx answer against the documented error shapes."""
    where = f"{response.request.method} {response.request.url.path} -> {response.status_code}"
    has_body, body = _body(response)
    if response.status_code == 401:
        problems = [] if not has_body else [f"{where}: 401 must have an empty body"]
        if "WWW-Authenticate" not in response.headers:
            problems.append(f"{where}: 401 without WWW-Authenticate")
        return problems
    if not has_body:
        return (
            []
            if response.status_code >= 500 or response.status_code == 429
            else [f"{where}: error without a body"]
        )
    if body is ValueError:
        return [f"{where}: error body is not JSON"]
    problems = [f"{where} {p}" for p in schema_errors(FLAT_ERROR, body)]
    if isinstance(body, dict):
        if body.get("code") != str(response.status_code):
            problems.append(f"{where}: body code {body.get('code')!r} differs from the status")
        if response.status_code == 422 and "details" not in body:
            problems.append(f"{where}: 422 without details.fieldViolations")
    return problems


def response_problems(response: httpx.Response) -> list[str]:
    """Everything about one emulator answer that disagrees with the document (or its errata)."""
    request = response.request
    path = request.url.path
    if path.startswith("/_emulator/"):
        return []
    if path == "/oauth2/token":
        if response.is_success:
            return [f"token {p}" for p in schema_errors(TOKEN_BODY, response.json())]
        return []
    if not response.is_success:
        return error_problems(response)
    match = API_PREFIX.match(path)
    relative = path[match.end() :] if match else path
    skill_doc = SKILL_DOCUMENT_PATH.match(relative)
    if skill_doc and match:
        # The skill's path must answer exactly like the documented one.
        documented = f"{match.group(0)}{skill_doc[1]}{skill_doc[2]}"
        request = httpx.Request(request.method, request.url.copy_with(path=documented))
    if find_operation(request.method, request.url.path) is None:
        return [f"{request.method} {path}: not an operation of the document"]
    return exchange_problems(request, response, check_requests=False)


class CheckedTransport(httpx.BaseTransport):
    """Wraps a transport; every answer's problems accumulate in `problems` (assert it empty)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.problems: list[str] = []
        self.count = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Pass the request on, then check the answer."""
        request.read()
        response = self.inner.handle_request(request)
        response.read()
        response.request = request
        self.count += 1
        self.problems += response_problems(response)
        return response

    def close(self) -> None:
        """Close the wrapped transport (its connection pool)."""
        self.inner.close()
