"""The contract check of every client test really fails on a wrong request or a wrong answer.

`recorder` (conftest) runs `recorded_problems` when each client test ends; these tests feed it
exchanges that break the document and insist it notices, so a green suite means something.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx
import pytest

from reconciler.api import errors
from reconciler.emulator import Emulator
from tests.api.bodies import order_body
from tests.api.conftest import RecordingTransport, demo_client, recorded_problems


@dataclass
class WrongStatus(httpx.BaseTransport):
    """The emulator, except that order answers carry a status the document does not know."""

    inner: httpx.BaseTransport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        if request.method != "GET" or "/orders/portIns/" not in request.url.path:
            return response
        body = json.loads(response.content)
        body["status"] = "ON_HOLD"
        return httpx.Response(response.status_code, json=body, headers={"Date": "x"})


def test_an_answer_of_the_wrong_shape_is_reported(emu: Emulator) -> None:
    recorder = RecordingTransport(WrongStatus(emu.transport()))
    with demo_client(recorder) as client:
        order = client.create_order(order_body())
        assert client.get_order(order.id).status == "ON_HOLD"  # the client tolerates it
    problems = recorded_problems(recorder)
    assert len(problems) == 1
    assert "GET /orders/portIns/{orderId} response $.status" in problems[0]


@pytest.mark.invalid_requests_ok
def test_a_request_of_the_wrong_shape_is_reported(emu: Emulator) -> None:
    recorder = RecordingTransport(emu.transport())
    body = order_body()
    del body["desiredPortSchedule"]
    with demo_client(recorder) as client, pytest.raises(errors.Unprocessable):
        client.create_order(body)
    problems = set(recorded_problems(recorder))  # the document requires it in two places
    assert problems == {
        "POST /orders/portIns request $: 'desiredPortSchedule' is a required property"
    }
    assert recorded_problems(recorder, check_requests=False) == []


def test_an_error_answer_of_the_wrong_shape_is_reported(emu: Emulator) -> None:
    def bare_404(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"message": "gone"})

    recorder = RecordingTransport(httpx.MockTransport(bare_404))
    with demo_client(recorder) as client, pytest.raises(errors.NotFound):
        client.get_order(1)
    problems = recorded_problems(recorder)
    assert any("'code' is a required property" in p for p in problems)
