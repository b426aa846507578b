"""Check recorded HTTP exchanges against the shared OpenAPI document (as corrected).

For each exchange whose path is an operation of the document: the query parameters must be
documented ones with values of the documented type, the JSON request body must validate against
the operation's request schema, and a successful JSON response body must validate against the
schema of its status code. Error answers are checked by `tests.emulator.openapi` against
`FLAT_ERROR`; routes outside the document (the token endpoint, the emulator's control routes)
are not checked here.

`document()` is the published document with `DOCUMENT_CORRECTIONS` applied; every contract
check (this module, the schemathesis suite and `schemathesis_serve`) uses it, so the list of
what the document gets wrong lives in one place. Component references are resolved by
validating inside a wrapper schema that carries the document's `components`.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import yaml

OPENAPI_PATH = Path(__file__).with_name("sinch-porting-openapi.yaml")
"""A verbatim copy of Sinch's published OpenAPI document, kept in the repo so the
contract tests run on any clone (CI's clean checkout has no fixed path to shared/)."""
API_PREFIX = re.compile(r"^/v1/projects/[^/]+")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def openapi_path() -> Path:
    """The published OpenAPI document the emulator and client are checked against."""
    return OPENAPI_PATH


FLAT_ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["code", "error", "message"],
    "properties": {
        "code": {"type": "string", "pattern": "^[1-5][0-9]{2}$"},
        "error": {"type": "string", "minLength": 1},
        "message": {"type": "string", "minLength": 1},
        "details": {
            "type": "object",
            "required": ["fieldViolations"],
            "properties": {
                "fieldViolations": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["field", "description"],
                        "properties": {
                            "field": {"type": "string", "minLength": 1},
                            "description": {"type": "string", "minLength": 1},
                        },
                    },
                }
            },
        },
    },
}
"""The flat error object of the document's "Error Messages" prose (docs/api-notes.md#errors)."""

ERROR_STATUSES = ("400", "404", "405", "409", "422")
"""Error statuses with a flat JSON body that the emulator answers on API operations."""

DOCUMENT_CORRECTIONS: dict[str, str] = {
    "components.schemas.OrderStatus.enum": (
        "lists PENDING, CONFIRMED, COMPLETED, CANCELED only; its own x-enumDescriptions define "
        "ORDER_BUILDING and the skill (and docs/design.md#domain-rules) add "
        "PENDING_CANCELATION, which a cancel passes through: both are added"
    ),
    "paths.*.*.responses": (
        "only 200/201 are listed, although the document's own Error Messages section describes "
        "400/402/404/422/429/500 with a flat body `{code (a string), error, message, "
        "details.fieldViolations}` and 401 with an empty body: every operation gets "
        f"{'/'.join(ERROR_STATUSES)} with that body (405 for a method the path lacks, 409 for "
        "a second POST /configuration) and an empty 401"
    ),
    "paths./orders/portIns/phoneGroups/{orderId}": (
        "the skill's endpoint is absent; its answer is the document's otherwise unused "
        "PhoneNumberGroupItem, as an array (docs/api-notes.md#document-conflicts): added"
    ),
}
"""Where the document is wrong or silent and the checks follow the other sources (with why).

Also wrong but harmless to the checks: the 400 example body says `"code": "404"`, and nothing
lists `Retry-After` on 429 (the emulator sends it when a fault asks for one).
"""


@cache
def raw_document() -> dict[str, Any]:
    """The OpenAPI document exactly as published, parsed once."""
    loaded: dict[str, Any] = yaml.safe_load(openapi_path().read_text(encoding="utf-8"))
    return loaded


def _phone_groups_operation() -> dict[str, Any]:
    groups = {"type": "array", "items": {"$ref": "#/components/schemas/PhoneNumberGroupItem"}}
    return {
        "get": {
            "operationId": "getPhoneGroups",
            "summary": "Numbers by activation group (skill-only endpoint)",
            "parameters": [
                {"in": "path", "name": "orderId", "required": True, "schema": {"type": "number"}}
            ],
            "responses": {
                "200": {
                    "description": "Successful operation",
                    "content": {"application/json": {"schema": groups}},
                }
            },
        }
    }


@cache
def document() -> dict[str, Any]:
    """The document with `DOCUMENT_CORRECTIONS` applied (a copy; `raw_document` is untouched)."""
    fixed = copy.deepcopy(raw_document())
    schemas = fixed["components"]["schemas"]
    schemas["OrderStatus"]["enum"] = [
        *schemas["OrderStatus"]["enum"],
        "ORDER_BUILDING",
        "PENDING_CANCELATION",
    ]
    schemas["FlatError"] = FLAT_ERROR
    fixed["paths"]["/orders/portIns/phoneGroups/{orderId}"] = _phone_groups_operation()
    error = {
        "description": "The documented flat error object (Error Messages section)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FlatError"}}},
    }
    for operations in fixed["paths"].values():
        for method, operation in operations.items():
            if method in ("get", "put", "post", "delete", "patch"):
                responses = operation["responses"]
                for status in ERROR_STATUSES:
                    responses.setdefault(status, error)
                responses.setdefault("401", {"description": "Unauthorized (empty body)"})
    return fixed


