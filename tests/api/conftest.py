"""Fixtures for client tests: an in-process emulator, a recording transport, a ready client.

Every exchange that goes through `recorder` is checked against the OpenAPI document when the
test ends: the request (query parameters and JSON body) against the operation's request schema
(`tests.contract.openapi_contract`), and the response against the schema of its status code,
error answers included (`tests.emulator.openapi.response_problems`). A test that sends invalid
requests on purpose (to provoke a 422) asks for `invalid_requests_ok` to skip the request half.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest
import stamina

from reconciler.api import PortingClient, RetryPolicy, StaticToken
from reconciler.emulator import Emulator
from tests.contract.openapi_contract import exchange_problems
from tests.emulator.openapi import response_problems

START = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
"""A Monday; the emulator's virtual clock starts here in every client test."""
BASE_URL = "http://127.0.0.1"


@dataclass
class Exchange:
    """One request as sent by the client and the response it got (or None if it broke)."""

    request: httpx.Request
    response: httpx.Response | None


@dataclass
class RecordingTransport(httpx.BaseTransport):
    """Wraps a transport and keeps every exchange for the contract checks."""

    inner: httpx.BaseTransport
    exchanges: list[Exchange] = field(default_factory=list)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        try:
            response = self.inner.handle_request(request)
        except httpx.TransportError:
            self.exchanges.append(Exchange(request, None))
            raise
        response.read()
        response.request = request
        self.exchanges.append(Exchange(request, response))
        return response


def recorded_problems(transport: RecordingTransport, *, check_requests: bool = True) -> list[str]:
    """Every way the recorded requests (optionally) and answers disagree with the document."""
    problems: list[str] = []
    for exchange in transport.exchanges:
        if check_requests:
            problems += exchange_problems(exchange.request, None)
        if exchange.response is not None:
            problems += response_problems(exchange.response)
    return problems


def demo_client(
    transport: httpx.BaseTransport,
    *,
    base_url: str = BASE_URL,
    max_parallel_reads: int = 8,
    **policy: float,
) -> PortingClient:
    """A client of project `demo` with the emulator's token; retry waits read on `START`."""
    return PortingClient(
        base_url=base_url,
        project_id="demo",
        auth=StaticToken("x"),
        transport=transport,
        retry=RetryPolicy(clock=lambda: START, **policy),  # type: ignore[arg-type]
        max_parallel_reads=max_parallel_reads,
    )


@pytest.fixture(autouse=True)
def _no_real_sleeping() -> Iterator[None]:
    """stamina computes and reports waits but never sleeps (our own attempt limits apply)."""
    stamina.set_testing(True, attempts=1000, cap=True)
    yield
    stamina.set_testing(False)


@pytest.fixture
def emu() -> Emulator:
    return Emulator(now=START, project_id="demo", seed=0)


@dataclass
class ContractSettings:
    check_requests: bool = True


@pytest.fixture
def invalid_requests_ok(contract: ContractSettings) -> None:
    """This test sends invalid requests on purpose: only responses are checked."""
    contract.check_requests = False


@pytest.fixture
def contract() -> ContractSettings:
    return ContractSettings()


@pytest.fixture
def recorder(emu: Emulator, contract: ContractSettings) -> Iterator[RecordingTransport]:
    transport = RecordingTransport(emu.transport())
    yield transport
    assert recorded_problems(transport, check_requests=contract.check_requests) == []
    assert transport.exchanges, "no request reached the emulator"


@pytest.fixture
def client(recorder: RecordingTransport) -> Iterator[PortingClient]:
    with demo_client(recorder) as porting:
        yield porting
