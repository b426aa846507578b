"""Turn pydantic validation errors into `file:line:col: path: message` issues.

Pydantic reports a location as a tuple of keys and indexes, sprinkled with union tags that do
not exist in the file (`long-form`, `EST`, ...). This module walks that tuple against the
document's `SourceMap`, drops what is not in the file, picks the right position (the key for an
unknown field, the parent mapping for a missing one, the value otherwise) and rewrites the
messages users stumble on: YAML 1.1 typed scalars get a "quote it" hint. Secret values are never
echoed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from reconciler.desired import SECRET_FIELDS
from reconciler.spec.fields import PATTERN_HINTS
from reconciler.spec.issues import SpecIssue, format_path
from reconciler.spec.strict_yaml import Loc, PlainScalar, SourceMap
from reconciler.spec.v1 import NUMBER_TAGS, VOICE_ID_FIELD, VOICE_TAGS

_STRING_ERRORS = frozenset({"string_type", "literal_error"})


def known_field_names(models: Iterable[type[BaseModel]]) -> frozenset[str]:
    """Every field name of the given models and of the models nested in them."""
    names: set[str] = set()
    seen: set[type[BaseModel]] = set()
    pending = list(models)
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            names.add(name)
            pending.extend(_nested_models(info.annotation))
    return frozenset(names)


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_nested_models(arg))
    for meta in getattr(annotation, "__metadata__", ()) or ():
        found.extend(_nested_models(meta))
    return found


def issues_from_validation(
    exc: ValidationError,
    *,
    file: str,
    source: SourceMap,
    model: type[BaseModel],
    field_names: frozenset[str],
) -> list[SpecIssue]:
    """One issue per pydantic error of validating `model`, located in the file."""
    sections = _sections(model)
    return [
        _issue(error, file=file, source=source, field_names=field_names, sections=sections)
        for error in exc.errors(include_url=False)
    ]


def _sections(model: type[BaseModel]) -> dict[str, str]:
    """Field name -> the top-level section (`spec`, `metadata`) of `model` it belongs in."""
    where: dict[str, str] = {}
    for section, info in model.model_fields.items():
        for nested in _nested_models(info.annotation):
            where.update(dict.fromkeys(nested.model_fields, section))
    return where


def _file_loc(loc: tuple[int | str, ...], source: SourceMap) -> Loc:
    """The part of a pydantic location that names things in the file (union tags dropped)."""
    kept: list[str | int] = []
    for part in loc:
        dropped = isinstance(part, str) and (part in _TAGS or part.startswith("["))
        if source.has((*kept, part)) or not dropped:
            kept.append(part)
    return tuple(kept)


_TAGS = frozenset({*NUMBER_TAGS, *VOICE_TAGS})
_VOICE_TYPE_OF = {field: tag for tag, field in VOICE_ID_FIELD.items()}


def _issue(
    error: ErrorDetails,
    *,
    file: str,
    source: SourceMap,
    field_names: frozenset[str],
    sections: dict[str, str],
) -> SpecIssue:
    kind = error["type"]
    raw_loc = tuple(error["loc"])
    loc = _file_loc(raw_loc, source)
    message = _reword(error["msg"].removeprefix("Value error, "))
    if kind == "extra_forbidden":
        line, col = source.key_position(loc)
        name = str(loc[-1]) if loc else ""
        voice_type = next((part for part in raw_loc if part in VOICE_ID_FIELD), None)
        if len(loc) == 1 and name in sections:
            section = sections[name]
            message = f"field {name!r} belongs under '{section}:' (as {section}.{name})"
        elif voice_type is not None and name in _VOICE_TYPE_OF:
            message = (
                f"field {name!r} is for type {_VOICE_TYPE_OF[name]}; type {voice_type} takes "
                f"{VOICE_ID_FIELD[str(voice_type)]}"
            )
        elif name in field_names:
            message = f"field {name!r} is not allowed here"
        else:
            message = f"unknown field {name!r}"
            close = difflib.get_close_matches(name, sorted(field_names), n=1, cutoff=0.75)
            if close:
                message += f" (did you mean {close[0]!r}?)"
        return SpecIssue(file, line, col, format_path(loc), message)
    if kind == "missing":
        line, col = source.value_position(loc)
        return SpecIssue(file, line, col, format_path(loc), "required field is missing")
    if kind == "union_tag_not_found":
        choices = ", ".join(f"{tag} (with {field})" for tag, field in VOICE_ID_FIELD.items())
        message = f"needs a 'type': one of {choices}"
    elif kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        if source.has((*loc, "type")):
            loc = (*loc, "type")
        message = f"type must be one of {ctx.get('expected_tags', '')}, not {ctx.get('tag')!r}"
    elif kind == "too_long" and loc and loc[-1] == "phoneNumbers":
        ctx = error.get("ctx", {})
        message = (
            f"at most {ctx.get('max_length')} numbers per order (found "
            f"{ctx.get('actual_length')}); split it into several specs"
        )
    elif kind == "string_type" and loc[:2] == ("spec", "phoneNumbers") and len(loc) == 3:
        message = "expected a quoted E.164 number or a mapping with 'number' and overrides"
    elif kind in _SHAPES:
        message = f"expected {_SHAPES[kind]}, found {_shape_of(error['input'])}"
    elif kind == "string_pattern_mismatch":
        hint = PATTERN_HINTS.get(str(error.get("ctx", {}).get("pattern")))
        if hint is not None:
            message = f"must be {hint}; found {error['input']!r}"
    elif kind == "literal_error" and isinstance(error["input"], str) and not _is_secret(loc):
        message += f"; found {error['input']!r}"
    plain = source.plain.get(loc)
    if plain is not None and plain.kind == "null":
        message = "value is empty (YAML null); write a value, or remove the key if it is optional"
    elif kind in _STRING_ERRORS and plain is not None and not isinstance(error["input"], str):
        message = _trap_message(plain, secret=_is_secret(loc))
    line, col = source.value_position(loc)
    return SpecIssue(file, line, col, format_path(loc), message)


_MAPPING = "a mapping (indented 'key: value' lines, or {key: value})"
_SHAPES = {
    "model_type": _MAPPING,
    "model_attributes_type": _MAPPING,
    "dict_type": _MAPPING,
    "list_type": "a list (one '- item' per line, or [a, b])",
    "string_type": "a string",
}
"""Pydantic's "wrong kind of value" errors, by type, and the YAML shape each one expects."""


def _shape_of(value: object) -> str:
    """What kind of YAML value `value` is, in words (never the value: it may be a secret)."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__


def _reword(message: str) -> str:
    """Pydantic's "Input should be ..." as the rule it states: "must be ..."."""
    for prefix in ("Input should", "String should", "List should", "Value should"):
        if message.startswith(prefix):
            return "must" + message.removeprefix(prefix).replace(" after validation", "")
    return message


def _is_secret(loc: Loc) -> bool:
    return bool(loc) and loc[-1] in SECRET_FIELDS


def _trap_message(plain: PlainScalar, *, secret: bool) -> str:
    """Explain a YAML 1.1 implicit typing trap and how to fix it."""
    what = {
        "int": "a number",
        "float": "a number",
        "bool": "a boolean",
        "timestamp": "a date",
    }.get(plain.kind, plain.kind)
    if secret:
        return (
            f"this unquoted value is read by YAML 1.1 as {what}; secrets must be references "
            "such as '${ACME_PORT_PIN}'"
        )
    return f'unquoted {plain.raw} is read by YAML 1.1 as {what}; quote it: "{plain.raw}"'
