"""The emulator on a real socket: concurrency, restarts, faults over the wire, raw HTTP."""

from __future__ import annotations

import http.client
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from reconciler.emulator import Emulator, Fault, server
from reconciler.emulator.embedded import EmbeddedTransport
from reconciler.emulator.server import running
from tests.emulator.conftest import START, order
from tests.emulator.openapi import CheckedTransport, response_problems

CHI = "+13125550141"


def api(url: str) -> tuple[httpx.Client, CheckedTransport]:
    transport = CheckedTransport(httpx.HTTPTransport())
    client = httpx.Client(
        transport=transport,
        base_url=f"{url}/v1/projects/demo",
        headers={"Authorization": "Bearer x"},
        timeout=10,
    )
    return client, transport


def test_200_concurrent_requests_from_16_threads(emu: Emulator) -> None:
    with running(emu) as url:
        client, checked = api(url)
        with client:
            codes = _two_hundred_requests(client)
            assert client.get("/orders/portIns").json()["totalItems"] == 50
            ids = [o["id"] for o in client.get("/orders/portIns").json()["orders"]]
    assert sorted(set(codes)) == [200, 201]
    assert codes.count(201) == 50
    assert len(set(ids)) == 50
    assert checked.problems == []
    assert checked.count == 202


def _two_hundred_requests(client: httpx.Client) -> list[int]:
    """50 creates, 50 portability checks and 100 list reads from 16 threads at once."""

    def work(i: int) -> int:
        if i % 4 == 0:
            return client.post("/orders/portIns", json=order(f"+1312555{i:04d}")).status_code
        if i % 4 == 1:
            return client.post("/portabilityChecks", json={"phoneNumbers": [CHI]}).status_code
        return client.get("/orders/portIns", params={"pageSize": 5}).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(work, range(200)))


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "world" / "emulator.json"
    with running(state) as url:
        client, checked = api(url)
        oid = client.post("/orders/portIns", json=order(CHI)).json()["id"]
        httpx.post(f"{url}/_emulator/clock", json={"advance": {"days": 1}})
        before = httpx.get(f"{url}/_emulator/state").json()
        client.close()
    assert state.exists()
    with running(state) as url:
        client, checked = api(url)
        body = client.get(f"/orders/portIns/{oid}").json()
        assert body["status"] == "CONFIRMED"
        after = httpx.get(f"{url}/_emulator/state").json()
        assert after["now"] == before["now"]
        assert client.post("/orders/portIns", json=order("+13125550142")).json()["id"] == oid + 1
        client.close()
    assert checked.problems == []


def test_served_and_embedded_share_one_world(tmp_path: Path) -> None:
    state = tmp_path / "emulator.json"
    checked_embedded = CheckedTransport(EmbeddedTransport(state))
    embedded = httpx.Client(
        transport=checked_embedded,
        base_url="http://emulator/v1/projects/demo",
        headers={"Authorization": "Bearer x"},
    )
    with running(state) as url:
        client, _ = api(url)
        first = client.post("/orders/portIns", json=order(CHI)).json()["id"]
        second = embedded.post("/orders/portIns", json=order("+13125550142")).json()["id"]
        assert second == first + 1
        assert client.get("/orders/portIns").json()["totalItems"] == 2
        client.close()
    assert checked_embedded.problems == []


