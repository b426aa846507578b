"""Each emulator variant answers the way its reading of the API says, and only that way.

The defaults are covered by the rest of the emulator suite (checked against the OpenAPI
document); here each variant is switched on through the control route, as `portctl emulator
variant` and `emulator serve --variant` do, and its one difference is observed over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from reconciler.emulator import Emulator
from reconciler.emulator.store import load, save
from reconciler.emulator.variants import VARIANTS, VariantError, parse_assignments
from tests.emulator.conftest import API, START, create, order


@pytest.fixture
def raw(emu: Emulator) -> Iterator[httpx.Client]:
    """A client that does not check answers against the OpenAPI document (variants depart)."""
    with httpx.Client(
        transport=emu.transport(), base_url=API, headers={"Authorization": "Bearer x"}
    ) as http:
        yield http


def switch(http: httpx.Client, **chosen: str) -> dict[str, str]:
    response = http.post(
        "http://emulator.test/_emulator/variants",
        json={k.replace("_", "-"): v for k, v in chosen.items()},
    )
    assert response.status_code == 200, response.text
    variants: dict[str, str] = response.json()["variants"]
    return variants


def ids(http: httpx.Client, **params: Any) -> list[int]:
    response = http.get("/orders/portIns", params=params)
    assert response.status_code == 200, response.text
    return [o["id"] for o in response.json()["orders"]]


def three(http: httpx.Client) -> list[int]:
    return [
        create(http, order(f"+1312555{200 + i:04d}", customerOrderReference=f"acme-{i}"))["id"]
        for i in range(3)
    ]


def test_the_control_route_lists_every_variant_and_refuses_unknown_values(
    raw: httpx.Client,
) -> None:
    listed = switch(raw)
    assert listed == {name: v.default for name, v in VARIANTS.items()}
    bad = raw.post("http://emulator.test/_emulator/variants", json={"paging": "two"})
    assert bad.status_code == 422
    assert "one-based, zero, ignore" in bad.text
    with pytest.raises(VariantError, match="NAME=VALUE"):
        parse_assignments(["paging"])


def test_paging_variants(raw: httpx.Client) -> None:
    made = three(raw)
    assert ids(raw, pageSize=2, page="1") == made[:2]
    switch(raw, paging="zero")
    assert ids(raw, pageSize=2, page="0") == made[:2]
    assert ids(raw, pageSize=2, page="1") == made[2:]
    switch(raw, paging="ignore")
    assert ids(raw, pageSize=2, page="2") == made[:2]


def test_secrets_on_read_mask_and_omit(raw: httpx.Client) -> None:
    made = create(raw, order("+13125550300", pin="4321"))
    assert made["phoneNumbers"][0]["portOutInfo"]["existingPortOutPin"] == "4321"
    switch(raw, secrets_on_read="mask")
    got = raw.get(f"/orders/portIns/{made['id']}").json()
    assert got["phoneNumbers"][0]["portOutInfo"]["existingPortOutPin"] == "****"
    switch(raw, secrets_on_read="omit")
    got = raw.get(f"/orders/portIns/{made['id']}").json()
    assert "existingPortOutPin" not in got["phoneNumbers"][0]["portOutInfo"]


def test_normalise_rewrites_what_is_stored(raw: httpx.Client) -> None:
    switch(raw, normalise="upper-city")
    made = create(raw, order("+13125550301"))
    assert made["phoneNumbers"][0]["endUser"]["city"] == "ANYTOWN"
    switch(raw, normalise="squash-space")
    note = raw.post(f"/orders/portIns/{made['id']}/notes", json={"note": "  LOA   signed "})
    assert note.json()["note"] == "LOA signed"


def test_reference_filter_substring(raw: httpx.Client) -> None:
    made = three(raw)
    assert ids(raw, customerOrderReference="acme-1") == [made[1]]
    switch(raw, reference_filter="substring")
    assert ids(raw, customerOrderReference="acme") == made


def test_activation_key_reads_only_its_key(raw: httpx.Client, emu: Emulator) -> None:
    numbers = ["+13125550310", "+14155550311"]  # two carriers: two groups
    made = create(raw, order(*numbers, onDemandActivation=True))
    groups = sorted({n["phoneNumberGroup"] for n in made["phoneNumbers"]})
    assert len(groups) == 2
    for group in groups:
        emu.confirm_group(made["id"], group, "2026-11-02")
    switch(raw, activation_key="groupIds-only")
    answer = raw.post(
        f"/orders/portIns/{made['id']}/activate", json={"phoneNumberGroups": groups[:1]}
    )
    assert answer.status_code == 200
    got = raw.get(f"/orders/portIns/{made['id']}").json()
    assert {n["status"] for n in got["phoneNumbers"]} == {"ACTIVATED"}  # the whole order
    # and the key it reads does name groups: only the group it names is activated
    other = create(raw, order("+13125550314", "+14155550315", onDemandActivation=True))
    other_groups = sorted({n["phoneNumberGroup"] for n in other["phoneNumbers"]})
    for group in other_groups:
        emu.confirm_group(other["id"], group, "2026-11-02")
    answer = raw.post(
        f"/orders/portIns/{other['id']}/activate", json={"groupIds": other_groups[:1]}
    )
    assert answer.status_code == 200
    got = raw.get(f"/orders/portIns/{other['id']}").json()
    statuses = {n["phoneNumberGroup"]: n["status"] for n in got["phoneNumbers"]}
    assert statuses[other_groups[0]] == "ACTIVATED"
    assert statuses[other_groups[1]] != "ACTIVATED"


def test_whole_order_activation_ignores_the_body(raw: httpx.Client, emu: Emulator) -> None:
    numbers = ["+13125550312", "+14155550313"]  # two carriers: two groups
    made = create(raw, order(*numbers, onDemandActivation=True))
    groups = sorted({n["phoneNumberGroup"] for n in made["phoneNumbers"]})
    assert len(groups) == 2
    for group in groups:
        emu.confirm_group(made["id"], group, "2026-11-02")
    switch(raw, activation_key="whole-order")
    body = {"phoneNumberGroups": groups[:1], "groupIds": groups[:1]}
    answer = raw.post(f"/orders/portIns/{made['id']}/activate", json=body)
    assert answer.status_code == 200
    got = raw.get(f"/orders/portIns/{made['id']}").json()
    assert {n["status"] for n in got["phoneNumbers"]} == {"ACTIVATED"}  # the whole order


def test_list_lag_hides_fresh_orders_until_the_clock_passes_it(
    raw: httpx.Client, emu: Emulator
) -> None:
    switch(raw, list_lag="5s")
    made = create(raw, order("+13125550320"))["id"]
    assert ids(raw) == []
    emu.advance(timedelta(seconds=5))
    assert ids(raw) == [made]


def test_document_conflict_sides(raw: httpx.Client, emu: Emulator) -> None:
    made = create(raw, order("+13125550330"))["id"]
    doc = raw.post(
        f"/orders/portIns/{made}/documents",
        json={"documentName": "loa.pdf", "fileContent": "JVBERg=="},
    ).json()["id"]
    spec_path, skill_path = (
        f"/orders/{made}/documents/{doc}",
        f"/orders/portIns/{made}/documents/{doc}",
    )
    switch(raw, document_path="spec-only")
    assert (raw.get(spec_path).status_code, raw.get(skill_path).status_code) == (200, 404)
    switch(raw, document_path="skill-only")
    assert (raw.get(spec_path).status_code, raw.get(skill_path).status_code) == (404, 200)
    switch(raw, phone_groups="absent")
    assert raw.get(f"/orders/portIns/phoneGroups/{made}").status_code == 404
    switch(raw, foc_date="date")
    group = raw.get(f"/orders/portIns/{made}").json()["phoneNumbers"][0]["phoneNumberGroup"]
    emu.confirm_group(made, group)
    foc = raw.get(f"/orders/portIns/{made}").json()["phoneNumbers"][0]["focDate"]
    assert len(foc) == 10


def test_validation_conflict_sides(raw: httpx.Client) -> None:
    gmt = order("+13125550340")
    gmt["desiredPortSchedule"]["desiredPortTimeZone"] = "GMT"
    switch(raw, time_zones="us-only")
    assert raw.post("/orders/portIns", json=gmt).status_code == 422
    long = order("+13125550341", customerOrderReference="r" * 150)
    assert raw.post("/orders/portIns", json=long).status_code == 422
    switch(raw, reference_length="unlimited")
    assert raw.post("/orders/portIns", json=long).status_code == 201
    switch(raw, invalid_status="400")
    missing = order("+13125550342")
    del missing["phoneNumbers"][0]["endUser"]["city"]
    answer = raw.post("/orders/portIns", json=missing)
    assert answer.status_code == 400
    assert answer.json()["details"]["fieldViolations"][0]["field"].endswith("endUser.city")


def test_portability_open_orders_readings(raw: httpx.Client, emu: Emulator) -> None:
    """What the check says of numbers on other orders; the create's 422 never changes."""
    pending = create(raw, order("+13125550360", "+14155550361"))
    group = next(
        n["phoneNumberGroup"] for n in pending["phoneNumbers"] if n["phoneNumber"].endswith("61")
    )
    emu.reject_group(pending["id"], group, "Invalid port-out PIN")
    canceling = create(raw, order("+13125550362", customerOrderReference="acme-old"))
    assert raw.delete(f"/orders/portIns/{canceling['id']}").status_code < 300
    asked = ["+13125550360", "+14155550361", "+13125550362"]

    def portable() -> list[bool]:
        answer = raw.post("/portabilityChecks", json={"phoneNumbers": asked})
        return [a["portable"] for a in answer.json()["phoneNumbers"]]

    assert portable() == [False, False, False]
    switch(raw, portability_open_orders="ignore")
    assert portable() == [True, True, True]
    switch(raw, portability_open_orders="ignore-canceling")
    assert portable() == [False, False, True]
    switch(raw, portability_open_orders="waiting-only")
    assert portable() == [False, True, False]
    for number in asked:
        again = raw.post("/orders/portIns", json=order(number, customerOrderReference="new"))
        assert again.status_code == 422, number


