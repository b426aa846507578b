"""A file the model refuses still gets every other check in the same run (issue 2, point 3).

The multi-field rules and the cross-file checks read the fields that are valid on their own, so
one run shows a wrong value and, say, the missing `resellerName` or the clash with another
file; they never add a second issue for a field the model already reported, and never crash on
a value of the wrong shape.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.spec.conftest import RunValidate
from tests.spec.test_load_project import load, order_text, write

CANADIAN = '"+14165550123"'


def issues_of(directory: Path) -> list[tuple[str, int, int, str]]:
    return [(Path(i.file).name, i.line, i.col, i.path) for i in load(directory).issues]


def test_a_model_error_and_a_rule_error_of_one_file_are_reported_together(
    tmp_path: Path, run_validate: RunValidate
) -> None:
    text = order_text().replace('"+13125550102"', CANADIAN).replace("2027-01-19", "2027-02-30")
    path = write(tmp_path, "acme.yaml", text)

    result = run_validate("--format", "json", str(path))

    assert result.exit_code == 1, result.output
    assert [(i["line"], i["col"], i["path"], i["message"]) for i in json.loads(result.stdout)] == [
        (7, 20, "spec.schedule.date", "'2027-02-30' is not a real calendar date"),
        (
            27,
            7,
            "spec.resellerName",
            "required because spec.phoneNumbers[2] (+14165550123) is a Canadian number",
        ),
    ]


def test_a_refused_file_takes_part_in_the_duplicate_name_check(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", order_text("acme"))
    write(tmp_path, "b.yaml", order_text("acme", extra="resellerName: 7").replace("+1312", "+1773"))

    issues = load(tmp_path).issues

    assert [(Path(i.file).name, i.path) for i in issues] == [
        ("b.yaml", "metadata.name"),
        ("b.yaml", "spec.resellerName"),
    ]
    assert "duplicate name: order reference 'acme' is also used by" in issues[0].message
    assert "quote it" in issues[1].message


def test_a_refused_file_takes_part_in_the_number_in_two_specs_check(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", order_text("acme"))
    write(tmp_path, "b.yaml", order_text("other", extra="bogus: 1"))

    issues = load(tmp_path).issues

    assert [(Path(i.file).name, i.path) for i in issues] == [
        ("b.yaml", "spec.bogus"),
        ("b.yaml", "spec.phoneNumbers[0]"),
        ("b.yaml", "spec.phoneNumbers[1]"),
        ("b.yaml", "spec.phoneNumbers[2]"),
    ]
    assert "+13125550103 is already in active spec acme" in issues[1].message


def test_a_refused_file_with_a_wrong_name_still_owns_its_numbers(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", order_text("Not A Name"))
    write(tmp_path, "b.yaml", order_text("acme"))

    issues = load(tmp_path).issues

    assert [(Path(i.file).name, i.path) for i in issues][:2] == [
        ("a.yaml", "metadata.name"),
        ("b.yaml", "spec.phoneNumbers[0]"),
    ]
    assert issues[1].message.startswith("+13125550103 is already in active spec in ")
    assert issues[1].message.endswith("a.yaml; a number can be in one active order only")


def test_a_refused_porting_defaults_still_counts_as_one(tmp_path: Path) -> None:
    header = "apiVersion: portctl/v1\nkind: PortingDefaults\nmetadata: {name: %s}\n"
    write(tmp_path, "a.yaml", header % "one" + "spec: {webhookUrl: not-a-url}\n")
    write(tmp_path, "b.yaml", header % "two" + "spec: {}\n")

    assert [(name, path) for name, _, _, path in issues_of(tmp_path)] == [
        ("a.yaml", "spec.webhookUrl"),
        ("b.yaml", "kind"),
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # The model's issue only: the rule reads no invalid value.
        ({"resellerName": " "}, ["spec.resellerName"]),
        ({"activation": {"when": "sometime"}}, ["spec.activation.when"]),
        ({"activation": {"mode": "later", "when": "ready"}}, ["spec.activation.mode"]),
        ({"notes": ["", ""]}, ["spec.notes[0]", "spec.notes[1]"]),
        ({"defaults": "acme"}, ["spec.defaults"]),
        ({"documents": [{"name": "loa", "path": 7}]}, ["spec.documents[0].path"]),
        # The model's issue and the rules' issues about other fields.
        (
            {"activation": {"groups": [""], "when": "manual"}},
            ["spec.activation.groups[0]", "spec.activation.when"],
        ),
        (
            {"notes": ["call first", 7, "call first"], "schedule": {"date": 20270119}},
            ["spec.notes[1]", "spec.notes[2]", "spec.schedule.date"],
        ),
        (
            {"phoneNumbers": ["+13125550103", "+1312", "+1312", "+13125550103", CANADIAN[1:-1]]},
            [
                "spec.phoneNumbers[1]",
                "spec.phoneNumbers[2]",
                "spec.phoneNumbers[3]",
                "spec.resellerName",
            ],
        ),
        (
            {"documents": [{"name": "loa", "path": "loa.pdf"}, {"name": "loa", "path": ""}]},
            ["spec.documents[0].path", "spec.documents[1].name", "spec.documents[1].path"],
        ),
    ],
)
def test_each_field_is_reported_once(
    tmp_path: Path, change: dict[str, Any], expected: list[str]
) -> None:
    data = yaml.safe_load(order_text())
    data["spec"].update(change)
    write(tmp_path, "acme.yaml", yaml.safe_dump(data))

    assert [path for _, _, _, path in issues_of(tmp_path)] == expected


JUNK: list[Any] = [None, 7, "x", [], {}, ["x"], {"x": 1}]


def _paths(data: Any, loc: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key and index path of a YAML data tree."""
    children: Any = data.items() if isinstance(data, dict) else enumerate(data)
    if not isinstance(data, dict | list):
        return []
    found = []
    for key, value in children:
        found.append((*loc, key))
        found.extend(_paths(value, (*loc, key)))
    return found


def _replaced(data: Any, loc: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(data))
    target = copy
    for part in loc[:-1]:
        target = target[part]
    target[loc[-1]] = value
    return copy


def test_any_value_of_the_wrong_shape_is_reported_without_crash_or_repeat(tmp_path: Path) -> None:
    valid = yaml.safe_load(order_text(extra='resellerName: Acme\n  notes: ["call first"]'))
    other = _replaced(valid, ("metadata", "name"), "other")
    write(tmp_path, "other.yaml", yaml.safe_dump(other))
    path = tmp_path / "acme.yaml"
    for loc in _paths(valid):
        for junk in JUNK:
            path.write_text(yaml.safe_dump(_replaced(valid, loc, junk)), encoding="utf-8")

            result = load(tmp_path, env={})

            paths = [(i.file, i.path) for i in result.issues]
            repeated = [p for p, count in Counter(paths).items() if count > 1]
            assert repeated == [], (loc, junk, [str(i) for i in result.issues])
