"""Schemathesis against a served emulator, driven by the shared OpenAPI document.

The emulator is served over HTTP exactly as `portctl emulator serve` serves it (same server
class, `reconciler.emulator.server.running`). For every operation of the document schemathesis
generates requests (a few examples each, derandomized, so the run is bounded and repeatable)
and checks that the emulator never answers 5xx, that documented answers conform to their
schemas and content types, and, as a report, which status codes it uses that the document
never lists (`UNDOCUMENTED`): the document lists only 200/201, so every error status the
reference §6 describes is "undocumented" for schemathesis. That gap is the document's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from reconciler.emulator import Emulator
from reconciler.emulator.server import running
from tests.api.conftest import START
from tests.contract.openapi_contract import document

DOCUMENTED_ERROR_STATUSES = frozenset({400, 401, 402, 404, 409, 422, 429})
"""Statuses reference §6 documents in prose (the OpenAPI `responses` never list them)."""
UNDOCUMENTED: dict[str, set[int]] = {}


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with running(Emulator(now=START, project_id="demo", seed=0), port=0) as base_url:
        yield f"{base_url}/v1/projects/demo"
    # Visible with `pytest -s`: what the document fails to list, per operation.
    for label, statuses in sorted(UNDOCUMENTED.items()):
        print(f"undocumented by the OpenAPI document: {label} -> {sorted(statuses)}")


schema = schemathesis.openapi.from_dict(document(), config=SchemathesisConfig())


@schema.parametrize()
@settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_emulator_conforms(case: Any, served: str) -> None:
    response = case.call(base_url=served, headers={"Authorization": "Bearer x"}, timeout=5)
    if case.method.upper() != case.operation.method.upper():
        # Schemathesis probes methods the path does not have (TRACE, ...): 405, or 501 for a
        # method the server does not implement at all (RFC 9110 §15.6.2), is the right answer.
        assert response.status_code in (405, 501), f"{case.method} {case.path}"
        return
    case.validate_response(
        response,
        checks=[
            checks.not_a_server_error,
            checks.response_schema_conformance,
            checks.content_type_conformance,
        ],
    )
    status = response.status_code
    documented = case.operation.definition.raw.get("responses", {})
    if str(status) not in documented:
        UNDOCUMENTED.setdefault(case.operation.label, set()).add(status)
        assert status in DOCUMENTED_ERROR_STATUSES, f"{case.operation.label}: status {status}"
