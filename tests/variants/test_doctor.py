"""`portctl doctor --api` against `portctl emulator serve --variant ...`: it finds each reading.

Three served emulators cover every value of every probed variant (the defaults; then paging,
secrets, reference filter, FOC date and phoneGroups all switched; then the remaining paging and
secrets values). Each is given three orders (one with a confirmed group, for a FOC date) through
its own API, then portctl probes it like the real API, over HTTP.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from tests.emulator.conftest import order
from tests.served import served_emulator
from tests.world import CliRun

SECRET_PIN = "DOCTOR-PIN-4711"

CASES = [
    (
        (),
        {
            "paging": "one-based",
            "secrets-on-read": "return",
            "reference-filter": "exact",
            "foc-date": "date-time",
            "phone-groups": "served",
        },
    ),
    (
        (
            "paging=zero",
            "secrets-on-read=mask",
            "reference-filter=substring",
            "foc-date=date",
            "phone-groups=absent",
        ),
        {
            "paging": "zero",
            "secrets-on-read": "mask",
            "reference-filter": "substring",
            "foc-date": "date",
            "phone-groups": "absent",
        },
    ),
    (("paging=ignore", "secrets-on-read=omit"), {"paging": "ignore", "secrets-on-read": "omit"}),
]


@pytest.fixture
def served(request: pytest.FixtureRequest) -> Iterator[str]:
    variants: tuple[str, ...] = request.param
    args = [a for v in variants for a in ("--variant", v)]
    with served_emulator(*args) as served:
        for variant in variants:
            assert variant in served.banner
        yield served.url


def _populate(url: str) -> None:
    api = f"{url}/v1/projects/demo"
    headers = {"Authorization": "Bearer x"}
    with httpx.Client(headers=headers, timeout=30) as http:
        http.post(f"{url}/_emulator/clock", json={"set": "2026-11-02T15:00:00Z"})
        made = []
        for i in range(3):
            body = order(
                f"+1312555{400 + i:04d}", pin=SECRET_PIN, customerOrderReference=f"shop-{i}"
            )
            answer = http.post(f"{api}/orders/portIns", json=body)
            assert answer.status_code == 201, answer.text
            made.append(answer.json())
        group = made[0]["phoneNumbers"][0]["phoneNumberGroup"]
        confirmed = http.post(
            f"{url}/_emulator/orders/{made[0]['id']}/groups/{group}/confirm", json={}
        )
        assert confirmed.status_code == 200, confirmed.text


def _doctor(url: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> CliRun:
    """`portctl doctor --api` in-process, pointed at the served emulator like at Sinch."""
    monkeypatch.setenv("SINCH_PORTING_URL", url)
    monkeypatch.setenv("SINCH_PROJECT_ID", "demo")
    monkeypatch.setenv("SINCH_ACCESS_TOKEN", "x")
    result = CliRunner().invoke(cli, ["doctor", "--api", *args])
    return CliRun(result.exit_code, result.stdout, result.stderr)


@pytest.mark.parametrize(
    ("served", "expected"),
    CASES,
    indirect=["served"],
    ids=["defaults", "zero-mask-substring-date-absent", "ignore-omit"],
)
def test_doctor_reports_the_variant_it_is_served(
    served: str, expected: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _populate(served)
    run = _doctor(served, monkeypatch)
    found = dict(re.findall(r"^([a-z-]+)=(\S+):", run.out, re.M))
    assert {k: found[k] for k in expected} == expected, run.out + run.err
    assert found["activation-key"] == "?"
    assert "not probed" in run.out
    assert SECRET_PIN not in run.out + run.err
    defaults = not any(v for v in expected.values() if v not in DEFAULTS)
    assert run.code == (0 if defaults else 2), run.out + run.err
    as_json = _doctor(served, monkeypatch, "--format", "json")
    assert as_json.code == run.code
    findings = {f["name"]: f for f in json.loads(as_json.out)["findings"]}
    assert {k: findings[k]["value"] for k in expected} == expected
    assert all(findings[k]["assumed"] == (v in DEFAULTS) for k, v in expected.items())


DEFAULTS = {"one-based", "return", "exact", "date-time", "served"}
