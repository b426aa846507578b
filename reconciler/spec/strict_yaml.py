"""Safe, strict YAML reading that remembers where every value came from.

PyYAML's own loaders silently turn `+15551234567` into an int, `0123` into 83, `NO` into False,
`1:30` into 90 and `2026-05-15` into a date, accept duplicate keys (last one wins) and expand
anchors. None of that is acceptable for port orders, and every problem must be reported with
its line and column. So this module builds plain Python values from what libyaml (the C parser)
reads, and records, per field path, the position of the value and of
its key, plus the raw text of every unquoted scalar that YAML 1.1 typed as something other than
a string. Pydantic then reports type errors at a path, and `SourceMap` turns them back into
`line:col` with a "quote it" hint for the YAML 1.1 traps.

Two paths build the same data and source map. The fast one reads all events at once and walks
the list in one tight pass (no look-ahead object, no resolver call for a plain scalar whose first
character YAML 1.1 never types); it gives up at the first thing it would have to report (a
syntax error, a second document, an anchor, alias or tag, a duplicate or non-string key). The
exact path then reads the file again and reports every problem with the position and message it
always had. Most files of a repository are valid, so most take the fast path (issue 12: the
builder was 5 s of a 10,000-file `validate`). Letting libyaml compose the node tree in C
(`get_single_node`) was measured slower than reading events: it builds a resolver call and two
marks per node, and the tree must still be walked in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from reconciler.spec.issues import format_path

Loc = tuple[str | int, ...]
Position = tuple[int, int]

_Parser: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVE = cast(
    Callable[[type[ScalarNode], str, tuple[bool, bool]], str], yaml.resolver.Resolver().resolve
)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_TAG = "tag:yaml.org,2002:"
_STR = _TAG + "str"
_TYPED_KINDS = frozenset({"null", "bool", "int", "float", "timestamp"})
"""What YAML 1.1 turns unquoted scalars into besides strings; all of them are recorded."""


@dataclass
class PlainScalar:
    """An unquoted scalar that YAML 1.1 typed as a non-string: its text and what it became."""

    raw: str
    kind: str


@dataclass
class SourceMap:
    """Positions (1-based line, col) of the values and keys of one document, by field path."""

    values: dict[Loc, Position] = field(default_factory=dict)
    keys: dict[Loc, Position] = field(default_factory=dict)
    plain: dict[Loc, PlainScalar] = field(default_factory=dict)

    def value_position(self, loc: Loc) -> Position:
        """Where the value at `loc` starts, or its nearest existing ancestor when it is absent."""
        for end in range(len(loc), -1, -1):
            pos = self.values.get(loc[:end])
            if pos is not None:
                return pos
        return (1, 1)

    def key_position(self, loc: Loc) -> Position:
        """Where the key of the mapping entry at `loc` starts (falls back to the value)."""
        return self.keys.get(loc) or self.value_position(loc)

    def has(self, loc: Loc) -> bool:
        """Whether the document has a value at `loc`."""
        return loc in self.values


@dataclass(frozen=True)
class YamlProblem:
    """A structural problem of the YAML text itself (before any model sees it)."""

    line: int
    col: int
    path: str
    message: str


@dataclass
class ParsedDocument:
    """The single document of a file as plain Python data, its source map and YAML problems."""

    data: Any
    source: SourceMap
    problems: list[YamlProblem]


def _position(event: Event) -> Position:
    """1-based (line, col) where an event starts."""
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


class _Builder:
    """Turns one document's events into plain data, recording positions and problems."""

    def __init__(self, events: Iterator[Event]) -> None:
        self._events = events
        self._pending: Event | None = None
        self.source = SourceMap()
        self.problems: list[YamlProblem] = []

    def _problem(self, event: Event, loc: Loc, message: str) -> None:
        self.problems.append(YamlProblem(*_position(event), format_path(loc), message))

    def build(self, loc: Loc) -> Any:
        """Consume the events of one node and return its value."""
        event = self.next_event()
        self.source.values[loc] = _position(event)
        if isinstance(event, AliasEvent):
            self._problem(event, loc, f"aliases (*{event.anchor}) are not allowed; write it out")
            return None
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._problem(event, loc, f"anchors (&{anchor}) are not allowed; write it out")
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            self._problem(event, loc, f"explicit YAML tags ({tag}) are not allowed")
        if isinstance(event, ScalarEvent):
            return self._scalar(event, loc)
        if isinstance(event, SequenceStartEvent):
            return self._sequence(loc)
        if isinstance(event, MappingStartEvent):
            return self._mapping(loc)
        self._problem(event, loc, f"unexpected YAML event {type(event).__name__}")
        return None

    def _scalar(self, event: ScalarEvent, loc: Loc) -> Any:
        value: str = event.value
        if not event.implicit[0]:
            return value
        return _typed(value, _RESOLVE(ScalarNode, value, (True, False)), loc, self.source)

    def _sequence(self, loc: Loc) -> list[Any]:
        items: list[Any] = []
        while not self._peek_end():
            items.append(self.build((*loc, len(items))))
        return items

    def _mapping(self, loc: Loc) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        while not self._peek_end():
            key_event = self.next_event()
            if not isinstance(key_event, ScalarEvent) or getattr(key_event, "anchor", None):
                self._problem(key_event, loc, "mapping keys must be plain strings")
                self._skip(key_event)
                self.build((*loc, "<invalid key>"))
                continue
            key = key_event.value
            key_pos = _position(key_event)
            if key in result:
                self._problem(
                    key_event,
                    (*loc, key),
                    f"duplicate key {key!r} (first at line {first_line[key]})",
                )
                kept, self.source = self.source, SourceMap()
                self.build(())
                self.source = kept
                continue
            self.source.keys[(*loc, key)] = key_pos
            first_line[key] = key_pos[0]
            result[key] = self.build((*loc, key))
        return result

    def _skip(self, start: Event) -> None:
        """Consume the rest of a collection whose start event was already read."""
        if isinstance(start, SequenceStartEvent | MappingStartEvent):
            while not self._peek_end():
                self._skip(self.next_event())

    def next_event(self) -> Event:
        """The next event, honouring one event of look-ahead."""
        if self._pending is not None:
            event, self._pending = self._pending, None
            return event
        return next(self._events)

    def _peek_end(self) -> bool:
        """Consume a collection end event if it is next; otherwise keep the event pending."""
        event = self.next_event()
        if isinstance(event, SequenceEndEvent | MappingEndEvent):
            return True
        self._pending = event
        return False


