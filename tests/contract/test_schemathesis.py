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

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from reconciler.emulator import Emulator
from reconciler.emulator.server import running
from tests.api.bodies import order_body
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
    emu = Emulator(now=START, project_id="demo", seed=0)
    with running(emu, port=0) as base_url:
        root = f"{base_url}/v1/projects/demo"
        with httpx.Client(base_url=root, headers={"Authorization": "Bearer x"}) as http:
            order_id = http.post("/orders/portIns", json=order_body(on_demand=True)).json()["id"]
            http.post(
                f"/orders/portIns/{order_id}/documents",
                json={"documentName": "loa.pdf", "fileContent": "JVBERi0="},
            )
        SEEDED["orderId"] = order_id
        yield root


SEEDED: dict[str, int] = {}
"""Path parameters of an order that exists, so generated requests reach more than a 404."""


def aim_at_seeded_order(case: Any) -> None:
    """Point a generated non-negative `orderId`/`documentId` at the seeded order and document.

    Other generated values (negative numbers, strings) are kept: they must get a 4xx."""
    params = case.path_parameters or {}
    for name, real in (("orderId", SEEDED["orderId"]), ("documentId", 1)):
        if name in params and _non_negative(params[name]):
            params[name] = real


def _non_negative(value: object) -> bool:
    try:
        return float(str(value)) >= 0
    except ValueError:
        return False


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
    aim_at_seeded_order(case)
    response = case.call(base_url=served, headers={"Authorization": "Bearer x"}, timeout=5)
    if case.method.upper() != case.operation.method.upper():
        # Probes of methods the path does not have (TRACE, ...): 405 is the right answer.
        assert response.status_code == 405, f"{case.method} {case.path}"
        return
    case.validate_response(response, checks=CHECKS)
