"""The contract checker itself: it must catch what it claims to catch."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.api.bodies import order_body
from tests.contract.openapi_contract import (
    contract_problems,
    exchange_problems,
    find_operation,
    raw_document,
)

ROOT = "http://127.0.0.1/v1/projects/demo"


def _request(method: str, path: str, body: Any = None, **params: str) -> httpx.Request:
    content = None if body is None else json.dumps(body).encode()
    return httpx.Request(method, ROOT + path, params=params or None, content=content)


def _response(request: httpx.Request, status: int, body: Any = None) -> httpx.Response:
    content = b"" if body is None else json.dumps(body).encode()
    return httpx.Response(status, content=content, request=request)


def test_operations_are_found_with_literal_segments_first() -> None:
    listing = find_operation("GET", "/v1/projects/demo/orders/portIns")
    assert listing is not None
    assert listing.template == "/orders/portIns"
    doc = find_operation("GET", "/v1/projects/demo/orders/12/documents/3")
    assert doc is not None
    assert doc.template == "/orders/{orderId}/documents/{documentId}"
    groups = find_operation("GET", "/v1/projects/demo/orders/portIns/phoneGroups/1")
    assert groups is not None  # skill-only, added by DOCUMENT_CORRECTIONS
    assert groups.template == "/orders/portIns/phoneGroups/{orderId}"
    assert find_operation("POST", "/oauth2/token") is None


def test_a_valid_create_passes() -> None:
    request = _request("POST", "/orders/portIns", order_body())
    assert exchange_problems(request, None) == []


def test_a_create_without_numbers_fails() -> None:
    body = order_body()
    del body["phoneNumbers"]
    (problem,) = exchange_problems(_request("POST", "/orders/portIns", body), None)
    assert "'phoneNumbers' is a required property" in problem


def test_query_parameters_are_checked() -> None:
    request = _request(
        "GET",
        "/orders/portIns",
        pageSize="5000",
        orderStatus="LOST",
        createdDateStart="2026-11-02",
        reference="x",
    )
    problems = exchange_problems(request, None)
    assert len(problems) == 4
    assert any("'reference' is not documented" in p for p in problems)
    assert any("pageSize=5000 is outside 1..1000" in p for p in problems)
    assert any("createdDateStart" in p for p in problems)
    assert any("orderStatus='LOST'" in p for p in problems)


def test_responses_are_checked_against_the_status_schema() -> None:
    request = _request("GET", "/orders/portIns/12")
    good = _response(request, 200, {"id": 12, "desiredPortSchedule": {"desiredPortDate": "x"}})
    bad = _response(request, 200, {"id": "twelve", "desiredPortSchedule": {}})
    undocumented = _response(request, 204)
    assert contract_problems([(request, good)]) == []
    assert len(contract_problems([(request, bad)])) == 2
    assert contract_problems([(request, undocumented)]) == [
        "GET /orders/portIns/{orderId}: status 204 is not documented"
    ]


def test_a_body_on_a_bodiless_operation_is_flagged() -> None:
    request = _request("DELETE", "/orders/portIns/12", {"why": "no"})
    assert exchange_problems(request, None) == [
        "DELETE /orders/portIns/{orderId} request: a body was sent but none is documented"
    ]


def test_the_published_order_status_enum_lacks_pending_cancelation() -> None:
    """Why `DOCUMENT_CORRECTIONS` exists: the raw document rejects a status the API uses."""
    enum = raw_document()["components"]["schemas"]["OrderStatus"]["enum"]
    assert "PENDING_CANCELATION" not in enum
    request = _request("GET", "/orders/portIns/12")
    canceling = _response(
        request,
        200,
        {
            "id": 12,
            "status": "PENDING_CANCELATION",
            "desiredPortSchedule": {"desiredPortDate": "x"},
        },
    )
    assert contract_problems([(request, canceling)]) == []
