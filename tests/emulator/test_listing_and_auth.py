"""List paging and filters; Bearer, Basic and OAuth2 token handling on the virtual clock."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from reconciler.emulator import Emulator
from tests.emulator.conftest import create, order

Connect = Callable[..., httpx.Client]


def page(client: httpx.Client, **params: Any) -> dict[str, Any]:
    response = client.get("/orders/portIns", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def seven(client: httpx.Client, emu: Emulator) -> list[int]:
    ids = []
    for i in range(7):
        ids.append(
            create(client, order(f"+1312555{100 + i:04d}", customerOrderReference=f"r{i % 3}"))[
                "id"
            ]
        )
        emu.advance(timedelta(hours=1))
    return ids


def test_pages_are_one_based_and_cover_everything_once(
    client: httpx.Client, seven: list[int]
) -> None:
    seen = []
    for number in (1, 2, 3):
        body = page(client, pageSize=3, page=str(number))
        assert (body["page"], body["totalPages"], body["pageSize"], body["totalItems"]) == (
            number,
            3,
            3,
            7,
        )
        seen += [o["id"] for o in body["orders"]]
    assert seen == seven
    assert page(client, pageSize=3, page="4")["orders"] == []


def test_an_order_added_between_pages_is_in_the_next_page_read(
    client: httpx.Client, emu: Emulator, seven: list[int]
) -> None:
    """The unfiltered list is filtered once for all its pages (`WorldState.visible_ids`):
    an order created, or the clock moved, between two pages shows in the next one."""
    assert page(client, pageSize=3, page="1")["totalItems"] == 7
    emu.set_variants({"list-lag": "61m"})
    assert page(client, pageSize=3, page="3")["totalItems"] == 6  # the last one is an hour old
    emu.set_variants({"list-lag": "0s"})
    assert page(client, pageSize=3, page="1")["totalItems"] == 7
    added = create(client, order("+13125550199"))["id"]
    body = page(client, pageSize=3, page="3")
    assert ([o["id"] for o in body["orders"]], body["totalItems"]) == ([seven[6], added], 8)
    emu.set_clock(emu.now - timedelta(minutes=1))  # `added` was created in the future now
    assert page(client, pageSize=3, page="3")["totalItems"] == 7


def test_default_page_size_is_100_and_1000_is_the_maximum(
    client: httpx.Client, seven: list[int]
) -> None:
    assert page(client)["pageSize"] == 100
    assert page(client, pageSize=1000)["pageSize"] == 1000
    for bad in ({"pageSize": 1001}, {"pageSize": 0}, {"page": "0"}, {"page": "next"}):
        response = client.get("/orders/portIns", params=bad)
        assert response.status_code == 422, bad
        assert response.json()["details"]["fieldViolations"][0]["field"] in bad


def test_empty_list_has_no_pages(client: httpx.Client) -> None:
    assert page(client) == {
        "orders": [],
        "page": 1,
        "totalPages": 0,
        "pageSize": 100,
        "totalItems": 0,
    }


def test_filters(client: httpx.Client, emu: Emulator, seven: list[int]) -> None:
    def ids(**params: Any) -> list[int]:
        return [o["id"] for o in page(client, **params)["orders"]]

    assert ids(customerOrderReference="r1") == [seven[1], seven[4]]
    assert ids(orderId=seven[2]) == [seven[2]]
    assert ids(phoneNumber="+13125550103") == [seven[3]]
    assert (
        ids(createdDateStart="2026-11-02T16:00:00Z", createdDateEnd="2026-11-02T18:00:00Z")
        == seven[1:4]
    )
    client.delete(f"/orders/portIns/{seven[0]}")
    assert ids(orderStatus="PENDING_CANCELATION") == [seven[0]]
    emu.confirm_group(seven[5], "GW Verizon Grp1", foc_date="2026-11-20")
    assert ids(focStartDate="2026-11-19T00:00:00Z", focEndDate="2026-11-21T00:00:00Z") == [seven[5]]
    assert ids(focStartDate="2026-11-21T00:00:00Z") == []
    assert client.get("/orders/portIns", params={"orderStatus": "LOST"}).status_code == 422
    assert (
        client.get("/orders/portIns", params={"createdDateStart": "yesterday"}).status_code == 422
    )


def test_missing_or_wrong_credentials_get_an_empty_401_with_a_challenge(connect: Connect) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Token x"}):
        response = connect(**headers).get("/orders/portIns")
        assert (response.status_code, response.content) == (401, b"")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_project_in_the_path_must_match(connect: Connect) -> None:
    client = connect("http://e/v1/projects/other", Authorization="Bearer x")
    assert client.get("/orders/portIns").status_code == 401


def test_basic_auth_with_the_key_is_accepted(connect: Connect) -> None:
    good = base64.b64encode(b"demo-key:demo-secret").decode()
    bad = base64.b64encode(b"demo-key:wrong").decode()
    assert connect(Authorization=f"Basic {good}").get("/orders/portIns").status_code == 200
    assert connect(Authorization=f"Basic {bad}").get("/orders/portIns").status_code == 401


def token(connect: Connect, auth: tuple[str, str] = ("demo-key", "demo-secret")) -> httpx.Response:
    return connect("http://e").post(
        "/oauth2/token", data={"grant_type": "client_credentials"}, auth=auth
    )


def test_issued_tokens_work_until_they_expire_on_the_virtual_clock(
    emu: Emulator, connect: Connect
) -> None:
    issued = token(connect)
    assert issued.status_code == 200
    body = issued.json()
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", 3600, "")
    client = connect(Authorization=f"Bearer {body['access_token']}")
    emu.advance(timedelta(seconds=3599))
    assert client.get("/orders/portIns").status_code == 200
    emu.advance(timedelta(seconds=1))
    expired = client.get("/orders/portIns")
    assert expired.status_code == 401
    assert 'error_description="expired"' in expired.headers["WWW-Authenticate"]
    renewed = token(connect).json()["access_token"]
    assert renewed != body["access_token"]
    assert connect(Authorization=f"Bearer {renewed}").get("/orders/portIns").status_code == 200


def test_the_token_endpoint_checks_client_and_grant(connect: Connect) -> None:
    refused = token(connect, ("demo-key", "wrong"))
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    wrong_grant = connect("http://e").post(
        "/oauth2/token", data={"grant_type": "password"}, auth=("demo-key", "demo-secret")
    )
    assert wrong_grant.json()["error"] == "unsupported_grant_type"
