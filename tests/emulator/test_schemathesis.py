"""Schemathesis against `emulator serve` with the shared OpenAPI document.

The document lists no error responses at all (only 200/201), although its "Error Messages"
section documents 400, 401, 402, 404, 422, 429 and 500; and its `OrderStatus` enum lacks
PENDING_CANCELATION. The run therefore uses the document with those corrections applied (the
`OrderStatus` fix of `tests.contract.openapi_contract`, plus the documented flat error object on
every operation, plus the skill-only `phoneGroups` route), and requires: no 5xx, only
documented status codes, and every body conforming to its schema.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import Emulator
from reconciler.emulator.server import running
from tests.contract.openapi_contract import document
from tests.emulator.conftest import START
from tests.emulator.openapi import ERROR_BODY

METHODS = ("get", "put", "post", "delete", "patch")
ERROR_STATUSES = ("400", "404", "405", "409", "422")


def corrected_document() -> dict[str, Any]:
    """The shared document plus its own documented errors and the skill-only route."""
    doc = copy.deepcopy(document())
    doc["components"]["schemas"]["FlatError"] = ERROR_BODY
    error = {
        "description": "Documented error object (Error Messages section)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FlatError"}}},
    }
    doc["paths"]["/orders/portIns/phoneGroups/{orderId}"] = {
        "get": {
            "operationId": "getPhoneGroups",
            "parameters": [
                {"in": "path", "name": "orderId", "required": True, "schema": {"type": "number"}}
            ],
            "responses": {
                "200": {
                    "description": "Numbers by activation group (skill-only endpoint)",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/PhoneNumberGroupItem"},
                            }
                        }
                    },
                }
            },
        }
    }
    for operations in doc["paths"].values():
        for method, operation in operations.items():
            if method in METHODS:
                for status in ERROR_STATUSES:
                    operation["responses"].setdefault(status, error)
                operation["responses"]["401"] = {"description": "Unauthorized, empty body"}
    return doc


@pytest.mark.slow
def test_schemathesis_finds_no_server_errors_and_no_nonconforming_answers(tmp_path: Path) -> None:
    spec = tmp_path / "porting-openapi.json"
    spec.write_text(json.dumps(corrected_document()))
    with running(Emulator(now=START)) as url:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                str(spec),
                "--url",
                f"{url}/v1/projects/demo",
                "--header",
                "Authorization: Bearer x",
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,"
                "response_schema_conformance,response_headers_conformance",
                "--phases",
                "examples,coverage,fuzzing",
                "--max-examples",
                "4",
                "--seed",
                "20261102",
                "--generation-deterministic",
                "--workers",
                "1",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=240,
            cwd=tmp_path,
            check=False,
        )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "passed" in run.stdout
