"""The effective order: a PortIn spec expanded into the API's input shape.

The input shape is that of docs/api-notes.md#data-model.

Which spec field goes where, its API default and whether it is a secret come from the field
map (`reconciler.fieldmap`); this module adds the merge. `defaults` are deep-merged into every
number (the number's own value wins, key by key), except the map's `Shape.OBJECT` fields such as
`voiceConfiguration`, a tagged union replaced whole: merging an EST trunk into an RTC app would
make a configuration nobody wrote. Short-form numbers take the defaults only. Unset fields are
left out rather than sent as null, because a PUT clears what it omits and the diff must compare
like with like.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from reconciler.fieldmap import (
    NUMBER_KEYS,
    NUMBER_ROWS,
    ORDER_ROWS,
    Direction,
    Shape,
    fill_number,
    get_path,
    order_fields,
    set_path,
)
from reconciler.spec.v1 import PhoneNumberEntry, PortIn, PortInSpec

_REPLACED_WHOLE = frozenset(row.spec for row in NUMBER_ROWS if row.shape is Shape.OBJECT)
_SECRET_PATHS = tuple(row.spec for row in NUMBER_ROWS if row.direction is Direction.SECRET)
_REFERENCE = next(str(row.api) for row in ORDER_ROWS if row.direction is Direction.IDENTITY)


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `override` laid over it, recursively; `Shape.OBJECT` fields replaced whole.

    The result shares no mapping with its inputs, so filling it in never alters `defaults`.
    """
    merged: dict[str, Any] = _copy(base)
    for key, value in override.items():
        current = merged.get(key)
        if type(current) is dict and isinstance(value, Mapping) and key not in _REPLACED_WHOLE:
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = _copy(value) if isinstance(value, Mapping) else value
    return merged


def _copy(value: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of nested dicts (values are plain JSON data; this runs once per number)."""
    return {k: _copy(v) if type(v) is dict else v for k, v in value.items()}


def defaults_of(spec: PortInSpec) -> dict[str, Any]:
    """The spec's `defaults` as plain data (unset fields left out)."""
    return spec.defaults.model_dump(exclude_none=True) if spec.defaults else {}


def overrides_of(item: str | PhoneNumberEntry) -> dict[str, Any]:
    """A number's own fields as plain data; a short-form number has none."""
    if isinstance(item, str):
        return {}
    return item.model_dump(exclude_none=True, exclude={"number"})


def _merged(number: str, merged: Mapping[str, Any]) -> dict[str, Any]:
    """A number with `defaults` merged in, in the API's key order, before API defaults are
    filled in (a fresh dict: `_api_number` fills it in place)."""
    entry: dict[str, Any] = {"phoneNumber": number}
    entry.update((key, merged[key]) for key in NUMBER_KEYS if key in merged)
    return entry


def _api_numbers(spec: PortInSpec, secret: Callable[[str], str]) -> list[dict[str, Any]]:
    """The body's numbers. Short-form numbers share one filled-in copy of the defaults' nested
    mappings (only `phoneNumber` is their own): nothing alters a desired body after it is built
    (`update_body` deep-copies it), and one copy per number was most of the memory of the
    desired state of a large repository (issue 12: 194k numbers)."""
    defaults = defaults_of(spec)
    shared: dict[str, Any] | None = None
    numbers: list[dict[str, Any]] = []
    for item in spec.phoneNumbers:
        if isinstance(item, str):
            if shared is None:
                shared = _api_number(_merged(item, deep_merge(defaults, {})), secret)
            numbers.append({**shared, "phoneNumber": item})
        else:
            merged = deep_merge(defaults, overrides_of(item))
            numbers.append(_api_number(_merged(item.number, merged), secret))
    return numbers


def order_body(
    document: PortIn,
    *,
    reference: str,
    default_time: str | None,
    default_zone: str | None,
    secret: Callable[[str], str],
) -> dict[str, Any]:
    """The create/PUT body for `document`; `secret` maps each secret field's text to its value."""
    fallback = {"defaultPortTime": default_time, "defaultPortTimeZone": default_zone}
    body: dict[str, Any] = {_REFERENCE: reference}
    body.update(order_fields(document.model_dump(exclude_none=True), fallback))
    spec = document.spec
    body["phoneNumbers"] = _api_numbers(spec, secret)
    return body


def _api_number(number: dict[str, Any], secret: Callable[[str], str]) -> dict[str, Any]:
    """Fill API defaults and put secret values in place of their references."""
    fill_number(number)
    for path in _SECRET_PATHS:
        value = get_path(number, path)
        if value is not None:
            set_path(number, path, secret(value))
    return number
