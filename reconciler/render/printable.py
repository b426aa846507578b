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
from collections.abc import Callable, Mapping
from enum import Enum
from functools import partial
from operator import is_not
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
    paths, models) is kept as it is. The walk visits every node of the document (282k for an
    apply of 300 creates, whose items carry their bodies; issue 12), so it is kept cheap: how a
    type is walked is decided once per type (`_walker`), a string `str.isprintable` passes is
    kept without a call (it is false for every character `printable` replaces), and whether a
    part changed is whether its walk returned another object.
    """
    return _walk(value)  # type: ignore[no-any-return]


_Walker = Callable[[Any], Any]
"""Returns the printable copy of its argument, or the argument itself when nothing changed."""


def _walk(value: Any) -> Any:
    """The printable copy of `value`, or `value` itself (the same object) when nothing changed."""
    kind = type(value)
    if kind is str:
        return _text(value)
    walker = _WALKERS.get(kind)
    if walker is None:
        walker = _WALKERS[kind] = _walker(kind)
    return walker(value)


def _text(value: str) -> str:
    """Exact `str` only: a subclass (a `StrEnum` status) is kept, like any other type."""
    if value.isprintable():
        return value
    shown = printable(value)
    return value if shown == value else shown


def _kept(value: Any) -> Any:
    return value


def _walker(kind: type) -> _Walker:
    """How values of `kind` are walked: the same for every value of a type (a dataclass's
    fields are its class's), so decided once; the order of the checks is the rule's."""
    if kind is type(None) or issubclass(kind, Enum | int | float | bytes):
        return _kept
    if dataclasses.is_dataclass(kind):
        names = tuple(f.name for f in dataclasses.fields(kind) if f.init)
        return partial(_dataclass, names)
    if issubclass(kind, Mapping):
        return _mapping
    if issubclass(kind, list):
        return _list
    if issubclass(kind, tuple | set | frozenset):
        return _collection
    return _kept


_WALKERS: dict[type, _Walker] = {}
"""Type -> its walker, filled as types are met (whichever thread adds an entry, it is the same)."""

# The loops below keep a string `isprintable` passes without calling `_walk` (most nodes are
# such strings); anything else goes through `_walk`.


def _dataclass(names: tuple[str, ...], value: Any) -> Any:
    """A copy made by `dataclasses.replace` with the changed fields, when any changed."""
    changes = {}
    for name in names:
        old = getattr(value, name)
        if type(old) is str and old.isprintable():
            continue
        new = _walk(old)
        if new is not old:
            changes[name] = new
    return dataclasses.replace(value, **changes) if changes else value


def _mapping(value: Mapping[Any, Any]) -> Any:
    """A plain dict of the printable keys and values, when any changed."""
    keys = [k if type(k) is str and k.isprintable() else _walk(k) for k in value]
    values = [v if type(v) is str and v.isprintable() else _walk(v) for v in value.values()]
    if any(map(is_not, keys, value)) or any(map(is_not, values, value.values())):
        return dict(zip(keys, values, strict=True))
    return value


def _list(value: list[Any]) -> Any:
    """A plain list of the printable items, when any changed."""
    items = [v if type(v) is str and v.isprintable() else _walk(v) for v in value]
    return items if any(map(is_not, items, value)) else value


def _collection(value: tuple[Any, ...] | set[Any] | frozenset[Any]) -> Any:
    """The same type built from the printable items, when any changed."""
    olds = list(value)
    items = [v if type(v) is str and v.isprintable() else _walk(v) for v in olds]
    return type(value)(items) if any(map(is_not, items, olds)) else value
