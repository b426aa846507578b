"""The client over real sockets against a served emulator, and the reference's raw examples.

`reconciler.emulator.server.running` serves an in-memory emulator on a free loopback port, so
these tests exercise httpx's real transport: keep-alive, a connection the server drops after
committing, and the parallel reads of `get_orders`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from reconciler.api import OutcomeUnknown, PortingClient, StaticToken
from reconciler.emulator import Emulator, Fault
from reconciler.emulator.server import running
from tests.api.bodies import order_body
from tests.api.conftest import START
from tests.emulator.openapi import response_problems


@pytest.fixture
def served(emu: Emulator) -> Iterator[str]:
    with running(emu, port=0) as base_url:
        yield base_url


def test_client_over_http_reads_writes_and_reads_in_parallel(served: str) -> None:
    with PortingClient(base_url=served, project_id="demo", auth=StaticToken("x")) as client:
        ids = [
            client.create_order(order_body([f"+1312555{300 + i:04d}"], reference=f"s{i}")).id
            for i in range(12)
        ]
        orders = client.get_orders(ids)
        assert sorted(orders) == sorted(ids)
        assert [o.id for o in client.list_orders(page_size=5)] == ids


def test_dropped_connection_after_commit_is_unknown_then_found(served: str, emu: Emulator) -> None:
    emu.add_fault(Fault(method="POST", path="/orders/portIns", mode="drop-after-commit"))
    with PortingClient(base_url=served, project_id="demo", auth=StaticToken("x")) as client:
        with pytest.raises(OutcomeUnknown):
            client.create_order(order_body(reference="gitops/over-the-wire"))
        assert len(client.list_orders(reference="gitops/over-the-wire")) == 1


def test_reference_examples_as_raw_http_get_documented_shapes(served: str, emu: Emulator) -> None:
    """Reference §2.1, §2.2, §2.4 and §2.11, sent without the client."""
    root = f"{served}/v1/projects/demo"
    headers = {"Authorization": "Bearer x"}
    with httpx.Client(headers=headers, timeout=5.0) as http:
        check = http.post(f"{root}/portabilityChecks", json={"phoneNumbers": ["+13125550141"]})
        assert check.status_code == 200
        assert check.json()["phoneNumbers"][0]["portable"] is True
        body = order_body(on_demand=True, port_date=(START + timedelta(days=3)).date().isoformat())
        created = http.post(f"{root}/orders/portIns", json=body)
        assert created.status_code == 201
        order_id = created.json()["id"]
        assert created.json()["status"] == "PENDING"
        fetched = http.get(f"{root}/orders/portIns/{order_id}")
        group = fetched.json()["phoneNumbers"][0]["phoneNumberGroup"]
        emu.confirm_group(order_id, group)
        emu.advance(timedelta(days=5))
        offered = http.get(f"{root}/orders/portIns/{order_id}/availableActivations")
        assert [g["phoneNumberGroup"] for g in offered.json()] == [group]
        activated = http.post(
            f"{root}/orders/portIns/{order_id}/activate", json={"phoneNumberGroups": [group]}
        )
        assert activated.json() == {
            "phoneNumberGroups": [{"phoneNumberGroup": group, "status": "ACTIVATED"}]
        }
        answers = [check, created, fetched, offered, activated]
    assert [p for r in answers for p in response_problems(r)] == []