def test_availability_in_the_skill_shape(raw: httpx.Client, emu: Emulator) -> None:
    made = create(raw, order("+13125550350", onDemandActivation=True))
    group = made["phoneNumbers"][0]["phoneNumberGroup"]
    emu.confirm_group(made["id"], group, "2026-11-02")
    switch(raw, activations_shape="skill")
    answer = raw.get(f"/orders/portIns/{made['id']}/availableActivations").json()
    assert answer == {
        "activationGroups": [
            {"groupId": group, "phoneNumbers": ["+13125550350"], "status": "READY"}
        ]
    }


def test_variants_survive_a_state_file(raw: httpx.Client, emu: Emulator, tmp_path: Any) -> None:
    switch(raw, paging="zero", list_lag="5s")
    save(emu, tmp_path / "state.json")
    again = load(tmp_path / "state.json")
    assert again.config.variants == {"paging": "zero", "list-lag": "5s"}
    again.set_variants({"paging": "one-based"})
    assert again.config.variants == {"list-lag": "5s"}
    assert again.now == START


def test_the_validated_e911_copies_are_filled(raw: httpx.Client) -> None:
    e911 = {"name": "Acme", "streetNum": "1", "streetInfo": "Main St", "city": "Springfield"}
    body = order("+13125550360")
    body["phoneNumbers"][0]["features"] = {"e911": dict(e911)}
    stored = create(raw, body)["phoneNumbers"][0]["features"]["e911"]
    assert stored == {
        **e911,
        "enhStreetNum": "1",
        "enhStreetInfo": "MAIN ST",
        "enhCity": "SPRINGFIELD",
    }
