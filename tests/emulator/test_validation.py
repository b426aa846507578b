"""Request validation: 422 with `fieldViolations`, 400 for malformed JSON, 404, 405."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from reconciler.emulator import Emulator
from tests.emulator.conftest import create, number, order

CHI = "+13125550141"
Mutation = Callable[[dict[str, Any]], None]


def violations(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["code"], body["error"]) == ("422", "Invalid parameters")
    return {v["field"]: v["description"] for v in body["details"]["fieldViolations"]}


def first(body: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = body["phoneNumbers"][0]
    return entry


CASES: list[tuple[str, Mutation, str]] = [
    (
        "not E.164",
        lambda b: first(b).update(phoneNumber="3125550141"),
        "phoneNumbers[0].phoneNumber",
    ),
    (
        "invalid NANP",
        lambda b: first(b).update(phoneNumber="+12311234567"),
        "phoneNumbers[0].phoneNumber",
    ),
    (
        "UK number",
        lambda b: first(b).update(phoneNumber="+442071838750"),
        "phoneNumbers[0].phoneNumber",
    ),
    ("no numbers", lambda b: b.update(phoneNumbers=[]), "phoneNumbers"),
    ("no schedule", lambda b: b.pop("desiredPortSchedule"), "desiredPortSchedule"),
    (
        "bad date",
        lambda b: b["desiredPortSchedule"].update(desiredPortDate="2026-13-01"),
        "desiredPortSchedule.desiredPortDate",
    ),
    (
        "bad zone",
        lambda b: b["desiredPortSchedule"].update(desiredPortTimeZone="Europe/Paris"),
        "desiredPortSchedule.desiredPortTimeZone",
    ),
    (
        "bad time",
        lambda b: b["desiredPortSchedule"].update(desiredPortTime="9am"),
        "desiredPortSchedule.desiredPortTime",
    ),
    (
        "future authorizingDate",
        lambda b: first(b)["portOutInfo"].update(authorizingDate="2026-11-03"),
        "phoneNumbers[0].portOutInfo.authorizingDate",
    ),
    ("no end user", lambda b: first(b).pop("endUser"), "phoneNumbers[0].endUser"),
    ("no city", lambda b: first(b)["endUser"].pop("city"), "phoneNumbers[0].endUser.city"),
    (
        "empty zip",
        lambda b: first(b)["endUser"].update(zipCode=" "),
        "phoneNumbers[0].endUser.zipCode",
    ),
    (
        "state spelled out",
        lambda b: first(b)["endUser"].update(state="California"),
        "phoneNumbers[0].endUser.state",
    ),
    (
        "bad typeOfService",
        lambda b: first(b)["endUser"].update(typeOfService="X"),
        "phoneNumbers[0].endUser.typeOfService",
    ),
    ("no portOutInfo", lambda b: first(b).pop("portOutInfo"), "phoneNumbers[0].portOutInfo"),
    (
        "EST without trunkId",
        lambda b: first(b).update(voiceConfiguration={"type": "EST", "appId": "x"}),
        "phoneNumbers[0].voiceConfiguration.trunkId",
    ),
    (
        "unknown voice type",
        lambda b: first(b).update(voiceConfiguration={"type": "SIP"}),
        "phoneNumbers[0].voiceConfiguration.type",
    ),
    (
        "long reference",
        lambda b: b.update(customerOrderReference="r" * 101),
        "customerOrderReference",
    ),
    (
        "reference not a string",
        lambda b: b.update(customerOrderReference=7),
        "customerOrderReference",
    ),
    ("onDemand not a bool", lambda b: b.update(onDemandActivation="yes"), "onDemandActivation"),
    (
        "Canadian without reseller",
        lambda b: b["phoneNumbers"].append(number("+14165550123")),
        "resellerName",
    ),
    (
        "duplicate number",
        lambda b: b["phoneNumbers"].append(number(CHI)),
        "phoneNumbers[1].phoneNumber",
    ),
]


@pytest.mark.parametrize(("mutate", "field"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_orders_get_422_naming_the_field(
    client: httpx.Client, mutate: Mutation, field: str
) -> None:
    body = order(CHI)
    mutate(body)
    assert field in violations(client.post("/orders/portIns", json=body))


def test_every_violation_is_reported_at_once(client: httpx.Client) -> None:
    body = order(CHI, "+13125550142")
    body["phoneNumbers"][0]["endUser"].pop("name")
    body["phoneNumbers"][1]["phoneNumber"] = "+1"
    body["customerOrderReference"] = "x" * 200
    assert set(violations(client.post("/orders/portIns", json=body))) == {
        "phoneNumbers[0].endUser.name",
        "phoneNumbers[1].phoneNumber",
        "customerOrderReference",
    }


def test_more_than_500_numbers_are_refused(client: httpx.Client) -> None:
    body = order(*[f"+1312555{i:04d}" for i in range(501)])
    assert "phoneNumbers" in violations(client.post("/orders/portIns", json=body))
    assert create(client, order(*[f"+1312555{i:04d}" for i in range(500)]))["status"] == "PENDING"


def test_violations_never_echo_the_pin(client: httpx.Client) -> None:
    body = order(CHI, pin="8642")
    body["phoneNumbers"][0]["portOutInfo"]["authorizingDate"] = "2099-01-01"
    response = client.post("/orders/portIns", json=body)
    assert response.status_code == 422
    assert "8642" not in response.text


def test_authorizing_date_today_in_new_york_is_accepted(
    client: httpx.Client, emu: Emulator
) -> None:
    emu.set_clock(emu.now.replace(hour=3))  # 22:00 on Nov 1 in New York, Nov 2 in UTC
    body = order(CHI)
    body["phoneNumbers"][0]["portOutInfo"]["authorizingDate"] = "2026-11-02"
    assert "phoneNumbers[0].portOutInfo.authorizingDate" in violations(
        client.post("/orders/portIns", json=body)
    )
    emu.advance(timedelta(hours=2))
    assert create(client, body)["status"] == "PENDING"


def test_read_only_and_unknown_fields_are_ignored(client: httpx.Client) -> None:
    body = order(CHI)
    body.update(id=1, status="COMPLETED", createdDate="2020-01-01", notes=[{"note": "x"}], extra=1)
    first(body).update(status="ACTIVATED", phoneNumberGroup="mine", focDate="2020-01-01")
    created = create(client, body)
    assert (created["status"], created["createdDate"], created["notes"]) == (
        "PENDING",
        "2026-11-02",
        [],
    )
    assert created["id"] != 1
    assert "extra" not in created
    assert first(created)["status"] == "PENDING"
    assert first(created)["phoneNumberGroup"] == "GW Verizon Grp1"
    assert "focDate" not in first(created)


def test_numbers_on_a_live_order_are_refused_naming_the_order(client: httpx.Client) -> None:
    held = create(client, order(CHI))["id"]
    refused = violations(client.post("/orders/portIns", json=order("+13125550142", CHI)))
    assert refused == {"phoneNumbers[1].phoneNumber": f"{CHI} is already on order {held} (PENDING)"}


def test_non_portable_numbers_fail_the_whole_order(client: httpx.Client, emu: Emulator) -> None:
    emu.mark_nonportable([CHI])
    assert violations(client.post("/orders/portIns", json=order(CHI, "+13125550142"))) == {
        "phoneNumbers[0].phoneNumber": f"{CHI} is not portable"
    }
    assert client.get("/orders/portIns").json()["totalItems"] == 0


def test_portability_check_reports_each_number(client: httpx.Client, emu: Emulator) -> None:
    emu.mark_nonportable(["+13125550142"])
    answer = client.post(
        "/portabilityChecks",
        json={"phoneNumbers": [CHI, "+13125550142", "+442071838750", "+14165550123"]},
    ).json()["phoneNumbers"]
    assert [(a["phoneNumber"], a["portable"]) for a in answer] == [
        (CHI, True),
        ("+13125550142", False),
        ("+442071838750", False),
        ("+14165550123", True),
    ]
    assert answer[0]["carrier"] == "Verizon"
    assert "reason" not in answer[0]
    assert answer[1]["reason"]
    assert answer[2]["reason"]
    assert "phoneNumbers[0]" in violations(
        client.post("/portabilityChecks", json={"phoneNumbers": ["12345"]})
    )


@pytest.mark.parametrize("content", [b"{", b'{"phoneNumbers": [', b"\xff\xfe", b""])
def test_malformed_json_is_a_400(client: httpx.Client, content: bytes) -> None:
    response = client.post(
        "/orders/portIns", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "400"


def test_unknown_orders_documents_and_routes_are_404(client: httpx.Client) -> None:
    oid = create(client, order(CHI))["id"]
    assert client.get("/orders/portIns/424242").status_code == 404
    assert client.get("/orders/portIns/not-a-number").status_code == 404
    assert client.put("/orders/portIns/424242", json=order(CHI)).status_code == 404
    assert client.delete("/orders/portIns/424242").status_code == 404
    assert client.post("/orders/portIns/424242/notes", json={"note": "x"}).status_code == 404
    assert client.get(f"/orders/{oid}/documents/99").status_code == 404
    assert client.get("/orders/portIns/424242/availableActivations").status_code == 404
    assert client.get("/nothing/here").status_code == 404


def test_wrong_method_is_a_405_with_allow(client: httpx.Client) -> None:
    response = client.patch("/orders/portIns")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "POST"}


def test_put_validates_like_create(client: httpx.Client) -> None:
    oid = create(client, order(CHI))["id"]
    body = order(CHI)
    body["phoneNumbers"][0]["endUser"].pop("state")
    assert "phoneNumbers[0].endUser.state" in violations(
        client.put(f"/orders/portIns/{oid}", json=body)
    )
    other = create(client, order("+13125550142"))["id"]
    clash = violations(client.put(f"/orders/portIns/{oid}", json=order(CHI, "+13125550142")))
    assert str(other) in clash["phoneNumbers[1].phoneNumber"]


def test_configuration_lifecycle_and_validation(client: httpx.Client) -> None:
    assert client.get("/configuration").status_code == 404
    assert client.put("/configuration", json={}).status_code == 404
    body = {
        "contact": {"name": "Ops", "email": "ops@example.com", "phone": "+15559999"},
        "webhookUrl": "https://hooks.example/porting",
        "defaultPortTime": "08:00:00",
        "defaultPortTimeZone": "US/Mountain",
    }
    assert client.post("/configuration", json=body).json() == body
    assert client.post("/configuration", json=body).status_code == 409
    assert client.get("/configuration").json() == body
    assert client.put("/configuration", json={"webhookUrl": "https://x.example"}).json() == {
        "webhookUrl": "https://x.example"
    }
    bad = violations(
        client.put(
            "/configuration", json={"defaultPortTime": "25:00:00", "defaultPortTimeZone": "X"}
        )
    )
    assert set(bad) == {"defaultPortTime", "defaultPortTimeZone"}


def test_notes_and_documents(client: httpx.Client) -> None:
    oid = create(client, order(CHI))["id"]
    note = client.post(f"/orders/portIns/{oid}/notes", json={"note": "LOA attached"})
    assert note.json() == {"id": 1, "note": "LOA attached"}
    assert "note" in violations(client.post(f"/orders/portIns/{oid}/notes", json={"note": ""}))
    upload = client.post(
        f"/orders/portIns/{oid}/documents",
        json={"documentName": "loa.pdf", "description": "LOA", "fileContent": "JVBERi0xLjQK"},
    )
    assert upload.json() == {"id": 1, "documentName": "loa.pdf", "description": "LOA"}
    for path in (f"/orders/{oid}/documents/1", f"/orders/portIns/{oid}/documents/1"):
        assert client.get(path).json() == {
            "documentId": 1,
            "id": 1,
            "documentName": "loa.pdf",
            "description": "LOA",
            "fileContent": "JVBERi0xLjQK",
            "contentType": "application/pdf",
        }
    body = client.get(f"/orders/portIns/{oid}").json()
    assert body["documents"] == [{"id": 1, "documentName": "loa.pdf", "description": "LOA"}]
    assert body["notes"][0]["note"] == "LOA attached"
    assert body["notes"][0]["createdTime"] == "2026-11-02T15:00:00Z"
    bad = violations(
        client.post(
            f"/orders/portIns/{oid}/documents", json={"documentName": "x", "fileContent": "%%"}
        )
    )
    assert bad == {"fileContent": "must be valid base64"}
