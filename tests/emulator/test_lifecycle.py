"""The carrier simulation through the API: every order and number status, on the virtual clock.

Clock: Monday 2026-11-02 15:00 UTC; carriers answer one business day later; FOC is the desired
port date (2026-11-12) unless that is sooner than answer + 2 days; the port happens at 09:00
US/Eastern (14:00 UTC) unless the order says otherwise.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from reconciler.emulator import Emulator, EmulatorConfig, ErrorAnswer
from tests.contract.openapi_contract import schema_errors
from tests.emulator.conftest import Hooks, create, number, order

NY_212 = "+12125550123"  # carrier TMobile
CHI_312 = "+13125550141"  # carrier Verizon
CHI_312B = "+13125550142"
TORONTO = "+14165550123"  # Canadian, carrier Telus


def get(client: httpx.Client, order_id: int) -> dict[str, Any]:
    response = client.get(f"/orders/portIns/{order_id}")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def statuses(body: dict[str, Any]) -> list[str]:
    return [n["status"] for n in body["phoneNumbers"]]


def test_create_answers_201_with_pending_numbers_in_carrier_groups(client: httpx.Client) -> None:
    created = create(client, order(NY_212, CHI_312, CHI_312B))
    assert created["status"] == "PENDING"
    assert created["createdDate"] == "2026-11-02"
    assert [n["phoneNumberGroup"] for n in created["phoneNumbers"]] == [
        "GW TMobile Grp1",
        "GW Verizon Grp1",
        "GW Verizon Grp1",
    ]
    assert {n["countryCode"] for n in created["phoneNumbers"]} == {"US"}
    assert created["desiredPortSchedule"] == {
        "desiredPortDate": "2026-11-12",
        "desiredPortTime": "09:00:00",
        "desiredPortTimeZone": "US/Eastern",
    }
    assert get(client, created["id"]) == created


def test_large_carrier_groups_are_split(hooks: Hooks) -> None:
    emu = Emulator(now=datetime(2026, 11, 2, 15, tzinfo=UTC), config=EmulatorConfig(group_size=2))
    with httpx.Client(transport=emu.transport(), base_url="http://e/v1/projects/demo") as http:
        http.headers["Authorization"] = "Bearer x"
        created = create(http, order(CHI_312, CHI_312B, "+13125550143"))
    groups = [n["phoneNumberGroup"] for n in created["phoneNumbers"]]
    assert groups == ["GW Verizon Grp1", "GW Verizon Grp1", "GW Verizon Grp2"]


def test_groups_confirm_one_business_day_later_with_foc(
    client: httpx.Client, emu: Emulator
) -> None:
    oid = create(client, order(NY_212, CHI_312))["id"]
    emu.advance(timedelta(hours=23, minutes=59))
    assert get(client, oid)["status"] == "PENDING"
    emu.advance(timedelta(minutes=1))
    body = get(client, oid)
    assert body["status"] == "CONFIRMED"
    assert statuses(body) == ["CONFIRMED", "CONFIRMED"]
    assert {n["focDate"] for n in body["phoneNumbers"]} == {"2026-11-12T00:00:00Z"}
    assert {n["confirmedDate"] for n in body["phoneNumbers"]} == {"2026-11-03T15:00:00Z"}
    listed = client.get("/orders/portIns").json()["orders"][0]
    assert (listed["status"], listed["focQuantity"]) == ("CONFIRMED", 2)


def test_weekends_are_not_business_days(hooks: Hooks) -> None:
    friday = datetime(2026, 11, 6, 15, tzinfo=UTC)
    emu = Emulator(now=friday, webhook_sender=hooks)
    with httpx.Client(transport=emu.transport(), base_url="http://e/v1/projects/demo") as http:
        http.headers["Authorization"] = "Bearer x"
        oid = create(http, order(CHI_312))["id"]
        emu.advance(timedelta(days=3) - timedelta(seconds=1))
        assert get(http, oid)["status"] == "PENDING"
        emu.advance(timedelta(seconds=1))
        body = get(http, oid)
    assert body["phoneNumbers"][0]["confirmedDate"] == "2026-11-09T15:00:00Z"


def test_foc_is_pushed_past_a_desired_date_that_is_too_soon(
    client: httpx.Client, emu: Emulator
) -> None:
    body = order(CHI_312)
    body["desiredPortSchedule"]["desiredPortDate"] = "2026-11-03"
    oid = create(client, body)["id"]
    emu.advance(timedelta(days=1))
    assert get(client, oid)["phoneNumbers"][0]["focDate"] == "2026-11-05T00:00:00Z"


def test_scheduled_order_completes_at_its_port_time_in_its_zone(
    client: httpx.Client, emu: Emulator
) -> None:
    body = order(NY_212, CHI_312)
    body["desiredPortSchedule"].update(desiredPortTime="10:30:00", desiredPortTimeZone="US/Pacific")
    oid = create(client, body)["id"]
    emu.set_clock(datetime(2026, 11, 12, 18, 29, 59, tzinfo=UTC))
    assert get(client, oid)["status"] == "CONFIRMED"
    emu.advance(timedelta(seconds=1))
    done = get(client, oid)
    assert done["status"] == "COMPLETED"
    assert statuses(done) == ["ACTIVATED", "ACTIVATED"]
    assert {n["activatedDate"] for n in done["phoneNumbers"]} == {"2026-11-12T18:30:00Z"}
    listed = client.get("/orders/portIns", params={"orderStatus": "COMPLETED"}).json()
    assert listed["orders"][0]["activatedQuantity"] == 2


def test_project_default_port_time_applies_when_the_order_has_none(
    client: httpx.Client, emu: Emulator
) -> None:
    client.post(
        "/configuration", json={"defaultPortTime": "07:00:00", "defaultPortTimeZone": "US/Central"}
    )
    oid = create(client, order(CHI_312))["id"]
    assert get(client, oid)["desiredPortSchedule"]["desiredPortTimeZone"] == "US/Central"
    emu.set_clock(datetime(2026, 11, 12, 13, 0, tzinfo=UTC))
    assert get(client, oid)["phoneNumbers"][0]["activatedDate"] == "2026-11-12T13:00:00Z"


def test_known_bad_pin_rejects_the_group_with_a_note(
    client: httpx.Client, emu: Emulator, hooks: Hooks
) -> None:
    client.post("/configuration", json={"webhookUrl": "https://hooks.example/porting"})
    oid = create(client, order(CHI_312, pin="0000"))["id"]
    emu.advance(timedelta(days=1))
    body = get(client, oid)
    assert body["status"] == "PENDING"
    assert statuses(body) == ["REJECTED"]
    assert body["phoneNumbers"][0]["rejectReason"] == "Invalid port-out PIN"
    [note] = body["notes"]
    assert note["createdBy"] == "Sinch"
    assert "Invalid port-out PIN" in note["note"]
    assert note["createdTime"] == "2026-11-03T15:00:00Z"
    assert "0000" not in note["note"]
    assert hooks.types() == ["ORDER_UPDATED", "NUMBERS_REJECTED", "NEW_ORDER_NOTE", "ORDER_UPDATED"]
    rejected = hooks[1][1]
    assert rejected == {
        "type": "NUMBERS_REJECTED",
        "orderId": str(oid),
        "phoneNumbers": [
            {"phoneNumber": CHI_312, "status": "REJECTED", "rejectReason": "Invalid port-out PIN"}
        ],
    }
    assert client.get("/orders/portIns").json()["orders"][0]["rejectedQuantity"] == 1


def test_put_that_fixes_rejected_data_resubmits_the_group(
    client: httpx.Client, emu: Emulator
) -> None:
    oid = create(client, order(CHI_312, pin="0000"))["id"]
    emu.advance(timedelta(days=1))
    fixed = client.put(f"/orders/portIns/{oid}", json=order(CHI_312, pin="1234"))
    assert fixed.status_code == 200
    assert statuses(fixed.json()) == ["PENDING"]
    assert "rejectReason" not in fixed.json()["phoneNumbers"][0]
    emu.advance(timedelta(hours=23))
    assert get(client, oid)["status"] == "PENDING"
    emu.advance(timedelta(hours=1))
    assert get(client, oid)["status"] == "CONFIRMED"


def test_put_without_a_fix_leaves_rejected_numbers_rejected(
    client: httpx.Client, emu: Emulator
) -> None:
    oid = create(client, order(CHI_312, pin="0000"))["id"]
    emu.advance(timedelta(days=1))
    again = client.put(f"/orders/portIns/{oid}", json=order(CHI_312, pin="0000"))
    assert statuses(again.json()) == ["REJECTED"]


def test_put_is_a_full_replacement_and_keeps_untouched_confirmed_groups(
    client: httpx.Client, emu: Emulator
) -> None:
    body = order(NY_212, CHI_312, pin="0000")
    body["phoneNumbers"][0]["portOutInfo"]["existingPortOutPin"] = "1234"
    body["loaUploadedBy"] = "Jane Roe"
    oid = create(client, body)["id"]
    emu.advance(timedelta(days=1))
    assert statuses(get(client, oid)) == ["CONFIRMED", "REJECTED"]
    body["phoneNumbers"][1]["portOutInfo"]["existingPortOutPin"] = "4321"
    del body["loaUploadedBy"]
    updated = client.put(f"/orders/portIns/{oid}", json=body).json()
    assert statuses(updated) == ["CONFIRMED", "PENDING"]
    assert "loaUploadedBy" not in updated
    emu.advance(timedelta(days=1))
    assert get(client, oid)["status"] == "CONFIRMED"


def test_removing_the_rejected_numbers_confirms_the_order(
    client: httpx.Client, emu: Emulator
) -> None:
    body = order(NY_212, CHI_312, pin="0000")
    body["phoneNumbers"][0]["portOutInfo"]["existingPortOutPin"] = "1234"
    oid = create(client, body)["id"]
    emu.advance(timedelta(days=1))
    body["phoneNumbers"] = body["phoneNumbers"][:1]
    assert client.put(f"/orders/portIns/{oid}", json=body).json()["status"] == "CONFIRMED"


def test_delete_cancels_after_a_delay_and_blocks_the_numbers_meanwhile(
    client: httpx.Client, emu: Emulator
) -> None:
    oid = create(client, order(CHI_312))["id"]
    deleted = client.delete(f"/orders/portIns/{oid}")
    assert (deleted.status_code, deleted.content) == (200, b"")
    assert get(client, oid)["status"] == "PENDING_CANCELATION"
    blocked = client.post("/orders/portIns", json=order(CHI_312))
    assert blocked.status_code == 422
    [violation] = blocked.json()["details"]["fieldViolations"]
    assert violation["field"] == "phoneNumbers[0].phoneNumber"
    assert str(oid) in violation["description"]
    assert "PENDING_CANCELATION" in violation["description"]
    assert client.delete(f"/orders/portIns/{oid}").status_code == 400
    emu.advance(timedelta(hours=24))
    body = get(client, oid)
    assert (body["status"], statuses(body)) == ("CANCELED", ["CANCELED"])
    assert create(client, order(CHI_312))["id"] == oid + 1


def test_a_confirmed_order_is_locked(client: httpx.Client, emu: Emulator) -> None:
    oid = create(client, order(CHI_312))["id"]
    emu.advance(timedelta(days=1))
    put = client.put(f"/orders/portIns/{oid}", json=order(CHI_312))
    assert put.status_code == 400
    assert "CONFIRMED" in put.json()["message"]
    assert client.delete(f"/orders/portIns/{oid}").status_code == 400
    assert client.post(f"/orders/portIns/{oid}/activate").status_code == 400


def on_demand(client: httpx.Client, emu: Emulator) -> tuple[int, list[str]]:
    oid = create(client, order(NY_212, CHI_312, onDemandActivation=True))["id"]
    emu.advance(timedelta(days=1))
    groups = [n["phoneNumberGroup"] for n in get(client, oid)["phoneNumbers"]]
    return oid, groups


def test_on_demand_groups_are_offered_from_their_foc_date(
    client: httpx.Client, emu: Emulator
) -> None:
    oid, groups = on_demand(client, emu)
    assert client.get(f"/orders/portIns/{oid}/availableActivations").json() == []
    early = client.post(f"/orders/portIns/{oid}/activate")
    assert early.status_code == 400
    assert "FOC" in early.json()["message"]
    emu.set_clock(datetime(2026, 11, 12, 5, 0, tzinfo=UTC))  # midnight in New York
    offered = client.get(f"/orders/portIns/{oid}/availableActivations").json()
    assert [g["phoneNumberGroup"] for g in offered] == groups
    assert offered[0]["focDate"] == "2026-11-12T00:00:00Z"
    assert offered[0]["phoneNumbers"] == [
        {"phoneNumber": NY_212, "voiceConfiguration": {"type": "EST", "trunkId": "123456"}}
    ]
    emu.advance(timedelta(days=30))
    assert get(client, oid)["status"] == "CONFIRMED", (
        "on-demand orders never activate by themselves"
    )


@pytest.mark.parametrize("key", ["phoneNumberGroups", "groupIds"])
def test_activating_each_group_completes_the_order(
    client: httpx.Client, emu: Emulator, key: str
) -> None:
    oid, groups = on_demand(client, emu)
    emu.set_clock(datetime(2026, 11, 12, 15, 0, tzinfo=UTC))
    first = client.post(f"/orders/portIns/{oid}/activate", json={key: [groups[0]]})
    assert first.json() == {
        "phoneNumberGroups": [{"phoneNumberGroup": groups[0], "status": "ACTIVATED"}]
    }
    body = get(client, oid)
    assert (body["status"], statuses(body)) == ("CONFIRMED", ["ACTIVATED", "CONFIRMED"])
    assert body["phoneNumbers"][0]["activatedDate"] == "2026-11-12T15:00:00Z"
    again = client.post(f"/orders/portIns/{oid}/activate", json={key: [groups[0]]})
    assert again.status_code == 400
    assert groups[0] in again.json()["message"]
    client.post(f"/orders/portIns/{oid}/activate", json={key: [groups[1]]})
    assert get(client, oid)["status"] == "COMPLETED"


def test_activate_without_a_body_activates_every_offered_group(
    client: httpx.Client, emu: Emulator
) -> None:
    oid, groups = on_demand(client, emu)
    emu.set_clock(datetime(2026, 11, 12, 15, 0, tzinfo=UTC))
    answer = client.post(f"/orders/portIns/{oid}/activate").json()
    assert [g["phoneNumberGroup"] for g in answer["phoneNumberGroups"]] == groups
    assert get(client, oid)["status"] == "COMPLETED"


def test_activating_a_scheduled_order_is_refused(client: httpx.Client, emu: Emulator) -> None:
    oid = create(client, order(CHI_312))["id"]
    emu.advance(timedelta(days=1))
    refused = client.post(f"/orders/portIns/{oid}/activate")
    assert refused.status_code == 400
    assert "on-demand" in refused.json()["message"]


def test_control_confirm_with_a_foc_date_and_control_reject(
    client: httpx.Client, emu: Emulator
) -> None:
    oid = create(client, order(NY_212, CHI_312))["id"]
    emu.confirm_group(oid, "GW TMobile Grp1", foc_date="2026-11-20")
    body = get(client, oid)
    assert body["phoneNumbers"][0]["focDate"] == "2026-11-20T00:00:00Z"
    assert body["status"] == "PENDING"
    emu.reject_group(oid, "GW Verizon Grp1", "Customer name mismatch")
    body = get(client, oid)
    assert statuses(body) == ["CONFIRMED", "REJECTED"]
    assert body["phoneNumbers"][1]["rejectReason"] == "Customer name mismatch"
    emu.advance(timedelta(days=5))
    assert statuses(get(client, oid)) == ["CONFIRMED", "REJECTED"], "a rejection waits for a fix"


def test_an_excluded_number_leaves_the_order_and_frees_the_number(
    client: httpx.Client, emu: Emulator, hooks: Hooks
) -> None:
    client.post("/configuration", json={"webhookUrl": "https://hooks.example/porting"})
    oid = create(client, order(NY_212, CHI_312))["id"]
    emu.reject_group(oid, "GW TMobile Grp1", "Name mismatch")
    emu.confirm_group(oid, "GW Verizon Grp1")
    hooks.clear()
    body = emu.exclude_number(oid, NY_212, "Number disconnected")
    assert body["status"] == "CONFIRMED"  # the rest of the order was confirmed already
    excluded = body["phoneNumbers"][0]
    assert excluded["status"] == "EXCLUDED"
    assert excluded["exclusionReason"] == "Number disconnected"
    assert excluded["exclusionDate"] == "2026-11-02T15:00:00Z"
    assert "rejectReason" not in excluded
    assert get(client, oid) == body
    listed = client.get("/orders/portIns").json()["orders"][0]
    assert (listed["excludedQuantity"], listed["rejectedQuantity"]) == (1, 0)
    assert "ORDER_UPDATED" in hooks.types()
    create(client, {**order(NY_212), "customerOrderReference": "elsewhere"})
    emu.advance(timedelta(days=11))
    assert statuses(get(client, oid)) == ["EXCLUDED", "ACTIVATED"]
    assert get(client, oid)["status"] == "COMPLETED"


def test_exclusion_refusals(client: httpx.Client, emu: Emulator) -> None:
    oid = create(client, order(NY_212, CHI_312))["id"]
    with pytest.raises(ErrorAnswer) as unknown:
        emu.exclude_number(oid, "+13125550199", "gone")
    assert unknown.value.status == 404
    emu.exclude_number(oid, NY_212, "gone")
    with pytest.raises(ErrorAnswer) as last:
        emu.exclude_number(oid, CHI_312, "gone")
    assert (last.value.status, "last number" in last.value.message) == (400, True)
    with pytest.raises(ErrorAnswer) as again:
        emu.exclude_number(oid, NY_212, "gone")
    assert "EXCLUDED" in again.value.message


def test_phone_groups_lists_numbers_by_group(client: httpx.Client, emu: Emulator) -> None:
    oid = create(client, order(NY_212, CHI_312, CHI_312B))["id"]
    emu.confirm_group(oid, "GW Verizon Grp1")
    groups = client.get(f"/orders/portIns/phoneGroups/{oid}").json()
    assert [(g["phoneNumberGroup"], len(g["phoneNumbers"])) for g in groups] == [
        ("GW TMobile Grp1", 1),
        ("GW Verizon Grp1", 2),
    ]
    assert "focDate" not in groups[0]
    assert groups[1]["focDate"] == "2026-11-12T00:00:00Z"


def test_canadian_numbers_get_canadian_carriers(client: httpx.Client) -> None:
    created = create(client, order(TORONTO, resellerName="Acme Wireless"))
    assert created["phoneNumbers"][0]["countryCode"] == "CA"
    assert created["phoneNumbers"][0]["phoneNumberGroup"] == "GW Telus Grp1"
    assert created["resellerName"] == "Acme Wireless"


WEBHOOK_SCHEMAS = {
    "ORDER_UPDATED": "OrderWebhookStatusEvent",
    "NUMBERS_CONFIRMED": "NumberStatusWebhookStatusEvent",
    "NUMBERS_REJECTED": "NumberStatusWebhookStatusEvent",
    "NUMBERS_ACTIVATED": "NumberStatusWebhookStatusEvent",
    "NEW_ORDER_NOTE": "NewNoteWebhookStatusEvent",
}


def test_webhooks_of_a_whole_lifecycle_match_the_documented_events(
    client: httpx.Client, emu: Emulator, hooks: Hooks
) -> None:
    client.post("/configuration", json={"webhookUrl": "https://hooks.example/porting"})
    oid = create(client, order(CHI_312))["id"]
    client.post(f"/orders/portIns/{oid}/notes", json={"note": "LOA attached"})
    emu.set_clock(datetime(2026, 11, 13, tzinfo=UTC))
    assert hooks.types() == [
        "ORDER_UPDATED",
        "NEW_ORDER_NOTE",
        "NUMBERS_CONFIRMED",
        "ORDER_UPDATED",
        "NUMBERS_ACTIVATED",
        "ORDER_UPDATED",
    ]
    assert {url for url, _ in hooks} == {"https://hooks.example/porting"}
    for _, payload in hooks:
        ref = {"$ref": f"#/components/schemas/{WEBHOOK_SCHEMAS[payload['type']]}"}
        assert schema_errors(ref, payload) == []
        assert payload["orderId"] == str(oid)
    assert "id" not in hooks[0][1]["order"]
    assert hooks[-1][1]["order"]["status"] == "COMPLETED"
    assert hooks[4][1]["phoneNumbers"] == [
        {"phoneNumber": CHI_312, "status": "ACTIVATED", "activatedDate": "2026-11-12T14:00:00Z"}
    ]
    logged = emu.to_dict()["world"]["webhookLog"]
    assert [entry["type"] for entry in logged] == hooks.types()


def test_a_failing_webhook_sender_never_fails_the_api(emu: Emulator) -> None:
    def broken(url: str, payload: dict[str, Any]) -> None:
        raise ConnectionError("receiver down")

    emu.webhook_sender = broken
    with httpx.Client(transport=emu.transport(), base_url="http://e/v1/projects/demo") as http:
        http.headers["Authorization"] = "Bearer x"
        http.post("/configuration", json={"webhookUrl": "http://127.0.0.1:9/hook"})
        assert http.post("/orders/portIns", json=order(CHI_312)).status_code == 201


def test_number_entry_helper_is_valid() -> None:
    assert number(CHI_312)["portOutInfo"]["existingPortOutPin"] == "1234"
