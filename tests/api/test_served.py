"""The client over real sockets against a served emulator.

`reconciler.emulator.server.running` serves an in-memory emulator on a free loopback port, so
these tests exercise httpx's real transport: keep-alive, a connection the server drops after
committing, and the parallel reads of `get_orders`. The reference's example requests as raw
HTTP are in `tests/emulator/test_served.py`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reconciler.api import OutcomeUnknown, PortingClient, StaticToken
from reconciler.emulator import Emulator, Fault
from reconciler.emulator.server import running
from tests.api.bodies import order_body


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