def _typed(value: str, tag: str, loc: Loc, source: SourceMap) -> Any:
    """The value of a plain scalar that libyaml resolved to `tag` (recorded when not a string)."""
    if tag == _STR:
        return value
    kind = tag.removeprefix(_TAG)
    if kind not in _TYPED_KINDS:
        return value  # YAML 1.1 `=` (value) and `<<` (merge) read as the text they are
    source.plain[loc] = PlainScalar(value, kind)
    if kind == "null":
        return None
    node = ScalarNode(tag, value)
    try:
        return _CONSTRUCTOR.construct_object(node, deep=True)
    except ValueError:
        return value
    finally:
        _CONSTRUCTOR.constructed_objects.pop(node, None)  # the constructor memoises every node


class _ExactPathNeeded(Exception):
    """The fast path met something only the exact path reports faithfully."""


_TYPED_FIRST = frozenset(
    key for key in yaml.resolver.Resolver.yaml_implicit_resolvers if isinstance(key, str)
)
"""First characters of the plain scalars YAML 1.1 may type (the resolver's own index): any
other plain scalar is a string without asking the resolver."""


class _FastBuilder:
    """The fast path: one walk over the pre-read event list, no look-ahead object, and an exit
    (`_ExactPathNeeded`) at the first thing the exact path has a message for."""

    def __init__(self, events: list[Any]) -> None:
        self.events = events  # libyaml's events, duck-typed: `type(...) is` tests, no isinstance
        self.at = 0
        self.shallow: dict[Loc, Position] = {}
        self.typed = SourceMap()  # only `plain` is filled: `_typed` needs a map to write to

    def build(self, loc: Loc) -> Any:
        event = self.events[self.at]
        self.at += 1
        if len(loc) <= _SHALLOW:
            mark = event.start_mark
            self.shallow[loc] = (mark.line + 1, mark.column + 1)
        kind = type(event)
        if kind is ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                raise _ExactPathNeeded
            value: str = event.value
            if not event.implicit[0] or (value and value[0] not in _TYPED_FIRST):
                return value
            return _typed(value, _RESOLVE(ScalarNode, value, (True, False)), loc, self.typed)
        if event.anchor is not None or event.tag is not None:
            raise _ExactPathNeeded
        if kind is MappingStartEvent:
            return self._mapping(loc)
        if kind is SequenceStartEvent:
            items: list[Any] = []
            while type(self.events[self.at]) is not SequenceEndEvent:
                items.append(self.build((*loc, len(items))))
            self.at += 1
            return items
        raise _ExactPathNeeded

    def _mapping(self, loc: Loc) -> dict[str, Any]:
        result: dict[str, Any] = {}
        events = self.events
        while True:
            key = events[self.at]
            self.at += 1
            if type(key) is not ScalarEvent:
                if type(key) is MappingEndEvent:
                    return result
                raise _ExactPathNeeded
            name: str = key.value
            if name in result or key.anchor is not None or key.tag is not None:
                raise _ExactPathNeeded
            result[name] = self.build((*loc, name))


