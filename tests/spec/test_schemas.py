"""The committed JSON schemas match the models, describe every field, and accept the examples."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.spec.jsonschema import SCHEMA_FILES, render
from tests.spec.conftest import REPO, SPECS

SCHEMAS = REPO / "schemas"
SCHEMA_BY_KIND = {
    "PortIn": "portin.v1.json",
    "PortingDefaults": "portingdefaults.v1.json",
    "Settings": "settings.v1.json",
}


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_committed_schema_matches_models(name: str) -> None:
    committed = (SCHEMAS / name).read_text(encoding="utf-8")
    assert committed == render(SCHEMA_FILES[name]), "run `portctl schema` and commit the result"


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_schema_is_draft7_with_descriptions_everywhere(name: str) -> None:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "$defs" not in json.dumps(schema)
    undescribed = [path for path, prop in _properties(schema) if not prop.get("description")]
    assert undescribed == []


def _properties(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for key, prop in (node.get("properties") or {}).items():
            yield f"{path}.{key}", prop
        for key, value in node.items():
            yield from _properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for item in node:
            yield from _properties(item, path)


def _example_specs() -> list[Path]:
    return sorted(p for p in SPECS.rglob("*.yaml"))


@pytest.mark.parametrize("path", _example_specs(), ids=lambda p: p.name)
def test_example_spec_validates_against_its_schema(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    schema_name = SCHEMA_BY_KIND[document["kind"]]
    assert text.splitlines()[0] == f"# yaml-language-server: $schema=../schemas/{schema_name}"
    schema = json.loads((SCHEMAS / schema_name).read_text(encoding="utf-8"))
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(document)]
    assert errors == []


def test_schema_rejects_what_the_loader_rejects() -> None:
    schema = json.loads((SCHEMAS / "portin.v1.json").read_text(encoding="utf-8"))
    document = yaml.safe_load((SPECS / "acme-hq-main-lines.yaml").read_text(encoding="utf-8"))
    document["spec"]["phoneNumbers"].append(13125550199)
    document["spec"]["defaults"]["portOutInfo"]["existingPortOutPin"] = "4821"
    document["spec"]["schedule"]["timezone"] = "US/Eastern"
    messages = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(document)]
    assert len(messages) == 3


def test_schema_command_writes_the_three_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["schema", "--out-dir", str(tmp_path / "out")])

    assert result.exit_code == 0, result.output
    for name in SCHEMA_FILES:
        assert (tmp_path / "out" / name).read_text() == (SCHEMAS / name).read_text()
