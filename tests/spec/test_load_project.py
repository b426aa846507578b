"""`load_project`: the desired state built from valid specs (merging, defaults, secrets, digest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.desired import DesiredOrder
from reconciler.redact import scrub
from reconciler.spec import LoadResult, load_project
from tests.spec.conftest import TODAY

ORDER = """\
apiVersion: portctl/v1
kind: PortIn
metadata:
  name: {name}
  labels: {{customer: acme}}
spec:
  schedule: {{date: "2027-01-19"{schedule}}}
  {extra}
  defaults:
    endUser:
      {{name: Acme Corp, streetNum: "233", streetName: Wacker, city: Chicago, state: IL,
       zipCode: "60606"}}
    portOutInfo:
      existingPortOutPin: "${{ACME_PIN}}"
      accountNum: "${{file:secrets/account.txt}}"
    voiceConfiguration: {{type: EST, trunkId: "trunk-1"}}
    features:
      e911: {{name: Acme, streetNum: "233", streetInfo: Wacker Dr, city: Chicago, state: IL,
             postalCode: "60606"}}
  phoneNumbers:
    - "+13125550103"
    - number: "+13125550101"
      endUser: {{name: Jane Roe, typeOfService: R}}
      voiceConfiguration: {{type: RTC, appId: app-9}}
      features: {{e911: {{location: Lobby}}}}
      newPortOutPin: "${{NEW_PIN}}"
    - "+13125550102"
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def order_text(name: str = "acme", schedule: str = "", extra: str = "") -> str:
    return ORDER.format(name=name, schedule=schedule, extra=extra)


def load(*paths: Path, **options: Any) -> LoadResult:
    options.setdefault("env", {})
    return load_project(list(paths), today=TODAY, **options)


def only_order(result: LoadResult) -> DesiredOrder:
    assert [str(i) for i in result.issues] == []
    assert result.state is not None
    (order,) = result.state.orders
    return order


def test_defaults_merge_into_numbers_in_spec_order(tmp_path: Path) -> None:
    write(tmp_path, "acme.yaml", order_text())

    order = only_order(load(tmp_path))

    assert order.phone_numbers == ("+13125550103", "+13125550101", "+13125550102")
    short, own, _ = order.body["phoneNumbers"]
    assert short["endUser"]["name"] == "Acme Corp"
    assert short["endUser"]["typeOfService"] == "B"
    assert own["endUser"] == {
        "name": "Jane Roe",
        "streetNum": "233",
        "streetName": "Wacker",
        "city": "Chicago",
        "state": "IL",
        "zipCode": "60606",
        "typeOfService": "R",
    }
    assert own["voiceConfiguration"] == {"type": "RTC", "appId": "app-9"}
    assert own["features"]["e911"]["location"] == "Lobby"
    assert own["features"]["e911"]["streetInfo"] == "Wacker Dr"
    assert "location" not in short["features"]["e911"]
    assert "newPortOutPin" not in short
    assert list(short) == [
        "phoneNumber",
        "endUser",
        "portOutInfo",
        "voiceConfiguration",
        "features",
    ]


def test_body_has_the_api_shape_and_no_nulls(tmp_path: Path) -> None:
    write(tmp_path, "acme.yaml", order_text())

    body = only_order(load(tmp_path)).body

    assert list(body) == [
        "customerOrderReference",
        "onDemandActivation",
        "desiredPortSchedule",
        "phoneNumbers",
    ]
    assert body["desiredPortSchedule"] == {
        "desiredPortDate": "2027-01-19",
        "desiredPortTime": "09:00:00",
        "desiredPortTimeZone": "US/Eastern",
    }
    assert "None" not in repr(body)


