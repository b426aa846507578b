"""Fault injection in-process: status (+Retry-After), latency, drop-after-commit, matching."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from reconciler.emulator import ConnectionDropped, Emulator, EmulatorConfig, Fault
from tests.emulator.conftest import API, START, create, order

CHI = "+13125550141"


def test_the_next_n_matching_requests_fail_with_the_status_and_retry_after(
    client: httpx.Client, emu: Emulator
) -> None:
    emu.add_fault(Fault(method="GET", path="/orders/portIns", count=2, status=429, retry_after="7"))
    assert client.post("/portabilityChecks", json={"phoneNumbers": [CHI]}).status_code == 200
    for _ in range(2):
        hit = client.get("/orders/portIns")
        assert (hit.status_code, hit.headers["Retry-After"]) == (429, "7")
        assert hit.json()["code"] == "429"
    assert client.get("/orders/portIns").status_code == 200
    assert emu.faults == []
    outcomes = [(r.method, r.status, r.outcome) for r in emu.request_log]
    assert outcomes == [
        ("POST", 200, "ok"),
        ("GET", 429, "fault"),
        ("GET", 429, "fault"),
        ("GET", 200, "ok"),
    ]
    assert {r.time for r in emu.request_log} == {"2026-11-02T15:00:00Z"}


def test_a_status_fault_does_not_touch_the_world(client: httpx.Client, emu: Emulator) -> None:
    emu.add_fault(Fault(method="POST", path="/orders", status=500))
    assert client.post("/orders/portIns", json=order(CHI)).status_code == 500
    assert client.get("/orders/portIns").json()["totalItems"] == 0


def test_path_prefix_and_any_method(client: httpx.Client, emu: Emulator) -> None:
    emu.add_fault(Fault(method="*", path="/configuration", count=2, status=503))
    assert client.get("/orders/portIns").status_code == 200
    assert client.get("/configuration").status_code == 503
    assert client.post("/configuration", json={}).status_code == 503
    assert client.get("/configuration").status_code == 404


def test_latency_is_recorded_in_process(client: httpx.Client, emu: Emulator) -> None:
    emu.add_fault(Fault(path="/orders", latency_ms=1500, mode="latency"))
    response = client.get("/orders/portIns")
    assert response.status_code == 200
    assert response.extensions["emulator_latency_ms"] == 1500
    assert emu.request_log[-1].latency_ms == 1500


def test_drop_after_commit_applies_the_change_and_breaks_the_connection(
    client: httpx.Client, emu: Emulator
) -> None:
    emu.add_fault(Fault(method="POST", path="/orders/portIns", mode="drop-after-commit"))
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/orders/portIns", json=order(CHI))
    found = client.get("/orders/portIns", params={"phoneNumber": CHI}).json()
    assert found["totalItems"] == 1
    assert emu.request_log[0].outcome == "dropped"
    assert emu.request_log[0].status is None


def test_faults_apply_to_the_token_endpoint(
    emu: Emulator, connect: Callable[..., httpx.Client]
) -> None:
    emu.add_fault(Fault(method="POST", path="/oauth2/token", status=429))
    http = connect("http://e")
    form = {"grant_type": "client_credentials"}
    assert (
        http.post("/oauth2/token", data=form, auth=("demo-key", "demo-secret")).status_code == 429
    )
    assert (
        http.post("/oauth2/token", data=form, auth=("demo-key", "demo-secret")).status_code == 200
    )


def test_faults_through_the_control_route(
    emu: Emulator, connect: Callable[..., httpx.Client]
) -> None:
    control = connect("http://e")
    added = control.post(
        "/_emulator/faults",
        json={"method": "GET", "path": "/orders", "count": 3, "status": 502, "retryAfter": 1},
    )
    assert added.json()["faults"] == [
        {
            "method": "GET",
            "path": "/orders",
            "count": 3,
            "status": 502,
            "retryAfter": "1",
            "latencyMs": 0,
            "mode": "status",
        }
    ]
    assert emu.to_dict()["faults"] == added.json()["faults"]
    bad = control.post("/_emulator/faults", json={"count": 0, "status": 500})
    assert bad.status_code == 422
    assert control.delete("/_emulator/faults").json() == {"faults": []}


@pytest.mark.parametrize(
    "kwargs",
    [{"count": 0, "status": 500}, {"mode": "explode"}, {"status": 99}, {"mode": "status"}],
)
def test_nonsense_faults_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"fault|status|latency"):
        Fault(**kwargs)  # type: ignore[arg-type]


def test_connection_dropped_is_an_httpx_protocol_error() -> None:
    assert issubclass(ConnectionDropped, httpx.RemoteProtocolError)


def test_request_log_is_bounded() -> None:
    emu = Emulator(now=START, config=EmulatorConfig(request_log_limit=10))
    request = httpx.Request("GET", f"{API}/orders/portIns/1", headers={"Authorization": "Bearer x"})
    for _ in range(15):
        emu.handle(request)
    assert len(emu.request_log) == 10


def test_created_orders_survive_a_fault_between_them(client: httpx.Client, emu: Emulator) -> None:
    first = create(client, order(CHI))["id"]
    emu.add_fault(Fault(method="GET", status=500))
    assert client.get(f"/orders/portIns/{first}").status_code == 500
    assert client.get(f"/orders/portIns/{first}").json()["id"] == first
