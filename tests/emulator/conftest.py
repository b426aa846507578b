"""Fixtures for emulator tests: a fixed virtual clock, collected webhooks, a checked client.

Every answer that passes through `client` is validated against the OpenAPI document (see
`tests.emulator.openapi`); the fixture fails the test if any answer did not conform.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from reconciler.emulator import Emulator, EmulatorConfig
from tests.emulator.openapi import CheckedTransport

START = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
"""Monday 2026-11-02, 10:00 in New York: the virtual clock of every emulator test."""
API = "http://emulator.test/v1/projects/demo"
TODAY = "2026-11-02"


class Hooks(list[tuple[str, dict[str, Any]]]):
    """Webhooks the emulator sent, in order."""

    def __call__(self, url: str, payload: dict[str, Any]) -> None:
        self.append((url, payload))

    def types(self) -> list[str]:
        """Just the event types."""
        return [p["type"] for _, p in self]


@pytest.fixture
def hooks() -> Hooks:
    return Hooks()


@pytest.fixture
def emu(hooks: Hooks) -> Emulator:
    return Emulator(now=START, config=EmulatorConfig(), webhook_sender=hooks)


@pytest.fixture
def checked(emu: Emulator) -> Iterator[CheckedTransport]:
    transport = CheckedTransport(emu.transport())
    yield transport
    assert transport.problems == []


@pytest.fixture
def client(checked: CheckedTransport) -> Iterator[httpx.Client]:
    with httpx.Client(
        transport=checked, base_url=API, headers={"Authorization": "Bearer x"}
    ) as http:
        yield http


@pytest.fixture
def connect(emu: Emulator) -> Iterator[Callable[..., httpx.Client]]:
    """Factory of checked clients on `emu` with any headers / base URL; all checked at the end."""
    transports: list[CheckedTransport] = []

    def make(base_url: str = API, **headers: str) -> httpx.Client:
        transport = CheckedTransport(emu.transport())
        transports.append(transport)
        return httpx.Client(transport=transport, base_url=base_url, headers=headers)

    yield make
    assert [p for t in transports for p in t.problems] == []


def end_user(**overrides: str) -> dict[str, str]:
    """A complete end user."""
    return {
        "name": "Acme Corp",
        "streetNum": "123",
        "streetName": "Main",
        "streetType": "St",
        "city": "Anytown",
        "state": "NY",
        "zipCode": "12345",
        **overrides,
    }


def number(phone: str, *, pin: str = "1234", **extra: Any) -> dict[str, Any]:
    """One phone number entry with valid data (PIN `0000` is the carrier's known-bad one)."""
    return {
        "phoneNumber": phone,
        "endUser": end_user(),
        "portOutInfo": {"existingPortOutPin": pin, "authorizingDate": TODAY},
        "voiceConfiguration": {"type": "EST", "trunkId": "123456"},
        **extra,
    }


def order(*phones: str, pin: str = "1234", **extra: Any) -> dict[str, Any]:
    """A valid create/PUT body."""
    return {
        "customerOrderReference": "acme-hq",
        "desiredPortSchedule": {"desiredPortDate": "2026-11-12"},
        "phoneNumbers": [number(p, pin=pin) for p in phones],
        **extra,
    }


def create(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    """POST the order and insist on 201."""
    response = client.post("/orders/portIns", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created
