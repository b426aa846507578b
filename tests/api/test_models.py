"""Live models: unknown fields, statuses and date shapes tolerated; raw JSON kept; no secrets."""

from __future__ import annotations

from datetime import UTC, date, datetime

from reconciler.api import Order
from reconciler.api.models import ActivationGroup, DownloadedDocument, parse_activation_groups
from reconciler.lifecycle import NumberStatus, OrderStatus

ORDER = {
    "id": 890192331,
    "status": "pending",
    "customerOrderReference": "gitops/acme",
    "desiredPortSchedule": {"desiredPortDate": "2026-05-15", "desiredPortTime": "09:00:00"},
    "phoneNumbers": [
        {
            "phoneNumber": "+13125550141",
            "status": "Activated",
            "focDate": "2026-05-15",
            "confirmedDate": "2026-05-14T12:00:00.000Z",
            "portOutInfo": {"existingPortOutPin": "9731"},
            "newPortOutPin": "5555",
            "somethingNew": {"a": 1},
        }
    ],
    "notes": [{"note": "hi", "createdTime": "2026-05-01T10:00:00Z", "createdBy": "Sinch"}],
    "documents": [{"id": 3.0, "documentName": "loa.pdf"}],
    "futureField": [1, 2],
}


def test_status_is_upper_cased_and_unknown_values_are_kept() -> None:
    order = Order.from_api({**ORDER, "status": "On_Hold"})
    assert order.status == "ON_HOLD"
    assert Order.from_api(ORDER).status == OrderStatus.PENDING
    assert order.phone_numbers[0].status == NumberStatus.ACTIVATED


def test_foc_date_accepts_a_date_or_a_date_time() -> None:
    number = Order.from_api(ORDER).phone_numbers[0]
    assert number.foc_date == date(2026, 5, 15)
    assert number.confirmed_date == datetime(2026, 5, 14, 12, tzinfo=UTC)


def test_unparseable_dates_are_kept_not_fatal() -> None:
    order = Order.from_api({**ORDER, "createdDate": "sometime soon"})
    assert order.created_date == "sometime soon"


def test_unknown_fields_are_kept_and_raw_is_the_exact_json() -> None:
    order = Order.from_api(ORDER)
    assert order.raw == ORDER
    assert order.raw is not ORDER  # a private copy
    assert order.phone_numbers[0].raw == ORDER["phoneNumbers"][0]  # type: ignore[index]
    assert order.model_extra == {"futureField": [1, 2]}
    dumped = order.model_dump(by_alias=True, exclude_unset=True)
    assert dumped["futureField"] == [1, 2]
    assert dumped["customerOrderReference"] == "gitops/acme"


def test_ids_arriving_as_floats_become_ints() -> None:
    order = Order.from_api(ORDER)
    assert order.documents[0].id == 3
    assert isinstance(order.id, int)


def test_secrets_stay_out_of_repr() -> None:
    text = repr(Order.from_api(ORDER))
    assert "9731" not in text
    assert "5555" not in text


def test_activation_groups_openapi_and_skill_shapes() -> None:
    openapi = [
        {
            "phoneNumberGroup": "GW Verizon Grp1",
            "focDate": "2026-05-15",
            "phoneNumbers": [
                {"phoneNumber": "+13125550141", "voiceConfiguration": {"type": "RTC"}}
            ],
        }
    ]
    skill = {
        "activationGroups": [
            {"groupId": "GW Verizon Grp1", "phoneNumbers": ["+13125550141"], "status": "ready"}
        ]
    }
    for body in (openapi, skill):
        (group,) = parse_activation_groups(body)
        assert isinstance(group, ActivationGroup)
        assert group.phone_number_group == "GW Verizon Grp1"
        assert group.numbers == ["+13125550141"]
    assert parse_activation_groups(skill)[0].status == "READY"
    assert parse_activation_groups({"unexpected": 1}) == []


def test_document_content_decodes_base64() -> None:
    doc = DownloadedDocument.from_api(
        {"documentId": 7, "documentName": "a", "fileContent": "aGVsbG8="}
    )
    assert doc.content == b"hello"
    assert "aGVsbG8" not in repr(doc)