def _parse_fast(text: str) -> ParsedDocument | None:
    """The document of a text without problems, or None (then the exact path reads it)."""
    loader = _Parser(text)
    try:
        events: list[Any] = list(iter(loader.get_event, None))
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    # StreamStart, DocumentStart, the root node..., DocumentEnd, StreamEnd: one document only.
    if len(events) < 5 or type(events[-2]) is not DocumentEndEvent:
        return None
    builder = _FastBuilder(events)
    builder.at = 2
    try:
        data = builder.build(())
    except _ExactPathNeeded:
        return None
    if builder.at != len(events) - 2:
        return None
    return ParsedDocument(data, _LazySourceMap(text, builder.shallow), [])


_SHALLOW = 2
"""Depth of the positions the fast path records (`metadata.name`: where an order's source is)."""


class _LazySourceMap(SourceMap):
    """The source map of a file the fast path read: the positions of its top two levels at once,
    the rest only if asked (a file with an issue), by reading the text again on the exact path.

    Why: the full map of every file (a tuple path and a position per value and per key) was
    almost half of the memory of loading 10,000 specs, and a valid file never needs it.
    """

    def __init__(self, text: str, shallow: dict[Loc, Position]) -> None:
        self._text: str | None = text
        self._shallow = shallow
        self._full: SourceMap | None = None

    def _map(self) -> SourceMap:
        if self._full is None:
            loader = _Parser(self._text or "")
            try:
                self._full = _parse_events(loader).source
            finally:
                loader.dispose()
            self._text = None
        return self._full

    @property
    def values(self) -> dict[Loc, Position]:  # type: ignore[override]
        return self._map().values

    @property
    def keys(self) -> dict[Loc, Position]:  # type: ignore[override]
        return self._map().keys

    @property
    def plain(self) -> dict[Loc, PlainScalar]:  # type: ignore[override]
        return self._map().plain

    def value_position(self, loc: Loc) -> Position:
        """Where the value at `loc` starts (see `SourceMap.value_position`)."""
        found = self._shallow.get(loc)
        return found if found is not None else self._map().value_position(loc)


def parse_document(text: str) -> ParsedDocument:
    """Parse a file holding exactly one YAML document; syntax errors become problems."""
    fast = _parse_fast(text)
    if fast is not None:
        return fast
    loader = _Parser(text)
    try:
        return _parse_events(loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = YamlProblem(line, col, "", _syntax_message(exc, text))
        return ParsedDocument(None, SourceMap(), [problem])
    except yaml.YAMLError as exc:
        return ParsedDocument(None, SourceMap(), [YamlProblem(1, 1, "", str(exc))])
    finally:
        loader.dispose()


def _syntax_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    """libyaml's problem, where the construct it was reading started, and a hint for the
    two mistakes people make most (tabs, and an unquoted value containing ': ')."""
    message = f"YAML syntax error: {exc.problem or 'invalid YAML'}"
    start, at = exc.context_mark, exc.problem_mark
    if exc.context:
        message += f" ({exc.context}"
        if start is not None and at is not None and start.line != at.line:
            message += f" that starts at line {start.line + 1}"
        message += ")"
    index = at.index if at is not None else -1
    if 0 <= index < len(text) and text[index] == "\t" and "tab" not in message:
        message += "; YAML indents with spaces, not tabs"
    if "mapping values are not allowed" in message:
        message += "; quote a value that contains ': '"
    return message


def _parse_events(loader: Any) -> ParsedDocument:
    events: Iterator[Event] = iter(loader.get_event, None)
    next(events)  # StreamStartEvent
    start = next(events)
    if isinstance(start, StreamEndEvent):
        return ParsedDocument(None, SourceMap(), [YamlProblem(1, 1, "", "the file is empty")])
    builder = _Builder(events)
    data = builder.build(())
    builder.next_event()  # DocumentEndEvent
    after = builder.next_event()
    if isinstance(after, DocumentStartEvent):
        builder.problems.append(
            YamlProblem(
                *_position(after),
                "",
                "only one YAML document per file is allowed (found a second '---')",
            )
        )
    return ParsedDocument(data, builder.source, builder.problems)
