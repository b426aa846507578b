"""The suite-wide traffic check (`tests.contract.traffic`) finds what it must and only that.

Every other test relies on it passing silently, so these prove it is not vacuous: a client
request of the wrong shape is reported, an answer is checked even when requests are not, and
hand-built requests without portctl's `User-Agent` (the contract tests' own probes) are left
alone.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from reconciler.api import PortingClient, StaticToken, errors
from reconciler.emulator import Emulator
from reconciler.emulator.faults import Fault
from tests.api.bodies import order_body
from tests.contract.traffic import ContractWatch, watched_handle

START = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
WRONG_SHAPE = "POST /orders/portIns request $: 'desiredPortSchedule' is a required property"


def _client(emu: Emulator, watch: ContractWatch, *, check_requests: bool) -> PortingClient:
    handle = watched_handle(Emulator.handle, watch, check_requests=check_requests)
    return PortingClient(
        base_url="http://127.0.0.1",
        project_id="demo",
        auth=StaticToken("x"),
        transport=httpx.MockTransport(lambda request: handle(emu, request)),
    )


@pytest.fixture
def emu() -> Emulator:
    return Emulator(now=START, project_id="demo", seed=0)


@pytest.mark.invalid_requests_ok
def test_a_client_request_of_the_wrong_shape_is_reported(emu: Emulator) -> None:
    body = order_body()
    del body["desiredPortSchedule"]
    watch = ContractWatch()
    with _client(emu, watch, check_requests=True) as client, pytest.raises(errors.Unprocessable):
        client.create_order(body)
    assert watch.exchanges == 1
    assert set(watch.problems) == {WRONG_SHAPE}


@pytest.mark.invalid_requests_ok
def test_with_requests_exempt_the_answers_are_still_checked(emu: Emulator) -> None:
    body = order_body()
    del body["desiredPortSchedule"]
    watch = ContractWatch()
    with _client(emu, watch, check_requests=False) as client:
        with pytest.raises(errors.Unprocessable):
            client.create_order(body)
        client.create_order(order_body())
    assert watch.exchanges == 2
    assert watch.problems == []


def test_an_injected_422_names_a_field_like_a_real_one(emu: Emulator) -> None:
    emu.add_fault(Fault(method="POST", path="/orders/portIns", status=422))
    watch = ContractWatch()
    with _client(emu, watch, check_requests=True) as client, pytest.raises(errors.Unprocessable):
        client.create_order(order_body())
    assert watch.exchanges == 1
    assert watch.problems == []


def test_requests_without_portctls_agent_are_not_checked(emu: Emulator) -> None:
    watch = ContractWatch()
    handle = watched_handle(Emulator.handle, watch, check_requests=True)
    request = httpx.Request(
        "POST",
        "http://127.0.0.1/v1/projects/demo/orders/portIns",
        json={"not": "an order"},
        headers={"Authorization": "Bearer x", "User-Agent": "schemathesis"},
    )
    assert handle(emu, request).status_code == 422
    assert watch.exchanges == 0
    assert watch.problems == []