def test_faults_over_the_wire(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(server, "time", SimpleNamespace(sleep=slept.append))
    with running(emu) as url:
        client, checked = api(url)
        httpx.post(
            f"{url}/_emulator/faults",
            json={"method": "GET", "path": "/orders", "status": 503, "retryAfter": "2"},
        )
        failed = client.get("/orders/portIns")
        assert (failed.status_code, failed.headers["Retry-After"]) == (503, "2")
        httpx.post(f"{url}/_emulator/faults", json={"path": "/orders", "latencyMs": 150})
        assert client.get("/orders/portIns").status_code == 200
        assert slept == [0.15]  # the server waits before answering, outside its lock
        httpx.post(
            f"{url}/_emulator/faults",
            json={"method": "POST", "path": "/orders/portIns", "mode": "drop-after-commit"},
        )
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/orders/portIns", json=order(CHI))
        assert client.get("/orders/portIns", params={"phoneNumber": CHI}).json()["totalItems"] == 1
        client.close()
    assert checked.problems == []
    assert [r.outcome for r in emu.request_log] == ["fault", "ok", "dropped", "ok"]


def test_drop_after_commit_is_persisted_by_the_embedded_transport(tmp_path: Path) -> None:
    state = tmp_path / "emulator.json"
    emu = Emulator(now=START)
    emu.add_fault(Fault(method="POST", path="/orders", mode="drop-after-commit"))
    state.write_text(json.dumps(emu.to_dict()))
    checked = CheckedTransport(EmbeddedTransport(state))
    client = httpx.Client(
        transport=checked,
        base_url="http://emulator/v1/projects/demo",
        headers={"Authorization": "Bearer x"},
    )
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/orders/portIns", json=order(CHI))
    checked.inner = EmbeddedTransport(state)  # a fresh process: nothing cached in memory
    assert client.get("/orders/portIns").json()["totalItems"] == 1
    assert checked.problems == []
    assert json.loads(state.read_text())["faults"] == []


def raw(url: str, method: str, path: str, body: str | None = None) -> httpx.Response:
    """Send exact bytes with http.client (no httpx on the request side) and wrap the answer."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    headers = {"Authorization": "Bearer x", "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=body, headers=headers)
    answer = conn.getresponse()
    content = answer.read()
    conn.close()
    return httpx.Response(
        answer.status,
        headers=answer.getheaders(),
        content=content,
        request=httpx.Request(method, url + path),
    )


# The reference's example requests, verbatim where the reference gives a body.
PORTABILITY = '{"phoneNumbers": ["+12345678901"]}'
CREATE = """{
  "desiredPortSchedule": {"desiredPortDate": "2026-11-12", "desiredPortTime": "10:00:00",
                          "desiredPortTimeZone": "US/Eastern"},
  "onDemandActivation": true,
  "phoneNumbers": [{
    "phoneNumber": "+12345678901",
    "voiceConfiguration": {"type": "EST", "trunkId": "123456"},
    "portOutInfo": {"existingPortOutPin": "1234"},
    "endUser": {"name": "John Doe", "streetName": "Main St", "streetNum": "123",
                "city": "Anytown", "state": "NY", "zipCode": "12345"}
  }]
}"""


def test_reference_examples_as_raw_http_get_the_documented_shapes(emu: Emulator) -> None:
    with running(emu) as url:
        base = "/v1/projects/demo"
        answers: list[httpx.Response] = []

        def send(method: str, path: str, body: str | None = None) -> Any:
            response = raw(url, method, path, body)
            answers.append(response)
            return response.json()

        check = send("POST", f"{base}/portabilityChecks", PORTABILITY)
        assert check["phoneNumbers"][0] | {"carrier": ""} == {
            "phoneNumber": "+12345678901",
            "portable": True,
            "carrier": "",
        }
        created = send("POST", f"{base}/orders/portIns", CREATE)
        assert answers[-1].status_code == 201
        assert set(created) >= {
            "id",
            "status",
            "desiredPortSchedule",
            "phoneNumbers",
            "createdDate",
        }
        oid = created["id"]
        fetched = send("GET", f"{base}/orders/portIns/{oid}")
        assert fetched == created
        group = fetched["phoneNumbers"][0]["phoneNumberGroup"]
        httpx.post(f"{url}/_emulator/clock", json={"set": "2026-11-12T15:00:00Z"})
        offered = send("GET", f"{base}/orders/portIns/{oid}/availableActivations")
        assert isinstance(offered, list)
        assert offered[0]["phoneNumberGroup"] == group
        activated = send(
            "POST",
            f"{base}/orders/portIns/{oid}/activate",
            json.dumps({"phoneNumberGroups": [group]}),
        )
        assert activated == {
            "phoneNumberGroups": [{"phoneNumberGroup": group, "status": "ACTIVATED"}]
        }
        assert send("GET", f"{base}/orders/portIns/{oid}")["status"] == "COMPLETED"
        assert all(a.headers["Content-Type"] == "application/json" for a in answers)
        assert [p for a in answers for p in response_problems(a)] == []


def test_keep_alive_reuses_one_connection(emu: Emulator) -> None:
    with running(emu) as url:
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        for _ in range(3):
            conn.request(
                "GET", "/v1/projects/demo/orders/portIns", headers={"Authorization": "Bearer x"}
            )
            answer = conn.getresponse()
            assert answer.status == 200
            answer.read()
        conn.close()


def test_chunked_request_bodies_are_read(emu: Emulator) -> None:
    with running(emu) as url:
        client, checked = api(url)
        body = json.dumps(order(CHI)).encode()
        created = client.post("/orders/portIns", content=iter([body[:40], body[40:]]))
        assert created.status_code == 201
        assert created.json()["phoneNumbers"][0]["phoneNumber"] == CHI
        client.close()
    assert checked.problems == []
