"""Random sequences of API calls and clock moves keep the emulator's world consistent.

A hypothesis state machine drives the in-process emulator through creates, full PUTs,
cancels, activations, carrier confirm/reject/exclude and clock moves; after every step the
invariants below must hold, every answer must conform to the OpenAPI document, and the state
must round-trip through `to_dict`/`from_dict`.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from reconciler.emulator import Emulator
from tests.emulator.conftest import API, START, order
from tests.emulator.openapi import CheckedTransport

POOL = [f"+1{npa}5550{i:03d}" for npa in (212, 312, 415) for i in range(100, 104)]
LIVE = ("PENDING", "CONFIRMED", "PENDING_CANCELATION")
DEAD_NUMBER = ("EXCLUDED", "CANCELED")


class EmulatorMachine(RuleBasedStateMachine):
    """The model is the emulator itself; the rules only check what must always be true."""

    def __init__(self) -> None:
        super().__init__()
        self.emu = Emulator(now=START, webhook_sender=lambda _u, _p: None)
        self.checked = CheckedTransport(self.emu.transport())
        self.client = httpx.Client(
            transport=self.checked, base_url=API, headers={"Authorization": "Bearer x"}
        )
        self.ids: list[int] = []

    def orders(self) -> list[dict[str, Any]]:
        return [rec["order"] for rec in self.emu.world.orders.values()]

    def held(self) -> list[str]:
        """Numbers on live orders, excluded ones left out (they are free for other orders)."""
        return [
            n["phoneNumber"]
            for o in self.orders()
            if o["status"] in LIVE
            for n in o["phoneNumbers"]
            if n["status"] not in DEAD_NUMBER
        ]

    @rule(
        numbers=st.lists(st.sampled_from(POOL), min_size=1, max_size=4, unique=True),
        bad_pin=st.booleans(),
        on_demand=st.booleans(),
    )
    def create(self, numbers: list[str], bad_pin: bool, on_demand: bool) -> None:
        body = order(*numbers, pin="0000" if bad_pin else "1234", onDemandActivation=on_demand)
        held = set(self.held())
        response = self.client.post("/orders/portIns", json=body)
        assert response.status_code == (422 if held & set(numbers) else 201), response.text
        if response.status_code == 201:
            self.ids.append(response.json()["id"])

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def fix_pins(self, data: st.DataObject) -> None:
        oid = data.draw(st.sampled_from(self.ids))
        current = self.client.get(f"/orders/portIns/{oid}").json()
        numbers = [n["phoneNumber"] for n in current["phoneNumbers"]]
        body = order(*numbers, onDemandActivation=current["onDemandActivation"])
        response = self.client.put(f"/orders/portIns/{oid}", json=body)
        assert response.status_code == (200 if current["status"] == "PENDING" else 400)

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        oid = data.draw(st.sampled_from(self.ids))
        status = self.client.get(f"/orders/portIns/{oid}").json()["status"]
        expected = 200 if status == "PENDING" else 400
        assert self.client.delete(f"/orders/portIns/{oid}").status_code == expected

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def activate_offered(self, data: st.DataObject) -> None:
        oid = data.draw(st.sampled_from(self.ids))
        offered = self.client.get(f"/orders/portIns/{oid}/availableActivations").json()
        response = self.client.post(f"/orders/portIns/{oid}/activate")
        assert response.status_code == (200 if offered else 400)

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), reject=st.booleans())
    def carrier_answers_now(self, data: st.DataObject, reject: bool) -> None:
        oid = data.draw(st.sampled_from(self.ids))
        body = self.client.get(f"/orders/portIns/{oid}").json()
        group = data.draw(st.sampled_from([n["phoneNumberGroup"] for n in body["phoneNumbers"]]))
        action = "reject" if reject else "confirm"
        answer = self.client.post(
            f"http://e/_emulator/orders/{oid}/groups/{group}/{action}", json={"reason": "No"}
        )
        assert answer.status_code == (200 if body["status"] == "PENDING" else 400)

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def carrier_excludes_a_number(self, data: st.DataObject) -> None:
        oid = data.draw(st.sampled_from(self.ids))
        body = self.client.get(f"/orders/portIns/{oid}").json()
        entry = data.draw(st.sampled_from(body["phoneNumbers"]))
        live = [n for n in body["phoneNumbers"] if n["status"] not in DEAD_NUMBER]
        allowed = (
            body["status"] in ("PENDING", "CONFIRMED")
            and entry["status"] in ("PENDING", "CONFIRMED", "REJECTED")
            and live != [entry]
        )
        answer = self.client.post(
            f"http://e/_emulator/orders/{oid}/numbers/{entry['phoneNumber']}/exclude",
            json={"reason": "Number disconnected"},
        )
        assert answer.status_code == (200 if allowed else 400), answer.text

    @rule(hours=st.integers(min_value=1, max_value=24 * 12))
    def time_passes(self, hours: int) -> None:
        self.emu.advance(timedelta(hours=hours))

    @invariant()
    def statuses_agree(self) -> None:
        for o in self.orders():
            live = [
                n["status"]
                for n in o["phoneNumbers"]
                if n["status"] not in ("EXCLUDED", "CANCELED")
            ]
            if o["status"] == "CONFIRMED":
                assert set(live) <= {"CONFIRMED", "ACTIVATED"}
            if o["status"] == "COMPLETED":
                assert set(live) == {"ACTIVATED"}
            if o["status"] == "CANCELED":
                assert "PENDING" not in live
            if o["status"] == "PENDING":
                assert "ACTIVATED" not in live

    @invariant()
    def a_number_is_on_one_live_order_at_most(self) -> None:
        numbers = self.held()
        assert len(numbers) == len(set(numbers))

    @invariant()
    def answers_conform_and_state_round_trips(self) -> None:
        assert self.checked.problems == []
        data = self.emu.to_dict()
        assert Emulator.from_dict(json.loads(json.dumps(data))).to_dict() == data

    def teardown(self) -> None:
        self.client.close()


EmulatorMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=12, deadline=None)
test_emulator_state_machine = EmulatorMachine.TestCase
