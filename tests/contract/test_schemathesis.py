"""Schemathesis against a served emulator, driven by the corrected OpenAPI document.

The emulator is served over HTTP by the server class `portctl emulator serve` uses
(`reconciler.emulator.server.running`). For every operation of `document()` (the committed copy
of the published document with `DOCUMENT_CORRECTIONS` applied: the missing PENDING_CANCELATION
status, the error answers the document describes only in prose, the skill-only `phoneGroups`
route) schemathesis generates a few requests (derandomized, so the run is bounded and
repeatable) and checks that the emulator never answers 5xx, answers only documented status
codes, and that every answer matches its documented schema and content type.

The same checks run against a real `portctl emulator serve` process, with more examples and
the stateful phase, through `python -m tests.contract.schemathesis_serve`.
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

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.response_schema_conformance,
    checks.content_type_conformance,
]


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with running(Emulator(now=START, project_id="demo", seed=0), port=0) as base_url:
        yield f"{base_url}/v1/projects/demo"


schema = schemathesis.openapi.from_dict(document(), config=SchemathesisConfig())


@schema.parametrize()
@settings(
    max_examples=5,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_emulator_conforms(case: Any, served: str) -> None:
    response = case.call(base_url=served, headers={"Authorization": "Bearer x"}, timeout=5)
    if case.method.upper() != case.operation.method.upper():
        # Probes of methods the path does not have (TRACE, ...): 405 is the right answer.
        assert response.status_code == 405, f"{case.method} {case.path}"
        return
    case.validate_response(response, checks=CHECKS)
