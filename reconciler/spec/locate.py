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
    raw_loc = tuple(error["loc"])
    loc = _file_loc(raw_loc, source)
    if error["type"] == "extra_forbidden":
        line, col = source.key_position(loc)
        message = _extra_field_message(loc, raw_loc, field_names, sections)
    elif error["type"] == "missing":
        line, col = source.value_position(loc)
        message = "required field is missing"
    else:
        if error["type"] == "union_tag_invalid" and source.has((*loc, "type")):
            loc = (*loc, "type")
        line, col = source.value_position(loc)
        message = _value_message(error, loc, source.plain.get(loc))
    return SpecIssue(file, line, col, format_path(loc), message)


def _extra_field_message(
    loc: Loc, raw_loc: tuple[int | str, ...], field_names: frozenset[str], sections: dict[str, str]
) -> str:
    """Why a field is not allowed where it is, and where it probably belongs."""
    name = str(loc[-1]) if loc else ""
    voice_type = next((str(part) for part in raw_loc if part in VOICE_ID_FIELD), None)
    if len(loc) == 1 and name in sections:
        section = sections[name]
        return f"field {name!r} belongs under '{section}:' (as {section}.{name})"
    if voice_type is not None and name in _VOICE_TYPE_OF:
        return (
            f"field {name!r} is for type {_VOICE_TYPE_OF[name]}; type {voice_type} takes "
            f"{VOICE_ID_FIELD[voice_type]}"
        )
    if name in field_names:
        return f"field {name!r} is not allowed here"
    close = difflib.get_close_matches(name, sorted(field_names), n=1, cutoff=0.75)
    return f"unknown field {name!r}" + (f" (did you mean {close[0]!r}?)" if close else "")


def _value_message(error: ErrorDetails, loc: Loc, plain: PlainScalar | None) -> str:
    """A wrong value, explained as the rule it breaks (secret values are never quoted)."""
    kind, value, ctx = error["type"], error["input"], error.get("ctx", {})
    if plain is not None and plain.kind == "null":
        return "value is empty (YAML null); write a value, or remove the key if it is optional"
    if kind in _STRING_ERRORS and plain is not None and not isinstance(value, str):
        return _trap_message(plain, secret=_is_secret(loc))
    if kind == "union_tag_not_found":
        choices = ", ".join(f"{tag} (with {field})" for tag, field in VOICE_ID_FIELD.items())
        return f"needs a 'type': one of {choices}"
    if kind == "union_tag_invalid":
        return f"type must be one of {ctx.get('expected_tags', '')}, not {ctx.get('tag')!r}"
    if kind == "too_long" and loc and loc[-1] == "phoneNumbers":
        return (
            f"at most {ctx.get('max_length')} numbers per order (found "
            f"{ctx.get('actual_length')}); split it into several specs"
        )
    if kind == "string_type" and loc[:2] == ("spec", "phoneNumbers") and len(loc) == 3:
        return "expected a quoted E.164 number or a mapping with 'number' and overrides"
    if kind in _SHAPES:
        return f"expected {_SHAPES[kind]}, found {_shape_of(value)}"
    message = _reword(error["msg"].removeprefix("Value error, "))
    hint = PATTERN_HINTS.get(str(ctx.get("pattern")))
    if kind == "string_pattern_mismatch" and hint is not None:
        return f"must be {hint}; found {value!r}"
    if kind == "literal_error" and isinstance(value, str) and not _is_secret(loc):
        return f"{message}; found {value!r}"
    return message


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
