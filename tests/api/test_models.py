"""Live models: identity and status typed, the rest kept untyped in raw JSON; no secrets."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from reconciler.api import Order, OrderSummary
from reconciler.api.models import ActivationGroup, DownloadedDocument, parse_activation_groups
from reconciler.lifecycle import OrderStatus

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


def test_status_is_parsed_and_unknown_values_are_kept() -> None:
    assert Order.from_api(ORDER).status == OrderStatus.PENDING
    assert Order.from_api({**ORDER, "status": "On_Hold"}).status == "ON_HOLD"
    assert OrderSummary.from_api({"id": 1, "status": "canceled"}).status == OrderStatus.CANCELED


def test_unknown_fields_are_kept_and_raw_is_the_exact_json() -> None:
    order = Order.from_api(ORDER)
    assert order.raw == ORDER
    assert order.raw is not ORDER  # a private copy
    assert order.model_extra is not None
    assert order.model_extra["futureField"] == [1, 2]
    dumped = order.model_dump(by_alias=True, exclude_unset=True)
    assert dumped["futureField"] == [1, 2]
    assert dumped["customerOrderReference"] == "gitops/acme"


def test_untyped_fields_are_not_read_or_checked() -> None:
    """Only what the core reads is typed; odd values elsewhere never fail."""
    odd = {**ORDER, "createdDate": "sometime soon", "carrierName": ["unexpected"]}
    assert Order.from_api(odd).raw["carrierName"] == ["unexpected"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"phoneNumbers": "not a list"}, "phoneNumbers"),
        ({"phoneNumbers": ["+13125550141"]}, "phoneNumbers.0"),
        ({"phoneNumbers": [{"status": "PENDING"}]}, "phoneNumbers.0.phoneNumber"),
        ({"notes": {"note": "hi"}}, "notes"),
        ({"documents": ["loa.pdf"]}, "documents.0"),
        ({"desiredPortSchedule": "2026-05-15"}, "desiredPortSchedule"),
    ],
)
def test_what_the_core_reads_is_shape_checked(change: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Order.from_api({**ORDER, **change})
    assert field in {".".join(str(p) for p in e["loc"]) for e in caught.value.errors()}


def test_ids_arriving_as_floats_become_ints() -> None:
    order = Order.from_api({**ORDER, "id": 890192331.0})
    assert order.id == 890192331
    assert isinstance(order.id, int)


def test_secrets_stay_out_of_repr() -> None:
    text = repr(Order.from_api(ORDER))
    assert "9731" not in text
    assert "5555" not in text
    assert "890192331" in text


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
        assert group.raw == (body[0] if isinstance(body, list) else body["activationGroups"][0])
    with pytest.raises(ValidationError):
        parse_activation_groups({"unexpected": 1})  # not "no groups"


def test_document_content_decodes_base64() -> None:
    doc = DownloadedDocument.from_api(
        {"documentId": 7, "documentName": "a", "fileContent": "aGVsbG8="}
    )
    assert doc.content == b"hello"
    assert "aGVsbG8" not in repr(doc)
