"""The field map: every field of a PortIn spec, where it goes in the API and how it travels.

One row per spec field says its order-API path, its direction, the API's default when it is
left out and its shape (which fixes its normalisation). The rows drive every translation
between the two shapes, so that they cannot disagree:

* spec → create/PUT body (`reconciler.spec.effective`),
* live order → spec (`reconciler.importing.build`),
* the essence both sides are compared in (`reconciler.essence`),
* which names are secrets (`reconciler.desired.SECRET_FIELDS`).

The emulator keeps its own copy of the API's rules, and `tests/core/test_fieldmap.py` checks
that it stores every field the map sends, that every field of the models has a row and every
row a field, and (a round-trip property) that any spec applied and imported again comes back
equal. Adding a spec field is: the pydantic field in `reconciler.spec.v1` and one row here.

Paths are dotted. `ORDER_ROWS` are relative to the PortIn document and to the order;
`NUMBER_ROWS` to one number, whether written under `spec.defaults` or in a
`spec.phoneNumbers` entry (`NUMBER_SCOPES`), and to one entry of the order's `phoneNumbers`.
See docs/design.md#spec-format and docs/api-notes.md#data-model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import Enum
from functools import cache
from typing import Any

from reconciler.apidefaults import DEFAULT_TYPE_OF_SERVICE, SYSTEM_PORT_TIME, SYSTEM_PORT_TIME_ZONE
from reconciler.dates import parse_moment


class Direction(Enum):
    """How a field travels between a spec and the order.

    A PUT replaces the whole order (docs/api-notes.md#endpoints), so every field sent on
    create is sent again on every update: there is no create-only order field.
    """

    SENT = "sent on create and update"
    SECRET = "sent on create and update; a secret (${...} in specs, imported as a reference)"  # noqa: S105
    IDENTITY = "sent as referencePrefix + name (customerOrderReference); orders are matched on it"
    LIFECYCLE = "read-only on the order (its status); changed by a cancel, never in a body"
    POSTED_ONCE = "posted once through its own endpoint; never updated, never imported"
    LOCAL = "portctl's own; never sent"

    @property
    def in_body(self) -> bool:
        """True for fields the create/PUT body carries at their `api` path."""
        return self in (Direction.SENT, Direction.SECRET)


class Shape(Enum):
    """A field's kind of value; it decides the field's normalisation (`normalise`)."""

    TEXT = "text"
    """Compared as is; blank means unset (`essence.drop_empty`)."""
    DATE = "date"
    """YYYY-MM-DD; the API may answer a date-time at midnight UTC, which means the date."""
    TIME = "time"
    """HH:MM:SS; the API may answer `09:00:00Z` or `09:00`, which mean `09:00:00`."""
    FLAG = "flag"
    """An API boolean that stands for one spec value (`FieldRow.flag`); false is the default."""
    OBJECT = "object"
    """A mapping replaced whole (never merged key by key with `defaults`)."""
    LIST = "list"
    """A list of items (notes, documents, labels, groups)."""


@dataclass(frozen=True)
class FieldRow:
    """One spec field and its place in the API."""

    spec: str
    """Dotted path in the spec (for `NUMBER_ROWS`, within one number)."""
    direction: Direction
    api: str | None = None
    """Dotted path in the order (for `NUMBER_ROWS`, within one number); None if not in it."""
    shape: Shape = Shape.TEXT
    default: Any = None
    """The API's value when the field is left out (filled on both sides before comparing)."""
    config_default: str | None = None
    """The project configuration field whose value, when set, replaces `default`."""
    flag: str | None = None
    """For `Shape.FLAG`: the spec value the API's `true` stands for."""

    @property
    def leaf(self) -> str:
        """The field's own name (the last segment of its spec path)."""
        return self.spec.rsplit(".", 1)[-1]


_SENT, _SECRET = Direction.SENT, Direction.SECRET

ORDER_ROWS: tuple[FieldRow, ...] = (
    FieldRow("apiVersion", Direction.LOCAL),
    FieldRow("kind", Direction.LOCAL),
    FieldRow("metadata.name", Direction.IDENTITY, "customerOrderReference"),
    FieldRow("metadata.labels", Direction.LOCAL, shape=Shape.OBJECT),
    FieldRow("spec.state", Direction.LIFECYCLE, "status"),
    FieldRow(
        "spec.activation.mode",
        _SENT,
        "onDemandActivation",
        Shape.FLAG,
        default=False,
        flag="on-demand",
    ),
    FieldRow("spec.schedule.date", _SENT, "desiredPortSchedule.desiredPortDate", Shape.DATE),
    FieldRow(
        "spec.schedule.time",
        _SENT,
        "desiredPortSchedule.desiredPortTime",
        Shape.TIME,
        default=SYSTEM_PORT_TIME,
        config_default="defaultPortTime",
    ),
    FieldRow(
        "spec.schedule.timeZone",
        _SENT,
        "desiredPortSchedule.desiredPortTimeZone",
        default=SYSTEM_PORT_TIME_ZONE,
        config_default="defaultPortTimeZone",
    ),
    FieldRow("spec.activation.when", Direction.LOCAL),
    FieldRow("spec.activation.groups", Direction.LOCAL, shape=Shape.LIST),
    FieldRow("spec.loa.uploadedBy", _SENT, "loaUploadedBy"),
    FieldRow("spec.loa.attachmentDate", _SENT, "loaAttachmentDate", Shape.DATE),
    FieldRow("spec.resellerName", _SENT, "resellerName"),
    FieldRow("spec.phoneNumbers.number", _SENT, "phoneNumbers.phoneNumber"),
    FieldRow("spec.notes", Direction.POSTED_ONCE, shape=Shape.LIST),
    FieldRow("spec.documents", Direction.POSTED_ONCE, shape=Shape.LIST),
)
"""Order-level fields, in the order the API documents them (bodies are built in this order;
the importer writes specs in the models' order)."""

NUMBER_SCOPES: tuple[str, ...] = ("spec.defaults", "spec.phoneNumbers")
"""Where `NUMBER_ROWS` are written in a spec: `defaults` (merged into every number) and
each long-form `phoneNumbers` entry."""


def _same(path: str, direction: Direction = _SENT, shape: Shape = Shape.TEXT) -> FieldRow:
    """A number field: its spec path and its API path are the same."""
    return FieldRow(path, direction, path, shape)


NUMBER_ROWS: tuple[FieldRow, ...] = (
    *(
        _same(f"endUser.{name}")
        for name in (
            "name",
            "streetNum",
            "streetPreDir",
            "streetName",
            "streetType",
            "streetPostDir",
            "locationType1",
            "locationValue1",
            "locationType2",
            "locationValue2",
            "locationType3",
            "locationValue3",
            "city",
            "state",
            "zipCode",
        )
    ),
    FieldRow(
        "endUser.typeOfService", _SENT, "endUser.typeOfService", default=DEFAULT_TYPE_OF_SERVICE
    ),
    _same("portOutInfo.existingPortOutPin", _SECRET),
    _same("portOutInfo.accountNum", _SECRET),
    _same("portOutInfo.accountPhoneNumber"),
    _same("portOutInfo.authorizingName"),
    _same("portOutInfo.authorizingDate", shape=Shape.DATE),
    _same("voiceConfiguration", shape=Shape.OBJECT),
    _same("smsConfiguration", shape=Shape.OBJECT),
    *(
        _same(f"features.e911.{name}")
        for name in (
            "name",
            "streetNum",
            "streetInfo",
            "location",
            "city",
            "state",
            "postalCode",
            "postalCodePlusFour",
        )
    ),
    _same("newPortOutPin", _SECRET),
)
"""Per-number fields, in the order of the spec models; every one is sent (`in_body`)."""

SECRET_NAMES: frozenset[str] = frozenset(
    row.leaf for row in (*ORDER_ROWS, *NUMBER_ROWS) if row.direction is Direction.SECRET
)
"""Names of the secret fields, wherever they appear."""

NUMBER_KEYS: tuple[str, ...] = tuple(dict.fromkeys(row.spec.split(".")[0] for row in NUMBER_ROWS))
"""The top-level keys of a number (after `phoneNumber`), in the API's order."""

WHOLE_NUMBER_FIELDS: tuple[str, ...] = tuple(row.spec for row in NUMBER_ROWS if "." not in row.spec)
"""Number fields `defaults` gives whole: objects replaced whole, and scalars."""

KEYWISE_GROUPS: tuple[tuple[str, ...], ...] = tuple(
    dict.fromkeys(tuple(row.spec.split(".")[:-1]) for row in NUMBER_ROWS if "." in row.spec)
)
"""Number mappings `defaults` merges key by key: ("endUser",), ("portOutInfo",), ..."""


# --- normalisation ---------------------------------------------------------------------------


def normalise_time(value: str) -> str:
    """`09:00:00Z` and `09:00` both mean `09:00:00` (one doc example carries a trailing Z)."""
    text = value.strip().removesuffix("Z").removesuffix("z")
    if re.fullmatch(r"\d{2}:\d{2}", text):
        text += ":00"
    return text


def normalise_date(value: str) -> str:
    """A date-time at midnight UTC is the date the spec wrote (`2026-04-01`)."""
    moment = parse_moment(value)
    if (
        isinstance(moment, datetime)
        and moment.time() == time()
        and moment.utcoffset() in (None, timedelta(0))
    ):
        return moment.date().isoformat()
    return value


_NORMALISED_SHAPES = frozenset({Shape.DATE, Shape.TIME, Shape.FLAG})
"""The shapes `normalise` rewrites; it returns a value of any other shape as it is."""


def normalise(row: FieldRow, value: Any) -> Any:
    """An API value of `row` in the one spelling both sides are compared in."""
    if row.shape is Shape.DATE and isinstance(value, str):
        return normalise_date(value)
    if row.shape is Shape.TIME and isinstance(value, str):
        return normalise_time(value)
    if row.shape is Shape.FLAG:
        return bool(value)
    return value


def to_spec(row: FieldRow, value: Any) -> Any:
    """An API value of `row` as the spec writes it; None when the spec leaves it out."""
    if row.shape is Shape.FLAG:
        return row.flag if value else None
    if value is None or value == "":
        return None
    if row.shape is Shape.DATE:
        return normalise_date(str(value))[:10]
    if row.shape is Shape.TIME:
        return normalise_time(str(value))
    return value if isinstance(value, Mapping | list) else str(value)


def to_api(row: FieldRow, value: Any) -> Any:
    """A spec value of `row` as the API writes it."""
    if row.shape is Shape.FLAG:
        return value == row.flag
    return value


# --- paths -----------------------------------------------------------------------------------


@cache
def _keys(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def get_path(tree: Any, path: str) -> Any:
    """The value at dotted `path`, or None when any step is missing."""
    for key in _keys(path):
        if type(tree) is not dict and not isinstance(tree, Mapping):
            return None
        tree = tree.get(key)
    return tree


def set_path(tree: dict[str, Any], path: str, value: Any) -> None:
    """Set the value at dotted `path`, creating mappings on the way."""
    *parents, leaf = _keys(path)
    for key in parents:
        tree = tree.setdefault(key, {})
    tree[leaf] = value


def body_rows(rows: Iterable[FieldRow]) -> tuple[FieldRow, ...]:
    """The rows a create/PUT body carries at their `api` path (order-level: not numbers)."""
    return tuple(
        r for r in rows if r.direction.in_body and r.api and not r.api.startswith("phoneNumbers.")
    )


def fallback_of(row: FieldRow, configuration: Mapping[str, Any] | None) -> Any:
    """The value the API gives `row` when it is left out: the configuration's, else its own."""
    if row.config_default and configuration and configuration.get(row.config_default):
        return configuration[row.config_default]
    return row.default


# --- the three translations --------------------------------------------------------------------


def order_fields(document: Mapping[str, Any], configuration: Mapping[str, Any]) -> dict[str, Any]:
    """The order-level body fields of a PortIn document (plain data, unset fields left out),
    with the API's defaults filled in (`configuration`: the project's defaults)."""
    body: dict[str, Any] = {}
    for row in body_rows(ORDER_ROWS):
        assert row.api is not None
        value = get_path(document, row.spec)
        value = fallback_of(row, configuration) if value is None else to_api(row, value)
        if value is not None:
            set_path(body, row.api, value)
    return body


def fill_number(number: dict[str, Any]) -> None:
    """Fill the API's defaults into one number (in place) where their mapping is present."""
    for parent, leaf, default in _NUMBER_DEFAULTS:
        holder = get_path(number, parent) if parent else number
        if isinstance(holder, dict) and holder.get(leaf) in (None, ""):
            holder[leaf] = default


def normalise_order(order: dict[str, Any], configuration: Mapping[str, Any]) -> None:
    """Fill the API's defaults into an order's own fields and normalise them (in place)."""
    for row in body_rows(ORDER_ROWS):
        assert row.api is not None
        value = get_path(order, row.api)
        if value in (None, ""):
            value = fallback_of(row, configuration)
            if value is None:
                continue
        set_path(order, row.api, normalise(row, value))


def normalise_number(number: dict[str, Any]) -> None:
    """Normalise the fields of one number (in place)."""
    for row in _NUMBER_NORMALISED:
        assert row.api is not None
        value = get_path(number, row.api)
        if value is not None:
            set_path(number, row.api, normalise(row, value))


_NUMBER_DEFAULTS: tuple[tuple[str, str, Any], ...] = tuple(
    (*row.api.rpartition(".")[::2], row.default)
    for row in NUMBER_ROWS
    if row.default is not None and row.api is not None
)
"""(parent path, leaf, default) of the number fields the API fills in when they are left out."""
_NUMBER_NORMALISED = tuple(row for row in NUMBER_ROWS if row.shape in _NORMALISED_SHAPES)
"""The number rows `normalise` may change (the others it returns as they are): once per number
of every order compared, so the rows are chosen once (issue 12)."""


def spec_fields(order: Mapping[str, Any]) -> dict[str, Any]:
    """The order-level spec fields (the `spec` part) that describe `order`; defaults the
    spec would leave out are left out."""
    spec: dict[str, Any] = {}
    for row in body_rows(ORDER_ROWS):
        assert row.api is not None
        value = to_spec(row, get_path(order, row.api))
        if value is not None:
            set_path(spec, row.spec.removeprefix("spec."), value)
    return spec
