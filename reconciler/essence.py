"""The comparable "essence" of an order: both sides normalised to the API *input* shape.

False drift is the first thing that makes reviewers stop reading plans. The live API returns
server-owned fields (ids, statuses, dates set by Sinch, counts, carrier groups, validated e911
copies), may fill defaults the spec leaves out (port time and zone, `typeOfService`), may
return `""` where the spec has nothing, and may write `09:00:00Z` for `09:00:00`. Both the
desired body and the live order go through the same normalisation here, so that after a
successful apply the two essences are equal and the plan is empty.

The result keeps the input shape except that `phoneNumbers` becomes a mapping keyed by E.164:
numbers are identities, never positions. Secret fields are kept (they are compared) and
must never be printed from an essence; `diff` redacts them. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from reconciler.apidefaults import SYSTEM_PORT_TIME, SYSTEM_PORT_TIME_ZONE
from reconciler.fieldmap import fill_number, normalise_number, normalise_order
from reconciler.fieldmap import normalise_date as normalise_date  # re-exported
from reconciler.fieldmap import normalise_time as normalise_time  # re-exported

ORDER_SERVER_FIELDS: frozenset[str] = frozenset(
    {
        "id",
        "status",
        "createdDate",
        "notes",
        "documents",
        "phoneNumberQuantity",
        "focQuantity",
        "activatedQuantity",
        "rejectedQuantity",
        "excludedQuantity",
    }
)
"""Order fields Sinch owns: never sent, never compared."""

NUMBER_SERVER_FIELDS: frozenset[str] = frozenset(
    {
        "status",
        "countryCode",
        "phoneNumberGroup",
        "focDate",
        "confirmedDate",
        "activatedDate",
        "activateUser",
        "rejectReason",
        "exclusionReason",
        "exclusionDate",
        "excludedFeatures",
    }
)
"""Per-number fields Sinch owns ("out" in docs/api-notes.md#data-model)."""

E911_SERVER_PREFIX = "enh"
"""`features.e911.enh*` are the carrier-validated read-only copies of the e911 address."""


@dataclass(frozen=True)
class PortDefaults:
    """The port time and zone an order without its own gets (docs/api-notes.md#data-model)."""

    time: str = SYSTEM_PORT_TIME
    time_zone: str = SYSTEM_PORT_TIME_ZONE


def port_defaults(configuration: Mapping[str, Any] | None) -> PortDefaults:
    """Project configuration first, then the system default 09:00:00 US/Eastern."""
    config = configuration or {}
    time = config.get("defaultPortTime") or SYSTEM_PORT_TIME
    zone = config.get("defaultPortTimeZone") or SYSTEM_PORT_TIME_ZONE
    return PortDefaults(time=normalise_time(str(time)), time_zone=str(zone))


class IgnoreRules:
    """`ignoreFields` from `portctl.yaml`: dotted paths removed from both sides before diffing.

    A pattern is a dotted path where `phoneNumbers[*]` (or `phoneNumbers.*`) stands for every
    number and each segment may use shell wildcards, e.g. `loaUploadedBy`,
    `phoneNumbers[*].endUser.streetType`, `phoneNumbers[+13125550141].features`. A pattern
    naming a mapping removes all of it. Project configuration fields are named under
    `configuration.` (`configuration.webhookUrl`), so an order field is never hit by accident.
    """

    def __init__(self, patterns: Iterable[str] = ()) -> None:
        self._patterns = tuple(split_path(p) for p in patterns if p.strip())

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def matches(self, path: tuple[str, ...]) -> bool:
        """True when `path` is exactly one of the patterns."""
        return any(
            len(pattern) == len(path)
            and all(fnmatchcase(seg, pat) for seg, pat in zip(path, pattern, strict=True))
            for pattern in self._patterns
        )

    def apply(self, tree: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> dict[str, Any]:
        """A copy of `tree` without the ignored keys (recursively)."""
        out: dict[str, Any] = {}
        for key, value in tree.items():
            path = (*prefix, key)
            if self.matches(path):
                continue
            out[key] = self.apply(value, path) if isinstance(value, Mapping) else value
        return out


def split_path(path: str) -> tuple[str, ...]:
    """`phoneNumbers[+1555].endUser.city` -> `("phoneNumbers", "+1555", "endUser", "city")`."""
    segments: list[str] = []
    for part in re.findall(r"\[([^\]]*)\]|([^.\[\]]+)", path.strip()):
        bracket, plain = part
        segments.append(bracket if bracket else plain)
    return tuple(segments)


def join_path(path: Iterable[str]) -> str:
    """Inverse of `split_path`: numbers under `phoneNumbers` are written in brackets."""
    text = ""
    previous = ""
    for segment in path:
        if previous == "phoneNumbers" or not re.fullmatch(r"[A-Za-z_][\w-]*", segment):
            text += f"[{segment}]"
        else:
            text += f".{segment}" if text else segment
        previous = segment
    return text


def drop_empty(value: Any) -> Any:
    """Drop `None`, blank strings and empty containers, recursively (lists too): the API treats
    them as "not set". The importer uses it too, so a spec it writes has what plan compares.

    It runs on every field of every number compared (both sides of the 2,000 open orders of
    a 10,000-spec plan), so it makes one pass and settles the common leaves (text, numbers,
    flags) without a call (issue 12). Keys that are not text take `_drop_empty_keys`, where
    `str()` may make two of them one, as it always did."""
    kind = type(value)
    if kind is str:  # the common case first: exact type tests are cheap, ABC checks are not
        return value if value.strip() else ""
    if kind is dict or isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if type(key) is not str:
                return _drop_empty_keys(value)
            leaf = type(item)
            if leaf is str:
                if item.strip():
                    out[key] = item
            elif leaf is int or leaf is bool or leaf is float:
                out[key] = item
            elif item is not None:
                cleaned = drop_empty(item)
                if not _empty(cleaned):
                    out[key] = cleaned
        return out
    if kind is list or isinstance(value, list | tuple):
        items = []
        for item in value:
            leaf = type(item)
            if leaf is str:
                if item.strip():
                    items.append(item)
            elif leaf is int or leaf is bool or leaf is float:
                items.append(item)
            elif item is not None:
                cleaned = drop_empty(item)
                if not _empty(cleaned):
                    items.append(cleaned)
        return items
    if isinstance(value, str):
        return value if value.strip() else ""
    return value


def _drop_empty_keys(value: Mapping[Any, Any]) -> dict[str, Any]:
    """`drop_empty` of a mapping with keys that are not all text."""
    cleaned = {str(k): drop_empty(v) for k, v in value.items()}
    return {k: v for k, v in cleaned.items() if not _empty(v)}


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, Mapping | list) and not value)


