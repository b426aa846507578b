"""`portctl fmt`: one canonical layout for spec files, without changing what they mean.

Canonical form: the schema modeline as the first line (`# yaml-language-server:
$schema=<path to schemas/<kind>.v1.json>`), keys in the order of the schema (the pydantic
models' field order; keys the model does not know keep their place after the known ones),
every string a YAML 1.1 or 1.2 reader could take for something else if it were plain
(numbers, phone numbers, dates, times, `NO`, `null`...) double-quoted, other strings quoted as
the author chose, block style with two-space indentation. ruamel.yaml's round-trip mode keeps
the comments where they were.

Meaning is never changed: strings are re-quoted and mappings reordered, nothing else. The one
exception is the fix `validate` asks for: a plain scalar YAML reads as a number or a date
(`+13125550141`, `0233`, `2026-12-15`) where the schema wants a string is quoted exactly as it
was typed (the `+` and leading zeros kept), which is what its author meant and the only form
the strict loader accepts. `tests/spec/test_fmt.py` checks that
loading a formatted tree gives the same desired state as loading the original.
"""

from __future__ import annotations

import io
import re
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from reconciler.importing.writer import schema_reference
from reconciler.spec.discovery import SpecFileError, read_spec_file
from reconciler.spec.v1 import PortIn, PortingDefaults, Settings

MODELS: dict[str, type[BaseModel]] = {
    "PortIn": PortIn,
    "PortingDefaults": PortingDefaults,
    "Settings": Settings,
}
MODELINE = "# yaml-language-server: $schema="
_NUMBER = re.compile(
    r"[-+]?(?:\d[\d_]*(?:[.:,][\d_]*)*|\.\d+)(?:[eE][-+]?\d+)?"
    r"|[-+]?0[xXoObB][0-9a-fA-F_]+|[-+]?\.(?:inf|nan|Inf|NaN|INF|NAN)"
)
_DATE = re.compile(r"\d{4}-\d\d?-\d\d?(?:[Tt ].*)?")
_WORDS = frozenset(
    {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "", ".nan", ".inf"}
)


def ambiguous(text: str) -> bool:
    """Whether a YAML 1.1 or 1.2 reader would read `text`, written plain, as a non-string
    (a number, a sexagesimal time, a date, a boolean, null)."""
    return (
        text.lower() in _WORDS
        or _NUMBER.fullmatch(text) is not None
        or _DATE.fullmatch(text) is not None
    )


class FormatError(Exception):
    """A file fmt cannot format (not YAML, or not a portctl spec)."""


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation can hold (through Optional, list, unions, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, dict):
        return [m for arg in typing.get_args(annotation) for m in _models(arg)]
    return []


def _field_order(model: type[BaseModel] | None) -> list[str]:
    """The model's fields, its own (class body) first: a number entry's `number` leads the
    settings it inherits."""
    if model is None:
        return []
    own = [name for name in vars(model).get("__annotations__", {}) if name in model.model_fields]
    return [*own, *(name for name in model.model_fields if name not in own)]


def _model_for(candidates: list[type[BaseModel]], data: CommentedMap) -> type[BaseModel] | None:
    """The candidate whose fields hold every key of `data` (else the first)."""
    for model in candidates:
        if set(data) <= set(model.model_fields):
            return model
    return candidates[0] if candidates else None


def _types(annotation: Any) -> set[type]:
    """The plain types an annotation accepts (through Annotated, Optional and unions)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return {t for arg in typing.get_args(annotation) for t in _types(arg)}
    if origin is typing.Literal:
        return {type(v) for v in typing.get_args(annotation)}
    return {annotation} if isinstance(annotation, type) else set()


def _as_typed(source: list[str], where: tuple[int, int] | None) -> str | None:
    """The plain scalar as typed at `(line, col)` of `source` (None if it is not plain)."""
    if where is None or where[0] >= len(source):
        return None
    token = source[where[0]][where[1] :].split(" #")[0].strip()
    return token if token and token[0] not in "'\"[{&*!|>" else None


def _scalar(node: Any, annotation: Any, typed: str | None) -> Any:
    """A scalar in canonical form: a string that could be misread double-quoted, a number
    or date typed where the schema wants a string quoted as typed."""
    if isinstance(node, str):
        return DoubleQuotedScalarString(str(node)) if ambiguous(str(node)) else node
    accepted = _types(annotation)
    mistyped = str in accepted and type(node) not in accepted and not isinstance(node, bool)
    if typed is not None and mistyped and ambiguous(typed):
        return DoubleQuotedScalarString(typed)
    return node


def _canonical(
    node: Any, model: type[BaseModel] | None, source: list[str], annotation: Any = None
) -> Any:
    """`node` in canonical form (mappings reordered in place, scalars re-quoted)."""
    if isinstance(node, CommentedMap):
        if model is None:
            model = _model_for(_models(annotation), node)
        fields = model.model_fields if model is not None else {}
        order = {name: index for index, name in enumerate(_field_order(model))}
        keys = sorted(node, key=lambda k: (k not in order, order.get(k, 0)))
        for key in keys:
            field = fields.get(key)
            hint = field.annotation if field else None
            if isinstance(node[key], CommentedMap | CommentedSeq):
                node[key] = _canonical(node[key], None, source, hint)
            else:
                node[key] = _scalar(node[key], hint, _as_typed(source, _where(node, key)))
            node.move_to_end(key)
        return node
    if isinstance(node, CommentedSeq):
        item = _item_annotation(annotation)
        for index, value in enumerate(node):
            if isinstance(value, CommentedMap | CommentedSeq):
                node[index] = _canonical(value, None, source, item)
            else:
                node[index] = _scalar(value, item, _as_typed(source, _where(node, index)))
        return node
    return node


def _where(node: CommentedMap | CommentedSeq, key: Any) -> tuple[int, int] | None:
    """(line, column) where the value of `key` (a mapping key or a list index) starts."""
    try:
        line, col = node.lc.value(key) if isinstance(node, CommentedMap) else node.lc.item(key)
    except (KeyError, IndexError, TypeError):
        return None
    return int(line), int(col)


def _item_annotation(annotation: Any) -> Any:
    """The item type of a list annotation (through Optional and Annotated), if any."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _item_annotation(typing.get_args(annotation)[0])
    if origin is list:
        return typing.get_args(annotation)[0]
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if (found := _item_annotation(arg)) is not None:
                return found
    return None


def _yaml() -> YAML:
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    yaml.preserve_quotes = True
    return yaml


def format_text(text: str, *, directory: Path) -> str:
    """The canonical text of one spec file found in `directory` (for the modeline's path)."""
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith(MODELINE):
        lines.pop(0)
    source = "".join(lines)
    try:
        root = _yaml().load(source)
    except YAMLError as exc:
        raise FormatError(f"not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(root, CommentedMap) or root.get("kind") not in MODELS:
        raise FormatError("not a portctl spec (kind PortIn, PortingDefaults or Settings)")
    kind = str(root["kind"])
    _canonical(root, MODELS[kind], source.splitlines())
    buffer = io.StringIO()
    _yaml().dump(root, buffer)
    return f"{MODELINE}{schema_reference(directory, kind)}\n{buffer.getvalue()}"


def format_file(path: Path) -> tuple[str, str]:
    """`(current text, canonical text)` of one spec file, read as the loader reads it
    (`read_spec_file`: a regular file under the size cap); FormatError when it cannot be."""
    try:
        text = read_spec_file(path).decode("utf-8")
    except SpecFileError as exc:
        raise FormatError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise FormatError(f"is not UTF-8 text (byte {exc.start})") from None
    return text, format_text(text, directory=path.parent)
