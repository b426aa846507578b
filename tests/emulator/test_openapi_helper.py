"""The response checker itself: it must catch answers that break the document."""

from __future__ import annotations

from typing import Any

import httpx

from tests.emulator.openapi import response_problems

API = "http://e/v1/projects/demo"


def answer(method: str, path: str, status: int, body: Any = None, **headers: str) -> httpx.Response:
    url = "http://e" + path if path.startswith("/oauth2") else API + path
    request = httpx.Request(method, url)
    if body is None:
        return httpx.Response(status, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


def test_a_conforming_list_answer_has_no_problems() -> None:
    body = {"orders": [], "page": 1, "totalPages": 0, "pageSize": 100, "totalItems": 0}
    assert response_problems(answer("GET", "/orders/portIns", 200, body)) == []


def test_wrong_types_in_a_documented_answer_are_caught() -> None:
    body = {"orders": [{"id": "12", "status": "WEIRD"}], "page": "1"}
    problems = response_problems(answer("GET", "/orders/portIns", 200, body))
    assert len(problems) == 3
    assert any("$.page" in p for p in problems)


def test_available_activations_must_be_a_top_level_array() -> None:
    skill_shape = {"activationGroups": [{"groupId": "g", "phoneNumbers": [], "status": "READY"}]}
    assert response_problems(
        answer("GET", "/orders/portIns/1/availableActivations", 200, skill_shape)
    )


def test_error_bodies_must_have_the_documented_flat_shape() -> None:
    good = {"code": "404", "error": "Not found", "message": "Order 1 not found"}
    assert response_problems(answer("GET", "/orders/portIns/1", 404, good)) == []
    assert response_problems(answer("GET", "/orders/portIns/1", 404, {**good, "code": 404}))
    assert response_problems(answer("GET", "/orders/portIns/1", 404, {**good, "code": "400"}))
    no_details = {"code": "422", "error": "Invalid parameters", "message": "bad"}
    assert response_problems(answer("POST", "/orders/portIns", 422, no_details))


def test_a_401_needs_an_empty_body_and_a_challenge() -> None:
    assert response_problems(answer("GET", "/orders/portIns", 401)) != []
    challenged = answer("GET", "/orders/portIns", 401, **{"WWW-Authenticate": "Bearer"})
    assert response_problems(challenged) == []


def test_skill_routes_are_checked_against_the_documents_components() -> None:
    user = dict.fromkeys(("name", "streetNum", "streetName", "city", "state", "zipCode"), "x")
    entry = {"phoneNumber": "+13125550141", "endUser": user, "portOutInfo": {}}
    good = [{"phoneNumberGroup": "GW Verizon Grp1", "phoneNumbers": [entry]}]
    assert response_problems(answer("GET", "/orders/portIns/phoneGroups/1", 200, good)) == []
    bad = [{"phoneNumberGroup": 3, "phoneNumbers": "none"}]
    assert len(response_problems(answer("GET", "/orders/portIns/phoneGroups/1", 200, bad))) == 2
    download = {"documentId": "one", "documentName": "loa.pdf"}
    assert response_problems(answer("GET", "/orders/portIns/1/documents/1", 200, download))


def test_token_answers_are_checked() -> None:
    good = {"access_token": "t", "token_type": "bearer", "expires_in": 3600, "scope": ""}
    assert response_problems(answer("POST", "/oauth2/token", 200, good)) == []
    assert response_problems(answer("POST", "/oauth2/token", 200, {"access_token": "t"}))
