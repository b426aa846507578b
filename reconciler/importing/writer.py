"""Spec files written the way a person would keep them: stable, quoted where YAML could lie.

ruamel.yaml in round-trip mode keeps key order as given; block style, two-space indentation,
and the schema modeline on top so editors validate and complete the file. Any string a YAML
1.1 reader could turn into something else (numbers, dates, times, `ON`/`NO`/`YES`...) or that
starts with a special character is double-quoted: `portctl validate` reads strictly and the
file must say exactly what the order holds. The same input always gives the same bytes.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

SCHEMA_FILE = Path("schemas") / "portin.v1.json"
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ._/&()'-]*")
_YAML11_WORDS = frozenset(
    {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}
)


def _needs_quotes(text: str) -> bool:
    return (
        not _PLAIN.fullmatch(text)
        or text.lower() in _YAML11_WORDS
        or text != text.strip()
        or ": " in text
        or " #" in text
    )


def _node(value: Any) -> Any:
    """Plain data -> ruamel nodes, risky strings double-quoted."""
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = _node(item)
        return mapping
    if isinstance(value, list):
        return CommentedSeq([_node(v) for v in value])
    if isinstance(value, str) and _needs_quotes(value):
        return DoubleQuotedScalarString(value)
    return value


def schema_reference(out_dir: Path, kind: str = "PortIn") -> str:
    """Relative path from `out_dir` to the nearest `schemas/<kind>.v1.json` above it."""
    schema = SCHEMA_FILE.with_name(f"{kind.lower()}.v1.json")
    start = out_dir.resolve()
    for folder in (start, *start.parents):
        if (folder / schema).is_file():
            return Path(os.path.relpath(folder / schema, start)).as_posix()
    return f"../schemas/{schema.name}"


def dump_spec(document: dict[str, Any], *, schema: str, comment: str = "") -> str:
    """The YAML text of one spec document, modeline first."""
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    root = _node(document)
    header = f"yaml-language-server: $schema={schema}"
    root.yaml_set_start_comment(f"{header}\n{comment}" if comment else header)
    buffer = io.StringIO()
    yaml.dump(root, buffer)
    return buffer.getvalue()


def dump_settings(prefix: str) -> str:
    """A `portctl.yaml` holding the reference prefix the imported specs rely on."""
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    spec = {"referencePrefix": prefix}
    root = _node({"apiVersion": "portctl/v1", "kind": "Settings", "spec": spec})
    buffer = io.StringIO()
    yaml.dump(root, buffer)
    return buffer.getvalue()
