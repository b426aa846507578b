"""Rendered values never carry control characters: applied once, at the output registry.

Notes, end users' names, references and error messages come from spec files and from the API,
and a renderer puts them into lines of text. A newline inside one would start a line the value
controls: in a CI log, `::error::...` or `::add-mask::` is a workflow command, and a forged
`Apply: 0 failed` line reads like portctl's own. So `reconciler.render.registry` hands each
renderer (except JSON's, whose string escaping already keeps a value on its line, and whose
consumers want the value exact) a copy of its document in which every string has its control
characters replaced by visible symbols (`reconciler.redact.printable`); a JSON document gets the
few line-breaking characters JSON leaves raw escaped instead. Doing it to the values,
once, keeps every renderer free to lay out its own lines, and a new renderer safe by default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

from reconciler.redact import printable

T = TypeVar("T")
_JSON_UNESCAPED = {code: f"\\u{code:04x}" for code in (*range(0x7F, 0xA0), 0x2028, 0x2029)}
"""Line-breaking characters `json.dumps(..., ensure_ascii=False)` leaves raw (it escapes C0)."""


def json_on_its_lines(text: str) -> str:
    """A JSON document with DEL, the C1 controls and U+2028/U+2029 written as `\\uXXXX` escapes:
    the same JSON value (they can only occur inside strings), and no value breaks a line."""
    return text.translate(_JSON_UNESCAPED)


def printable_values(value: T) -> T:
    """`value` with every string in it made `printable`; unchanged parts are shared.

    Walks dataclasses, mappings, lists, tuples and sets; anything else (enums, numbers, dates,
    paths, models) is kept as it is.
    """
    shown, _ = _walk(value)
    return shown  # type: ignore[no-any-return]


def _walk(value: Any) -> tuple[Any, bool]:
    """(the printable copy, whether anything changed)."""
    if type(value) is str:
        shown = printable(value)
        return shown, shown != value
    if value is None or isinstance(value, Enum | int | float | bytes):
        return value, False
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field in dataclasses.fields(value):
            if field.init:
                new, changed = _walk(getattr(value, field.name))
                if changed:
                    changes[field.name] = new
        return (dataclasses.replace(value, **changes), True) if changes else (value, False)
    if isinstance(value, Mapping):
        pairs = [(_walk(k), _walk(v)) for k, v in value.items()]
        if any(k[1] or v[1] for k, v in pairs):
            return {k[0]: v[0] for k, v in pairs}, True
        return value, False
    if isinstance(value, list | tuple | set | frozenset):
        items = [_walk(v) for v in value]
        if any(changed for _, changed in items):
            copied = [v for v, _ in items]
            return (copied if isinstance(value, list) else type(value)(copied)), True
        return value, False
    return value, False