def input_number(number: Mapping[str, Any]) -> dict[str, Any]:
    """A number reduced to the fields a request may carry (`phoneNumber` kept).

    Server-owned fields, the carrier-validated `enh*` e911 copies and empty values are
    dropped, `authorizingDate` is written as a date. Plan compares this and the importer
    writes it into specs, so an imported spec plans empty by construction.
    """
    out: dict[str, Any] = drop_empty(
        {k: v for k, v in number.items() if k not in NUMBER_SERVER_FIELDS}
    )
    normalise_number(out)
    features = out.get("features")
    if isinstance(features, dict) and isinstance(features.get("e911"), dict):
        e911 = {k: v for k, v in features["e911"].items() if not k.startswith(E911_SERVER_PREFIX)}
        out["features"] = drop_empty({**features, "e911": e911})
        if not out["features"]:
            del out["features"]
    return out


def _number_essence(number: Mapping[str, Any]) -> dict[str, Any]:
    out = input_number(number)
    out.pop("phoneNumber", None)
    fill_number(out)
    return out


def number_essences(order: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The order's numbers by E.164, each reduced to its essence: the bulk of `order_essence`,
    and the part that needs neither the configuration nor the ignore rules."""
    return {str(n["phoneNumber"]): _number_essence(n) for n in order.get("phoneNumbers") or ()}


def numbers_digest(order: Mapping[str, Any]) -> bytes | None:
    """A digest of the order's `number_essences`: orders with equal digests have equal number
    essences. None when an essence holds a value JSON does not write (then nothing is known).

    A plan works it out for each side as that side becomes known, while reads are in flight,
    and keeps only the digest (`reconciler.compare.compare_order`'s `same_numbers`): reducing
    the numbers was most of comparing the 2,000 open orders of 10,000 specs after the last
    read, and keeping both sides' essences until then cost 70 MB (issue 12). Equal canonical
    JSON means equal values: keys are text (`drop_empty` makes them so), containers are dicts
    and lists, and NaN, the one JSON value unequal to itself, is refused. Values that are
    equal but written differently (1 and 1.0) only lose the shortcut."""
    try:
        text = json.dumps(
            number_essences(order), sort_keys=True, allow_nan=False, separators=(",", ":")
        )
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(text.encode()).digest()


def order_essence(
    order: Mapping[str, Any],
    *,
    defaults: PortDefaults = PortDefaults(),
    ignore: IgnoreRules | None = None,
    numbers: bool = True,
) -> dict[str, Any]:
    """Normalise a desired body or a live order into the comparable input-shape essence.

    `numbers` false leaves the numbers out (an empty `phoneNumbers`: the rest of two
    orders whose `numbers_digest` are equal, `reconciler.compare.compare_order`)."""
    out = tree_copy(
        {k: v for k, v in order.items() if k not in ORDER_SERVER_FIELDS and k != "phoneNumbers"}
    )
    fallback = {"defaultPortTime": defaults.time, "defaultPortTimeZone": defaults.time_zone}
    normalise_order(out, fallback)
    out = drop_empty(out)
    out["phoneNumbers"] = number_essences(order) if numbers else {}
    return ignore.apply(out) if ignore else out


def tree_copy(tree: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a JSON-like tree whose mappings and lists are new and whose leaves are shared:
    what may be changed in place here (half of `copy.deepcopy`'s time on an order body)."""
    return {key: _copied(value) for key, value in tree.items()}


def _copied(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tree_copy(value)
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


def configuration_essence(
    configuration: Mapping[str, Any], *, ignore: IgnoreRules | None = None
) -> dict[str, Any]:
    """Normalise the project configuration (`/configuration` shape) for comparison."""
    out: dict[str, Any] = drop_empty(dict(configuration))
    if isinstance(out.get("defaultPortTime"), str):
        out["defaultPortTime"] = normalise_time(out["defaultPortTime"])
    if ignore:
        out = ignore.apply(out, ("configuration",))
    return out
