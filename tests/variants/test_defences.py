"""The defences the variants demand, each on its own: paging checked against totalItems,
secrets write-only in the comparison, `--secrets skip`, `ignoreFields` on secrets refused, a
live secret never sent back, server normalisation taken as equal."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from reconciler.api import ApiError
from reconciler.apply.putbody import update_body
from reconciler.compare import compare_essences
from reconciler.essence import IgnoreRules
from reconciler.spec import load_project
from tests.apply.conftest import ACCOUNT, PIN, ApplyWorld, client_for
from tests.core.builders import port_in_document, settings_document, write_yaml
from tests.world import TODAY

NUMBERS = ["+13125550141", "+13125550142", "+13125550143"]


def _three_orders(world: ApplyWorld) -> None:
    for i, number in enumerate(NUMBERS):
        world.spec(f"shop-{i}", [number])
    assert world.execute().ok


@pytest.mark.parametrize(
    ("paging", "page_size", "error"),
    [
        ("one-based", 2, None),
        ("one-based", 1, None),
        ("zero", 2, r"read 1 of totalItems=3 orders \(a short page\)"),
        ("zero", 1, r"read 2 of totalItems=3 orders \(a short page\)"),
        ("ignore", 2, r"page 2 repeated orders of an earlier page \(is `page` ignored\?\)"),
        ("ignore", 1, r"page 2 repeated orders of an earlier page \(is `page` ignored\?\)"),
    ],
)
def test_paging_is_checked_against_total_items(
    world: ApplyWorld, paging: str, page_size: int, error: str | None
) -> None:
    """Pages of 1 make three pages: pages 2 and 3 are read side by side after page 1, and the
    checks still see them in page order."""
    _three_orders(world)
    world.emu.set_variants({"paging": paging})
    with client_for(world.emu) as client:
        if error is None:
            assert len(client.list_orders(page_size=page_size)) == 3
            assert client.calls["list_orders"] == math.ceil(3 / page_size)
            return
        with pytest.raises(ApiError, match=error) as raised:
            client.list_orders(page_size=page_size)
    assert "`page` query parameter" in str(raised.value)
    assert "`portctl doctor --api`" in str(raised.value)


def test_a_masked_or_missing_secret_is_not_compared_but_a_visible_one_is() -> None:
    wanted = {"phoneNumbers": {"+1": {"portOutInfo": {"existingPortOutPin": "1234", "x": "a"}}}}
    masked = {"phoneNumbers": {"+1": {"portOutInfo": {"existingPortOutPin": "****", "x": "a"}}}}
    omitted = {"phoneNumbers": {"+1": {"portOutInfo": {"x": "a"}}}}
    visible = {"phoneNumbers": {"+1": {"portOutInfo": {"existingPortOutPin": "9999", "x": "a"}}}}
    for live, why in ((masked, "masked by the API"), (omitted, "not returned by the API")):
        compared = compare_essences(wanted, live)
        assert compared.changes == ()
        assert compared.not_compared_text() == (
            f"phoneNumbers[+1].portOutInfo.existingPortOutPin ({why})"
        )
    changed = compare_essences(wanted, visible)
    assert [(c.display_path, c.secret) for c in changed.changes] == [
        ("phoneNumbers[+1].portOutInfo.existingPortOutPin", True)
    ]
    skipped = {"phoneNumbers": {"+1": {"portOutInfo": {"existingPortOutPin": "${PIN}"}}}}
    assert compare_essences(skipped, visible).not_compared_text().endswith("(secrets skipped)")


def test_case_and_blank_differences_are_server_normalised_not_changes() -> None:
    compared = compare_essences(
        {"endUser": {"city": "Spring  field", "name": "Acme"}},
        {"endUser": {"city": "SPRING FIELD", "name": "Acme Ltd"}},
    )
    assert [c.display_path for c in compared.changes] == ["endUser.name"]
    assert compared.normalised_text() == "endUser.city (stored as 'SPRING FIELD')"


def test_a_live_secret_is_never_carried_into_a_put() -> None:
    desired = {"phoneNumbers": [{"phoneNumber": "+1", "portOutInfo": {"accountNum": "A"}}]}
    live = {
        "phoneNumbers": [
            {"phoneNumber": "+1", "portOutInfo": {"accountNum": "****", "existingPortOutPin": "*"}}
        ]
    }
    body = update_body(desired, live, IgnoreRules(["phoneNumbers[*].portOutInfo.*"]))
    assert body["phoneNumbers"][0]["portOutInfo"] == {"accountNum": "A"}


@pytest.mark.parametrize(
    "path",
    [
        "phoneNumbers[*].portOutInfo.existingPortOutPin",
        "phoneNumbers[*].portOutInfo",
        "phoneNumbers[*].newPortOutPin",
        "phoneNumbers",
    ],
)
def test_ignore_fields_on_secrets_are_refused_with_their_location(
    tmp_path: Path, path: str
) -> None:
    write_yaml(tmp_path / "portctl.yaml", settings_document(ignoreFields=[path]))
    result = load_project([tmp_path], today=TODAY, env={})
    assert len(result.issues) == 1
    issue = str(result.issues[0])
    assert re.fullmatch(
        re.escape(str(tmp_path / "portctl.yaml")) + r":\d+:\d+: spec\.ignoreFields\[0\]: .*", issue
    )
    assert issue.endswith(
        f"{path} is or contains a secret field (accountNum, existingPortOutPin, newPortOutPin); "
        "secrets cannot be ignored: portctl compares them only when the API returns them and "
        "never sends a live secret back"
    )


def test_plan_and_drift_with_secrets_skip_need_no_secret_and_say_what_was_not_compared(
    world: ApplyWorld,
) -> None:
    world.spec("shop", NUMBERS[:1])
    assert world.execute().ok
    for name in ("APPLY_PIN", "APPLY_ACCOUNT"):
        world.monkeypatch.delenv(name, raising=False)
    world.env_file.write_text("", "utf-8")
    refused = world.cli("--format", "json", command="plan")
    assert refused.code == 1
    assert "APPLY_PIN" in refused.err
    planned = world.cli("--secrets", "skip", "--format", "json", command="plan")
    assert planned.code == 0, planned.err
    notices = [n for item in planned.document["items"] for n in item.get("notices", [])]
    assert {n["code"] for n in notices} >= {"secrets_not_compared"}
    assert "existingPortOutPin (secrets skipped)" in " ".join(n["message"] for n in notices)
    drift = world.cli("--secrets", "skip", command="drift")
    assert drift.code == 0, drift.out + drift.err
    assert "Secret fields not compared:\n  shop: not compared: " in drift.err
    status = world.cli(command="status")
    assert status.code == 0, status.err
    for run in (planned, drift, status):
        assert PIN not in run.out + run.err
        assert ACCOUNT not in run.out + run.err


def test_an_unapproved_activation_is_an_alert_exit_1_and_in_the_audit_log(
    world: ApplyWorld,
) -> None:
    numbers = ["+13125550141", "+14155550142"]  # two carriers: two groups
    world.spec("two", numbers, on_demand=True)
    assert world.execute().ok
    order = world.order("gitops/two")
    groups = {str(n["phoneNumber"]): str(n["phoneNumberGroup"]) for n in order["phoneNumbers"]}
    for group in set(groups.values()):
        world.emu.confirm_group(order["id"], group, TODAY.isoformat())
    document = port_in_document(
        "two", numbers, pin="${APPLY_PIN}", account="${APPLY_ACCOUNT}", on_demand=True
    )
    approved = groups[numbers[0]]
    document["spec"]["activation"] = {"mode": "on-demand", "when": "manual", "groups": [approved]}
    world.write("two.yaml", document)
    world.emu.set_variants({"activation-key": "whole-order"})
    log = world.root / "audit.jsonl"
    run = world.cli("--auto-approve", "--audit-log", str(log))
    assert run.code == 1
    assert "ALERT: numbers outside the approved groups" in run.out + run.err
    line = [json.loads(line) for line in log.read_text("utf-8").splitlines()][-1]
    assert (line["action"], line["outcome"]) == ("activate", "unknown")
    assert f"{numbers[1]} ({groups[numbers[1]]})" in line["message"]
