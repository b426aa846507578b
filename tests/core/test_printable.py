"""The output registry's printable walk (`render.printable`) against the rule it implements.

The walk is optimised (issue 12: it visits every node of a document), so it is compared with
the rule written plainly, on generated documents: every exact `str` in a dataclass field, a
mapping key or value, or a list, tuple or set item made `redact.printable`; everything else
kept as it is; a part with nothing to change kept as the same object.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from reconciler.redact import printable
from reconciler.render.printable import printable_values


def simple_rule(value: Any) -> tuple[Any, bool]:
    """The rule as first written: (the printable copy, whether anything changed)."""
    if type(value) is str:
        shown = printable(value)
        return shown, shown != value
    if value is None or isinstance(value, Enum | int | float | bytes):
        return value, False
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if f.init:
                new, changed = simple_rule(getattr(value, f.name))
                if changed:
                    changes[f.name] = new
        return (dataclasses.replace(value, **changes), True) if changes else (value, False)
    if isinstance(value, Mapping):
        pairs = [(simple_rule(k), simple_rule(v)) for k, v in value.items()]
        if any(k[1] or v[1] for k, v in pairs):
            return {k[0]: v[0] for k, v in pairs}, True
        return value, False
    if isinstance(value, list | tuple | set | frozenset):
        items = [simple_rule(v) for v in value]
        if any(changed for _, changed in items):
            copied = [v for v, _ in items]
            return (copied if isinstance(value, list) else type(value)(copied)), True
        return value, False
    return value, False


class Colour(StrEnum):
    RED = "RED"


class Tag(str):
    """A str subclass that is no enum: kept as it is, like the rule says."""


@dataclass(frozen=True)
class Leaf:
    text: str
    count: int = 0
    colour: Colour = Colour.RED
    derived: str = field(init=False, default="x\n")


@dataclass(frozen=True)
class Node:
    name: str
    children: tuple[Any, ...] = ()
    extra: Any = None


CHARACTERS = ["a", " ", "\u00a0", "é", "\n", "\r", "\x1b", "\x7f", "\x85", "\u2028"]
"""Kept ones (a no-break space is not `isprintable` but stays) and replaced ones."""
TEXTS = st.text(alphabet=st.sampled_from(CHARACTERS), max_size=6)
KEYS = st.one_of(TEXTS, st.integers(-3, 3), st.sampled_from(list(Colour)))
LEAVES = st.one_of(
    TEXTS,
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.binary(max_size=3),
    st.sampled_from(list(Colour)),
    TEXTS.map(Tag),
    st.builds(Leaf, TEXTS, st.integers(0, 9)),
)
DOCUMENTS = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.frozensets(st.one_of(TEXTS, st.integers()), max_size=4),
        st.sets(TEXTS, max_size=4),
        st.dictionaries(KEYS, inner, max_size=4),
        st.builds(Node, TEXTS, st.lists(inner, max_size=3).map(tuple), inner),
    ),
    max_leaves=30,
)


@given(DOCUMENTS)
def test_the_walk_is_the_simple_rule(document: Any) -> None:
    expected, changed = simple_rule(document)

    shown = printable_values(document)

    assert shown == expected
    assert repr(shown) == repr(expected)  # same types and order, not only equal values
    assert (shown is not document) == changed


def test_a_string_subclass_and_a_field_set_after_init_are_kept() -> None:
    leaf = Leaf("a\nb")

    tag, shown = printable_values((Tag("x\ny"), leaf))

    assert type(tag) is Tag
    assert tag == "x\ny"
    assert shown == Leaf("a\u240ab")
    assert shown.derived == "x\n"