def test_schedule_falls_back_to_porting_defaults_then_spec_wins(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", order_text("a"))
    b_text = order_text("b", schedule=', time: "07:15:00"').replace("+1312555010", "+1312555011")
    write(tmp_path, "b.yaml", b_text)
    write(
        tmp_path,
        "defaults.yaml",
        "apiVersion: portctl/v1\nkind: PortingDefaults\nmetadata: {name: d}\n"
        'spec: {defaultPortTime: "10:00:00", defaultPortTimeZone: US/Central}\n',
    )

    result = load(tmp_path)

    assert result.state is not None
    a, b = result.state.orders
    assert a.body["desiredPortSchedule"]["desiredPortTime"] == "10:00:00"
    assert b.body["desiredPortSchedule"]["desiredPortTime"] == "07:15:00"
    assert b.body["desiredPortSchedule"]["desiredPortTimeZone"] == "US/Central"
    assert result.state.configuration is not None
    assert result.state.configuration.body == {
        "defaultPortTime": "10:00:00",
        "defaultPortTimeZone": "US/Central",
    }


def test_settings_give_reference_prefix_budgets_and_ignored_fields(tmp_path: Path) -> None:
    write(tmp_path, "acme.yaml", order_text(extra="activation: {mode: on-demand}"))
    write(
        tmp_path,
        "portctl.yaml",
        "apiVersion: portctl/v1\nkind: Settings\nspec:\n  referencePrefix: gitops/\n"
        "  safety: {maxCancels: 2}\n  ignoreFields: ['phoneNumbers[*].endUser.streetType']\n",
    )

    result = load(tmp_path)

    order = only_order(result)
    assert result.state is not None
    assert order.reference == "gitops/acme"
    assert order.body["customerOrderReference"] == "gitops/acme"
    assert order.body["onDemandActivation"] is True
    assert (order.activation_mode, order.activation_when) == ("on-demand", "manual")
    assert order.labels == {"customer": "acme"}
    assert result.state.safety.max_cancels == 2
    assert result.state.ignore_fields == ("phoneNumbers[*].endUser.streetType",)


def test_unresolved_secrets_stay_as_placeholders(tmp_path: Path) -> None:
    write(tmp_path, "acme.yaml", order_text())

    result = load(tmp_path)

    order = only_order(result)
    assert result.secret_variables == ["ACME_PIN", "NEW_PIN"]
    port_out = order.body["phoneNumbers"][0]["portOutInfo"]
    assert port_out == {
        "existingPortOutPin": "${ACME_PIN}",
        "accountNum": "${file:secrets/account.txt}",
    }


def test_resolved_secrets_are_in_the_body_and_registered_for_redaction(tmp_path: Path) -> None:
    write(tmp_path, "acme.yaml", order_text())
    write(tmp_path, "secrets/account.txt", "ACCT-778899\n")

    result = load(tmp_path, env={"ACME_PIN": "4821", "NEW_PIN": "9753"}, resolve_secrets=True)

    numbers = only_order(result).body["phoneNumbers"]
    assert numbers[0]["portOutInfo"] == {"existingPortOutPin": "4821", "accountNum": "ACCT-778899"}
    assert numbers[1]["newPortOutPin"] == "9753"
    assert scrub("pin 4821 acct ACCT-778899 new 9753") == "pin *** acct *** new ***"


def test_unresolvable_secrets_are_issues_without_values(tmp_path: Path) -> None:
    write(tmp_path, "acme.yaml", order_text())

    result = load(tmp_path, env={"ACME_PIN": "", "NEW_PIN": "9753"}, resolve_secrets=True)

    assert result.state is None
    assert [(i.path, i.message) for i in result.issues] == [
        ("spec.defaults.portOutInfo.existingPortOutPin", "environment variable ACME_PIN is empty"),
        (
            "spec.defaults.portOutInfo.accountNum",
            "secret file secrets/account.txt (relative to the spec file) does not exist",
        ),
    ]


def test_digest_covers_specs_and_documents_but_not_secrets(tmp_path: Path) -> None:
    extra = "documents: [{name: loa.pdf, path: docs/loa.pdf}]"
    spec = write(tmp_path, "acme.yaml", order_text(extra=extra))
    document = write(tmp_path, "docs/loa.pdf", "%PDF-1.4 demo")

    def digest(**options: Any) -> str:
        result = load(tmp_path, **options)
        assert result.state is not None, [str(i) for i in result.issues]
        return result.state.spec_digest

    first = digest()
    assert digest(env={"ACME_PIN": "1111"}) == first
    assert load_project([spec], today=TODAY, env={}).state is not None
    document.write_text("%PDF-1.4 changed")
    assert digest() != first
    (order,) = load(tmp_path).state.orders  # type: ignore[union-attr]
    assert order.documents[0].path == document.resolve()


def test_discovery_finds_yaml_and_yml_skips_hidden_and_accepts_files(tmp_path: Path) -> None:
    write(tmp_path, "specs/a.yaml", order_text("a"))
    write(tmp_path, "specs/nested/b.yml", order_text("b").replace("+1312555010", "+1312555011"))
    write(tmp_path, "specs/.drafts/c.yaml", "not: [valid")
    write(tmp_path, "specs/notes.txt", "ignored")

    result = load(tmp_path / "specs", tmp_path / "specs" / "a.yaml")

    assert result.files == (str(tmp_path / "specs/a.yaml"), str(tmp_path / "specs/nested/b.yml"))
    assert result.issues == []
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing")


def test_canceled_spec_may_share_numbers_with_an_active_one(tmp_path: Path) -> None:
    write(tmp_path, "old.yaml", order_text("old", extra="state: canceled"))
    write(tmp_path, "new.yaml", order_text("new"))
    write(tmp_path, "newer.yaml", order_text("newer"))

    result = load(tmp_path)

    assert [(Path(i.file).name, i.path) for i in result.issues] == [
        ("newer.yaml", "spec.phoneNumbers[0]"),
        ("newer.yaml", "spec.phoneNumbers[1]"),
        ("newer.yaml", "spec.phoneNumbers[2]"),
    ]
    assert "already in active spec new" in result.issues[0].message


def test_an_unreadable_file_is_an_issue_and_the_others_are_still_checked(tmp_path: Path) -> None:
    write(tmp_path, "acme.yaml", order_text().replace('"+13125550102"', "+13125550102"))
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "gone.yaml")

    result = load(tmp_path)

    assert [(Path(i.file).name, i.line, i.col, i.path) for i in result.issues] == [
        ("acme.yaml", 27, 7, "spec.phoneNumbers[2]"),
        ("dangling.yaml", 1, 1, ""),
    ]
    assert result.issues[1].message == "is a broken symlink (its target does not exist)"
