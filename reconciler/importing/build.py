"""A live order turned into a PortIn spec document: defaults factored out, secrets referenced.

The spec must describe the order so exactly that `plan` finds nothing to change, and be as
short as a person would write it:

* per-number input fields only (server-owned fields and the carrier-validated `enh*` e911
  copies dropped, empty values dropped, date-times at midnight written as dates);
* `endUser`, `portOutInfo` and `features.e911` keys that every number has move to `defaults`
  key by key (the way the loader merges them back) with the value most numbers share;
  `voiceConfiguration`, `smsConfiguration` and `newPortOutPin` likewise, whole (they are
  replaced whole); numbers keep only what differs, and one left with nothing is written in
  short form;
* secret values (`existingPortOutPin`, `accountNum`, `newPortOutPin`) are replaced by
  `${VARIABLE}` references. The values themselves are never returned: only which variable
  stands for which field of which numbers, so the user can fill them in.

Pure: a dict in, a dict out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from reconciler.apidefaults import PORT_TIME_ZONES
from reconciler.essence import input_number
from reconciler.fieldmap import (
    KEYWISE_GROUPS,
    NUMBER_ROWS,
    WHOLE_NUMBER_FIELDS,
    Direction,
    get_path,
    spec_fields,
)
from reconciler.importing.naming import secret_variable
from reconciler.lifecycle import is_canceled_or_canceling, order_status
from reconciler.redact import register_secret
from reconciler.spec.v1 import (
    E911,
    EndUser,
    Loa,
    NumberSettings,
    PhoneNumberEntry,
    PortInSpec,
    PortOutInfo,
)

KEYWISE_PATHS: tuple[tuple[str, ...], ...] = KEYWISE_GROUPS
REPLACED_WHOLE: tuple[str, ...] = WHOLE_NUMBER_FIELDS


@dataclass(frozen=True)
class SecretUse:
    """A `${VARIABLE}` the imported spec needs: which field of which order and numbers."""

    variable: str
    field: str
    order_id: int
    reference: str
    numbers: tuple[str, ...]

    def describe(self) -> str:
        """`ACME_PORT_PIN: existingPortOutPin of order 123 (gitops/acme), 5 numbers`."""
        count = len(self.numbers)
        which = self.numbers[0] if count == 1 else f"{count} numbers"
        return (
            f"{self.variable}: {self.field} of order {self.order_id} "
            f"({self.reference or 'no reference'}), {which}"
        )


@dataclass(frozen=True)
class ImportedSpec:
    """One spec document (plain data, no secret values) and what it needs."""

    name: str
    order_id: int
    status: str
    document: dict[str, Any]
    secrets: tuple[SecretUse, ...]
    warnings: tuple[str, ...] = ()


def _get(tree: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(tree, Mapping):
            return None
        tree = tree.get(key)
    return tree


def _majority(values: Sequence[Any]) -> Any:
    """The value most numbers share (first seen wins a tie), or None when no two share one.

    A one-number order is the exception: its only value is the majority, so its spec has
    `defaults` and a short-form number, like a spec a person writes.
    """
    best, count = None, 0
    for candidate in values:
        seen = sum(1 for v in values if v == candidate)
        if seen > count:
            best, count = candidate, seen
    return best if count >= min(2, len(values)) else None


def _drop(number: dict[str, Any], path: tuple[str, ...], key: str) -> None:
    """Remove `path.key` from a number, and mappings left empty on the way up."""
    trail = [number]
    for segment in path:
        trail.append(trail[-1][segment])
    del trail[-1][key]
    for depth in range(len(path), 0, -1):
        if not trail[depth]:
            del trail[depth - 1][path[depth - 1]]


def factor_defaults(numbers: list[dict[str, Any]]) -> dict[str, Any]:
    """Move what most numbers share into `defaults` (numbers are edited in place).

    Only keys every number has are candidates: a number without the key would gain it from
    `defaults`. The value most numbers share moves; the other numbers keep their own value,
    which wins over the default when the loader merges them back.
    """
    defaults: dict[str, Any] = {}
    if not numbers:
        return defaults
    for path in KEYWISE_PATHS:
        first = _get(numbers[0], path)
        if not isinstance(first, Mapping):
            continue
        for key in list(first):
            values = [_get(n, (*path, key)) for n in numbers]
            if any(v is None for v in values):
                continue
            common = _majority(values)
            if common is None:
                continue
            target = defaults
            for segment in path:
                target = target.setdefault(segment, {})
            target[key] = common
            for number in numbers:
                if _get(number, (*path, key)) == common:
                    _drop(number, path, key)
    for key in REPLACED_WHOLE:
        values = [n.get(key) for n in numbers]
        common = _majority(values) if all(v is not None for v in values) else None
        if common is not None:
            defaults[key] = common
            for number in numbers:
                if number[key] == common:
                    del number[key]
    return defaults


_SECRET_PATHS = sorted(
    (row.spec for row in NUMBER_ROWS if row.direction is Direction.SECRET),
    key=lambda path: path.count("."),
)


def _secret_slots(tree: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """(container, field) pairs holding a secret in a defaults or number mapping."""
    slots = []
    for path in _SECRET_PATHS:
        parent, _, leaf = path.rpartition(".")
        holder = get_path(tree, parent) if parent else tree
        if isinstance(holder, dict) and leaf in holder:
            slots.append((holder, leaf))
    return slots


def reference_secrets(
    defaults: dict[str, Any],
    numbers: list[dict[str, Any]],
    *,
    name: str,
    order_id: int,
    reference: str,
) -> tuple[SecretUse, ...]:
    """Replace every secret value by a `${VARIABLE}` reference (in place); say which."""
    uses: list[SecretUse] = []
    all_numbers = tuple(str(n["phoneNumber"]) for n in numbers)
    for container, field in _secret_slots(defaults):
        variable = secret_variable(name, field)
        register_secret(str(container[field]))
        container[field] = f"${{{variable}}}"
        uses.append(SecretUse(variable, field, order_id, reference, all_numbers))
    for number in numbers:
        e164 = str(number["phoneNumber"])
        for container, field in _secret_slots(number):
            variable = secret_variable(name, field, e164)
            register_secret(str(container[field]))
            container[field] = f"${{{variable}}}"
            uses.append(SecretUse(variable, field, order_id, reference, (e164,)))
    return tuple(uses)


def _order_spec(order: Mapping[str, Any], warnings: list[str]) -> dict[str, Any]:
    """The order-level spec fields (the field map's), with what a spec cannot say warned of."""
    spec = spec_fields(order)
    zone = spec.get("schedule", {}).get("timeZone")
    if zone is not None and zone not in PORT_TIME_ZONES:
        warnings.append(f"port time zone {zone} is not one portctl accepts")
    loa = spec.get("loa")
    if loa is not None and set(loa) != set(Loa.model_fields):
        warnings.append("only one of loaUploadedBy/loaAttachmentDate is set; a spec needs both")
        del spec["loa"]
    return spec


def _key_order(model: type[BaseModel]) -> dict[str, int]:
    return {name: index for index, name in enumerate(model.model_fields)}


FIELD_ORDER: dict[str, dict[str, int]] = {
    "endUser": _key_order(EndUser),
    "portOutInfo": _key_order(PortOutInfo),
    "e911": _key_order(E911),
    "number": {**_key_order(PhoneNumberEntry), "number": -1},  # the E.164 first, then overrides
    "defaults": _key_order(NumberSettings),
    "spec": _key_order(PortInSpec),
}
"""Keys are written in the order the spec models (and the JSON schema) list them."""


def in_schema_order(tree: dict[str, Any], kind: str) -> dict[str, Any]:
    """`tree` with its keys (and those of the known nested mappings) in schema order."""
    order = FIELD_ORDER.get(kind, {})
    keys = sorted(tree, key=lambda k: (order.get(k, len(order)), k))
    out: dict[str, Any] = {}
    for key in keys:
        value = tree[key]
        if isinstance(value, dict) and (key in FIELD_ORDER or key == "features"):
            value = in_schema_order(value, key)
        out[key] = value
    return out


def spec_from_order(order: Mapping[str, Any], *, name: str) -> ImportedSpec:
    """The PortIn spec (plain data) that describes live `order` exactly."""
    order_id = int(order["id"])
    status = order_status(order.get("status"))
    reference = str(order.get("customerOrderReference") or "")
    warnings: list[str] = []
    numbers = [input_number(n) for n in order.get("phoneNumbers") or () if isinstance(n, Mapping)]
    defaults = factor_defaults(numbers)
    secrets = reference_secrets(
        defaults, numbers, name=name, order_id=order_id, reference=reference
    )
    spec: dict[str, Any] = _order_spec(order, warnings)
    if is_canceled_or_canceling(status):
        spec["state"] = "canceled"
    if defaults:
        spec["defaults"] = in_schema_order(defaults, "defaults")
    spec["phoneNumbers"] = [
        n["phoneNumber"]
        if len(n) == 1
        else in_schema_order({"number": n.pop("phoneNumber"), **n}, "number")
        for n in numbers
    ]
    document = {
        "apiVersion": "portctl/v1",
        "kind": "PortIn",
        "metadata": {"name": name},
        "spec": in_schema_order(spec, "spec"),
    }
    return ImportedSpec(name, order_id, status, document, secrets, tuple(warnings))