@dataclass(frozen=True)
class Operation:
    """One documented operation, found by method and concrete path."""

    template: str
    method: str
    spec: dict[str, Any]

    def parameters(self) -> dict[str, dict[str, Any]]:
        """Query parameters by name, `$ref`s resolved."""
        found: dict[str, dict[str, Any]] = {}
        for param in self.spec.get("parameters", []):
            resolved = resolve(param)
            if resolved.get("in") == "query":
                found[resolved["name"]] = resolved
        return found

    def request_schema(self) -> dict[str, Any] | None:
        body = self.spec.get("requestBody")
        if body is None:
            return None
        schema = resolve(body).get("content", {}).get("application/json", {}).get("schema")
        return schema if isinstance(schema, dict) else None

    def response_schema(self, status: int) -> tuple[bool, dict[str, Any] | None]:
        """(documented?, schema) for a status code."""
        responses = self.spec.get("responses", {})
        response = responses.get(str(status))
        if response is None:
            return False, None
        schema = resolve(response).get("content", {}).get("application/json", {}).get("schema")
        return True, schema if isinstance(schema, dict) else None


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local `$ref` (`#/components/...`) to its target."""
    seen = 0
    while "$ref" in node and seen < 10:
        target: Any = document()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node, seen = target, seen + 1
    return node


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    compiled = []
    for template in document()["paths"]:
        pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
        compiled.append((re.compile(pattern), template))
    # Literal segments win over parameters (`/orders/portIns` before `/orders/{orderId}`).
    compiled.sort(key=lambda item: item[1].count("{"))
    return compiled


def find_operation(method: str, path: str) -> Operation | None:
    """The documented operation for an absolute request path, or None."""
    match = API_PREFIX.match(path)
    if match is None:
        return None
    relative = path[match.end() :] or "/"
    for pattern, template in _templates():
        if pattern.match(relative):
            spec = document()["paths"][template].get(method.lower())
            if spec is not None:
                return Operation(template, method.upper(), spec)
    return None


_VALIDATORS: dict[int, tuple[dict[str, Any], jsonschema.Draft202012Validator]] = {}
"""Compiled validators by `id(schema)`; the schema is kept alongside so its id stays unique.
Schemas come from the cached `document()` or module constants, so this stays small."""


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    cached = _VALIDATORS.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    wrapper = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": document()["components"],
        "allOf": [schema],
    }
    validator = jsonschema.Draft202012Validator(wrapper)
    _VALIDATORS[id(schema)] = (schema, validator)
    return validator


def schema_errors(schema: dict[str, Any], instance: Any) -> list[str]:
    """JSON Schema 2020-12 errors of `instance`, refs resolved against the document."""
    validator = _validator(schema)
    return [
        f"{e.json_path}: {e.message[:200]}"
        for e in sorted(validator.iter_errors(instance), key=lambda e: e.json_path)
    ]


def _query_problems(operation: Operation, url: httpx.URL) -> list[str]:
    problems = []
    documented = operation.parameters()
    for name, value in url.params.multi_items():
        param = documented.get(name)
        if param is None:
            problems.append(f"query parameter {name!r} is not documented")
            continue
        schema = resolve(param.get("schema", {}))
        kind = schema.get("type")
        if kind in ("number", "integer"):
            try:
                number = float(value)
            except ValueError:
                problems.append(f"query {name}={value!r} is not a {kind}")
                continue
            low, high = schema.get("minimum"), schema.get("maximum")
            if (low is not None and number < low) or (high is not None and number > high):
                problems.append(f"query {name}={value} is outside {low}..{high}")
        elif schema.get("format") == "date-time" and not _DATE_TIME.match(value):
            problems.append(f"query {name}={value!r} is not a date-time")
        elif "enum" in schema and value not in schema["enum"]:
            problems.append(f"query {name}={value!r} is not one of {schema['enum']}")
    return problems


def _json(content: bytes) -> tuple[bool, Any]:
    if not content:
        return False, None
    try:
        return True, json.loads(content)
    except ValueError:
        return True, ValueError


def exchange_problems(
    request: httpx.Request, response: httpx.Response | None, *, check_requests: bool = True
) -> list[str]:
    """Everything about one exchange that disagrees with the document."""
    operation = find_operation(request.method, request.url.path)
    if operation is None:
        return []
    where = f"{request.method} {operation.template}"
    problems: list[str] = []
    if check_requests:
        problems += [f"{where} request: {p}" for p in _query_problems(operation, request.url)]
        has_body, body = _json(request.content)
        schema = operation.request_schema()
        if body is ValueError:
            problems.append(f"{where} request: body is not JSON")
        elif has_body and schema is not None:
            problems += [f"{where} request {p}" for p in schema_errors(schema, body)]
        elif has_body and schema is None:
            problems.append(f"{where} request: a body was sent but none is documented")
    if response is not None and response.is_success:
        documented, schema = operation.response_schema(response.status_code)
        has_body, body = _json(response.content)
        if not documented:
            problems.append(f"{where}: status {response.status_code} is not documented")
        elif body is ValueError:
            problems.append(f"{where} response: body is not JSON")
        elif schema is not None:
            if not has_body:
                problems.append(f"{where} response: empty body, a JSON body is documented")
            else:
                problems += [f"{where} response {p}" for p in schema_errors(schema, body)]
    return problems


def contract_problems(
    exchanges: Iterable[tuple[httpx.Request, httpx.Response | None]], *, check_requests: bool = True
) -> list[str]:
    """All contract problems of a sequence of exchanges, in order."""
    problems: list[str] = []
    for request, response in exchanges:
        problems += exchange_problems(request, response, check_requests=check_requests)
    return problems
