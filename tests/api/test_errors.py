"""Error mapping: status -> class, messages from every documented body shape, no secrets."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from reconciler import redact
from reconciler.api import PortingClient, errors
from tests.api.conftest import demo_client


def _response(status: int, **kwargs: object) -> httpx.Response:
    return httpx.Response(status, request=httpx.Request("PUT", "http://x/"), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequest),
        (401, errors.Unauthorized),
        (402, errors.PaymentRequired),
        (404, errors.NotFound),
        (409, errors.Conflict),
        (422, errors.Unprocessable),
        (429, errors.RateLimited),
        (500, errors.ServerError),
        (503, errors.ServerError),
        (418, errors.ApiError),
    ],
)
def test_status_maps_to_class(status: int, cls: type[errors.ApiError]) -> None:
    err = errors.from_response(_response(status), method="GET", path="/orders/portIns/1")
    assert type(err) is cls
    assert err.status == status


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"error": {"message": "wrapped", "code": 400}}, "wrapped"),
        ({"code": "404", "error": "Not found", "message": "no such order"}, "no such order"),
        (
            {"error": "invalid_client", "error_description": "bad secret"},
            "invalid_client: bad secret",
        ),
        ({"error": "Payment required"}, "Payment required"),
        ({"unrelated": True}, "Conflict"),
    ],
)
def test_message_from_each_documented_shape(body: dict[str, object], message: str) -> None:
    err = errors.from_response(_response(409, json=body), method="GET", path="/p")
    assert err.message == message


def test_empty_or_non_json_body_falls_back_to_reason_phrase() -> None:
    assert errors.from_response(_response(500), method="GET", path="/p").message == (
        "Internal Server Error"
    )
    garbled = errors.from_response(_response(502, content=b"<html>"), method="GET", path="/p")
    assert garbled.message == "Bad Gateway"


def test_422_reads_field_violations_and_formats_like_a_log_line() -> None:
    body = {
        "code": "422",
        "error": "Invalid parameters",
        "message": "bad",
        "details": {
            "fieldViolations": [
                {"field": "phoneNumbers[0].phoneNumber", "description": "invalid E.164"}
            ]
        },
    }
    err = errors.from_response(_response(422, json=body), method="PUT", path="/orders/portIns/123")
    assert isinstance(err, errors.Unprocessable)
    assert err.field_violations == [
        errors.FieldViolation("phoneNumbers[0].phoneNumber", "invalid E.164")
    ]
    assert str(err) == "PUT /orders/portIns/123: 422 phoneNumbers[0].phoneNumber: invalid E.164"


def test_google_style_details_list_is_read_too() -> None:
    body = {
        "error": {
            "code": 400,
            "message": "Bad request.",
            "details": [
                {"type": "BadRequest", "fieldViolations": [{"field": "to", "description": "x"}]}
            ],
        }
    }
    err = errors.from_response(_response(400, json=body), method="POST", path="/p")
    assert [v.field for v in err.field_violations] == ["to"]


def test_registered_secrets_are_scrubbed_from_message_and_violations() -> None:
    redact.register_secret("4321")
    body = {
        "message": "PIN 4321 rejected",
        "details": {"fieldViolations": [{"field": "pin", "description": "4321 is wrong"}]},
    }
    err = errors.from_response(_response(422, json=body), method="POST", path="/p")
    assert "4321" not in str(err)
    assert "4321" not in err.message
    assert "***" in str(err)


def test_rate_limited_carries_retry_after() -> None:
    err = errors.from_response(_response(429), method="GET", path="/p", retry_after=7.0)
    assert isinstance(err, errors.RateLimited)
    assert err.retry_after == 7.0


CALLS: dict[str, Callable[[PortingClient], object]] = {
    "check_portability": lambda c: c.check_portability(["+13125550141"]),
    "list_orders": lambda c: c.list_orders(),
    "get_order": lambda c: c.get_order(12),
    "available_activations": lambda c: c.available_activations(12),
    "phone_groups": lambda c: c.phone_groups(12),
}


@pytest.mark.parametrize(
    ("body", "call"),
    [
        ({"phoneNumbers": [{"portable": True}]}, "check_portability"),
        ({"id": "twelve"}, "get_order"),
        ([{"focDate": "2026-11-05"}], "available_activations"),
        ("ok", "available_activations"),
        ([{"phoneNumbers": []}], "phone_groups"),
        ({"groups": []}, "phone_groups"),
        ([], "list_orders"),
    ],
)
def test_an_answer_the_client_cannot_read_is_an_api_error_naming_fields(
    body: object, call: str
) -> None:
    """Never a pydantic traceback, and never the values (an answer may hold PINs)."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
    with (
        demo_client(transport) as client,
        pytest.raises(errors.UnreadableAnswer, match=r"expected [\w ()]+ in the answer") as caught,
    ):
        CALLS[call](client)
    assert "twelve" not in str(caught.value)
