"""State round-trips, determinism, redaction, reset, and the speed of a 1000-order state file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from reconciler.emulator import Emulator, Fault, core, store
from reconciler.emulator.embedded import EmbeddedTransport
from tests.emulator.conftest import API, START, order


def busy_world(seed: int = 0) -> Emulator:
    """A world with orders in several states, a configuration, tokens, faults and a log."""
    emu = Emulator(now=START, seed=seed, webhook_sender=lambda url, payload: None)
    http = httpx.Client(
        transport=emu.transport(), base_url=API, headers={"Authorization": "Bearer x"}
    )
    http.post("/configuration", json={"webhookUrl": "https://hooks.example/p"})
    ids = [
        http.post(
            "/orders/portIns",
            json=order(
                f"+1312555{i:04d}",
                "+12125550100" if i == 0 else f"+1415555{i:04d}",
                pin="0000" if i == 1 else "8642",
            ),
        ).json()["id"]
        for i in range(4)
    ]
    http.delete(f"/orders/portIns/{ids[3]}")
    http.post(f"/orders/portIns/{ids[0]}/notes", json={"note": "hello"})
    http.post(
        f"/orders/portIns/{ids[0]}/documents",
        json={"documentName": "loa.pdf", "fileContent": "JVBERi0xLjQK"},
    )
    emu.mark_nonportable(["+13125559999"])
    httpx.Client(transport=emu.transport()).post(
        "http://e/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=("demo-key", "demo-secret"),
    )
    for number in http.get(f"/orders/portIns/{ids[0]}").json()["phoneNumbers"]:
        emu.confirm_group(ids[0], number["phoneNumberGroup"])
    emu.advance(timedelta(hours=23))
    emu.add_fault(Fault(method="GET", path="/orders", count=2, status=503, retry_after="1"))
    return emu


def reload(emu: Emulator) -> Emulator:
    return Emulator.from_dict(json.loads(json.dumps(emu.to_dict())))


def test_to_dict_round_trips_everything() -> None:
    emu = busy_world()
    data = emu.to_dict()
    again = reload(emu)
    assert again.to_dict() == data
    assert again.now == emu.now
    assert again.request_log == emu.request_log
    statuses = {o["order"]["status"] for o in data["world"]["orders"]}
    assert statuses == {"CONFIRMED", "PENDING", "PENDING_CANCELATION"}
    assert data["tokens"]["issued"]
    assert data["faults"][0]["count"] == 2


def test_a_reloaded_world_behaves_exactly_like_the_original() -> None:
    emu = busy_world()
    twin = reload(emu)
    for world in (emu, twin):
        world.advance(timedelta(days=12))
        world.handle(
            httpx.Request("GET", f"{API}/orders/portIns", headers={"Authorization": "Bearer x"})
        )
    assert twin.to_dict() == emu.to_dict()


def test_same_seed_same_world_and_the_seed_moves_carriers() -> None:
    assert busy_world(seed=3).to_dict() == busy_world(seed=3).to_dict()

    def groups(emu: Emulator) -> list[str]:
        orders = emu.to_dict()["world"]["orders"]
        return [n["phoneNumberGroup"] for o in orders for n in o["order"]["phoneNumbers"]]

    assert groups(busy_world(seed=0)) != groups(busy_world(seed=1))


def test_state_dumps_mask_pins_and_account_numbers() -> None:
    emu = busy_world()
    dumped = emu.handle(httpx.Request("GET", "http://e/_emulator/state")).json()
    numbers = [n for o in dumped["world"]["orders"] for n in o["order"]["phoneNumbers"]]
    assert {n["portOutInfo"]["existingPortOutPin"] for n in numbers} == {"***"}
    assert "8642" not in json.dumps(dumped["world"])


def test_reset_empties_the_world_and_returns_to_real_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    emu = busy_world()
    real = datetime(2027, 3, 1, 8, 30, tzinfo=UTC)
    monkeypatch.setattr(core, "real_now", lambda: real)
    emu.reset()
    data = emu.to_dict()
    assert data["world"]["orders"] == []
    assert (data["faults"], data["requestLog"], data["tokens"]["issued"]) == ([], [], {})
    assert data["world"]["configuration"] is None
    assert emu.now == real


def test_unknown_state_format_is_refused() -> None:
    data = busy_world().to_dict()
    data["formatVersion"] = 99
    with pytest.raises(ValueError, match="format"):
        Emulator.from_dict(data)


def thousand_orders() -> Emulator:
    emu = Emulator(now=START)
    body = order("+13125550000", "+14155550000")
    for i in range(1000):
        body["customerOrderReference"] = f"order-{i}"
        body["phoneNumbers"][0]["phoneNumber"] = f"+1312555{i:04d}"
        body["phoneNumbers"][1]["phoneNumber"] = f"+1415555{i:04d}"
        request = httpx.Request(
            "POST", f"{API}/orders/portIns", json=body, headers={"Authorization": "Bearer x"}
        )
        assert emu.handle(request).status_code == 201
    return emu


def test_a_thousand_order_state_survives_an_embedded_mutation(tmp_path: Path) -> None:
    """Functional half of the state-file check (timings: tests/bench/bench_emulator_state.py)."""
    emu = thousand_orders()
    path = tmp_path / "emulator.json"
    store.save(emu, path)
    client = httpx.Client(
        transport=EmbeddedTransport(path), base_url=API, headers={"Authorization": "Bearer x"}
    )
    assert client.post("/orders/portIns/897867/notes", json={"note": "n"}).status_code == 200
    assert client.get("/orders/portIns/897867").status_code == 200
    assert len(store.load(path).to_dict()["world"]["orders"]) == 1000
    assert store.load(path).to_dict()["world"]["orders"][0]["order"]["notes"][0]["note"] == "n"
