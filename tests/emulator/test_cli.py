"""`portctl emulator ...` against a state file and against a served emulator."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from reconciler.cli import cli, main
from reconciler.emulator.embedded import EmbeddedTransport
from reconciler.emulator.server import running
from tests.emulator.conftest import API, order
from tests.emulator.openapi import CheckedTransport

CHI = "+13125550141"


def portctl(*args: str) -> str:
    result = CliRunner().invoke(cli, ["emulator", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "emulator.json"


@pytest.fixture
def api(state: Path) -> Iterator[httpx.Client]:
    checked = CheckedTransport(EmbeddedTransport(state))
    with httpx.Client(
        transport=checked, base_url=API, headers={"Authorization": "Bearer x"}
    ) as client:
        yield client
    assert checked.problems == []


def test_control_commands_on_a_state_file(state: Path, api: httpx.Client) -> None:
    assert portctl("clock", "--set", "2026-11-02T15:00:00Z", "--state", str(state)).strip() == (
        "2026-11-02T15:00:00+00:00"
    )
    oid = api.post("/orders/portIns", json=order(CHI, "+12125550123")).json()["id"]
    out = portctl(
        "confirm", str(oid), "GW Verizon Grp1", "--foc-date", "2026-11-20", "--state", str(state)
    )
    assert out.strip() == f"order {oid}: group GW Verizon Grp1 confirmed; order is PENDING"
    out = portctl(
        "reject", str(oid), "GW TMobile Grp1", "--reason", "Name mismatch", "--state", str(state)
    )
    assert "rejected" in out
    body = api.get(f"/orders/portIns/{oid}").json()
    assert [n["status"] for n in body["phoneNumbers"]] == ["CONFIRMED", "REJECTED"]
    assert body["phoneNumbers"][0]["focDate"] == "2026-11-20T00:00:00Z"
    out = portctl(
        "exclude", str(oid), "+12125550123", "--reason", "Disconnected", "--state", str(state)
    )
    assert out.strip() == f"order {oid}: +12125550123 excluded; order is CONFIRMED"
    portctl("nonportable", "+13125550199", "--state", str(state))
    check = api.post("/portabilityChecks", json={"phoneNumbers": ["+13125550199"]}).json()
    assert check["phoneNumbers"][0]["portable"] is False
    portctl(
        "fault",
        "--method",
        "GET",
        "--path",
        "/orders",
        "--status",
        "429",
        "--retry-after",
        "3",
        "--state",
        str(state),
    )
    limited = api.get("/orders/portIns")
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "3")
    portctl("clock", "--advance-days", "1", "--advance-hours", "2", "--state", str(state))
    dumped = json.loads(portctl("state", "--state", str(state)))
    assert dumped["now"] == "2026-11-03T17:00:00Z"
    assert dumped["world"]["orders"][0]["order"]["phoneNumbers"][0]["portOutInfo"] == {
        "existingPortOutPin": "***",
        "authorizingDate": "2026-11-02",
    }
    portctl("reset", "--state", str(state))
    assert api.get("/orders/portIns").json()["totalItems"] == 0


def test_control_commands_against_a_served_emulator(state: Path) -> None:
    with (
        running(state) as url,
        httpx.Client(
            base_url=url + "/v1/projects/demo", headers={"Authorization": "Bearer x"}
        ) as client,
    ):
        oid = client.post("/orders/portIns", json=order(CHI, onDemandActivation=True)).json()["id"]
        portctl("confirm", str(oid), "GW Verizon Grp1", "--url", url)
        portctl("clock", "--set", "2099-01-01T00:00:00Z", "--url", url)
        assert (
            client.get(f"/orders/portIns/{oid}/availableActivations").json()[0]["phoneNumberGroup"]
            == "GW Verizon Grp1"
        )
        portctl("fault", "--path", "/orders", "--latency-ms", "1", "--url", url)
        assert json.loads(portctl("state", "--url", url))["faults"][0]["mode"] == "latency"


def test_errors_are_reported_with_exit_code_1(state: Path) -> None:
    result = CliRunner().invoke(cli, ["emulator", "confirm", "42", "G", "--state", str(state)])
    assert result.exit_code == 1
    assert "404" in result.output
    assert "Order 42 not found" in result.output
    unreachable = CliRunner().invoke(cli, ["emulator", "reset", "--url", "http://127.0.0.1:9"])
    assert unreachable.exit_code == 1
    assert "cannot reach" in unreachable.output


def test_url_and_state_together_are_a_usage_error(state: Path) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["emulator", "reset", "--url", "http://127.0.0.1:9", "--state", str(state)])
    assert exited.value.code == 64


@pytest.mark.slow
def test_serve_runs_until_stopped(state: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reconciler",
            "emulator",
            "serve",
            "--port",
            "0",
            "--state",
            str(state),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        banner = process.stderr.readline()
        url = banner.split(" on ")[1].split(" ")[0]
        answer = httpx.get(
            f"{url}/v1/projects/demo/orders/portIns", headers={"Authorization": "Bearer x"}
        )
        assert answer.json()["totalItems"] == 0
        assert "SINCH_PORTING_URL=" in banner
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
    assert state.exists()


def test_variant_command_switches_the_state_file_the_emulator_flag_uses(state: Path) -> None:
    listed = portctl("variant", "--state", str(state))
    assert "paging=one-based  (one-based|zero|ignore)" in listed
    assert "list-lag=0s  (<duration>)" in listed
    switched = portctl("variant", "paging=zero", "secrets-on-read=mask", "--state", str(state))
    assert "paging=zero" in switched
    assert "secrets-on-read=mask" in switched
    saved = json.loads(state.read_text())["config"]["variants"]
    assert saved == {"paging": "zero", "secrets-on-read": "mask"}
    refused = CliRunner().invoke(cli, ["emulator", "variant", "paging=two", "--state", str(state)])
    assert refused.exit_code == 2
    assert "one-based, zero, ignore" in refused.output
