"""Essence normalisation: what must *not* show up as drift.

See docs/design.md#decision-table and docs/api-notes.md#data-model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from reconciler.compare import compare_order
from reconciler.essence import (
    IgnoreRules,
    configuration_essence,
    drop_empty,
    join_path,
    number_essences,
    numbers_digest,
    order_essence,
    port_defaults,
    split_path,
)
from tests.core.builders import PIN, body, live_order, number


def test_live_order_as_created_has_the_same_essence_as_its_body() -> None:
    spec = body("gitops/a", [number("+13125550141"), number("+13125550142")])
    live = live_order(7, spec, focDate="2026-12-01", rejectReason="")
    live["phoneNumbers"][0]["features"] = {"e911": {"enhCity": "ANYTOWN"}}
    assert order_essence(live) == order_essence(spec)


def test_numbers_are_keyed_by_e164_not_position() -> None:
    first, second = number("+13125550141"), number("+13125550142")
    assert order_essence(body("r", [first, second])) == order_essence(body("r", [second, first]))
    assert list(order_essence(body("r", [first]))["phoneNumbers"]) == ["+13125550141"]


def test_port_time_defaults_come_from_configuration_then_system() -> None:
    spec = body("r", [number("+13125550141")])
    system = order_essence(spec)["desiredPortSchedule"]
    assert system == {
        "desiredPortDate": "2026-12-15",
        "desiredPortTime": "09:00:00",
        "desiredPortTimeZone": "US/Eastern",
    }
    defaults = port_defaults({"defaultPortTime": "10:30:00Z", "defaultPortTimeZone": "US/Pacific"})
    configured = order_essence(spec, defaults=defaults)["desiredPortSchedule"]
    assert configured["desiredPortTime"] == "10:30:00"
    assert configured["desiredPortTimeZone"] == "US/Pacific"


def test_empty_strings_equal_absent_and_type_of_service_defaults_to_b() -> None:
    spec = body("r", [number("+13125550141")])
    live = body("r", [number("+13125550141")], resellerName="", loaUploadedBy=None)
    live["phoneNumbers"][0]["endUser"]["typeOfService"] = ""
    assert order_essence(live) == order_essence(spec)
    assert order_essence(spec)["phoneNumbers"]["+13125550141"]["endUser"]["typeOfService"] == "B"


def test_midnight_date_times_equal_dates() -> None:
    spec = body("r", [number("+13125550141")], loaAttachmentDate="2026-04-01")
    live = body("r", [number("+13125550141")], loaAttachmentDate="2026-04-01T00:00:00.000Z")
    live["desiredPortSchedule"]["desiredPortDate"] = "2026-12-15T00:00:00Z"
    assert order_essence(live) == order_essence(spec)


def test_ignore_rules_remove_paths_on_both_sides_with_wildcards() -> None:
    rules = IgnoreRules(["loaUploadedBy", "phoneNumbers[*].endUser.streetType"])
    spec = body("r", [number("+13125550141")], loaUploadedBy="Jane")
    essence = order_essence(spec, ignore=rules)
    assert "loaUploadedBy" not in essence
    assert "streetType" not in essence["phoneNumbers"]["+13125550141"]["endUser"]
    assert essence["phoneNumbers"]["+13125550141"]["endUser"]["city"] == "Anytown"


def test_paths_round_trip() -> None:
    path = ("phoneNumbers", "+15551234567", "endUser", "city")
    assert join_path(path) == "phoneNumbers[+15551234567].endUser.city"
    assert split_path(join_path(path)) == path


def test_configuration_essence_tolerates_trailing_z_and_empty_fields() -> None:
    assert configuration_essence({"defaultPortTime": "09:00:00Z", "webhookUrl": ""}) == {
        "defaultPortTime": "09:00:00"
    }


def _drop_empty_by_the_rule(value: Any) -> Any:
    """The rule `drop_empty` keeps, written plainly (its one-pass form is for speed)."""
    if isinstance(value, Mapping):
        cleaned = {str(k): _drop_empty_by_the_rule(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if not _is_unset(v)}
    if isinstance(value, list | tuple):
        items = [_drop_empty_by_the_rule(v) for v in value]
        return [v for v in items if not _is_unset(v)]
    if isinstance(value, str):
        return value if value.strip() else ""
    return value


def _is_unset(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, Mapping | list) and not value)


_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.sampled_from(["", " ", "\t", "x", " y "]),
)
_KEYS = st.sampled_from(["a", "", "0", "1", 0, 1])
_TREES = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(_KEYS, inner, max_size=4),
    ),
    max_leaves=25,
)


@given(_TREES)
@example({1: "x", "1": " "})
@example({"a": [None, (), {"b": ""}], "c": 0, "d": False})
def test_drop_empty_follows_its_rule_for_any_tree(tree: Any) -> None:
    """Keys that collide once made text (1 and "1") included: the later one decides."""
    assert drop_empty(tree) == _drop_empty_by_the_rule(tree)


def test_numbers_digest_tells_equal_number_essences_apart_from_unequal_ones() -> None:
    spec = body("r", [number("+13125550141"), number("+13125550142")])
    live = live_order(7, spec)
    assert numbers_digest(live) == numbers_digest(spec)
    reordered = body("r", [number("+13125550142"), number("+13125550141")])
    assert numbers_digest(reordered) == numbers_digest(spec)
    assert numbers_digest(body("r", [number("+13125550141", city="Springfield")])) != (
        numbers_digest(body("r", [number("+13125550141")]))
    )
    # Values that JSON writes alike but Python tells apart must not share a digest.
    assert numbers_digest(body("r", [number("+13125550141", zone="1")])) != (
        numbers_digest(body("r", [number("+13125550141", zone=1)]))
    )
    assert numbers_digest(body("r", [number("+13125550141", zone=float("nan"))])) is None
    assert numbers_digest(body("r", [number("+13125550141", zone=object())])) is None


_CITIES = st.sampled_from(["Anytown", "ANYTOWN", "Springfield"])
_PINS = st.sampled_from([PIN, "****", "${PLAN_PIN}"])
_IGNORES = st.sampled_from(
    [(), ("loaUploadedBy",), ("phoneNumbers[*].endUser.city",), ("phoneNumbers",)]
)


@given(
    cities=st.tuples(_CITIES, _CITIES),
    pins=st.tuples(_PINS, _PINS),
    uploaders=st.tuples(st.sampled_from(["Jane", "", "Joe"]), st.sampled_from(["Jane", "Joe"])),
    ignore=_IGNORES,
    second_number=st.booleans(),
)
def test_compare_order_with_same_numbers_is_the_full_comparison(
    cities: tuple[str, str],
    pins: tuple[str, str],
    uploaders: tuple[str, str],
    ignore: tuple[str, ...],
    second_number: bool,
) -> None:
    """The shortcut a plan takes when the numbers digests are equal gives the answer of the
    full comparison, whatever else differs, is masked, skipped or ignored (issue 12)."""
    extra = [number("+13125550142")] if second_number else []
    spec = body(
        "r", [number("+13125550141", city=cities[0], pin=pins[0])], loaUploadedBy=uploaders[0]
    )
    live = live_order(
        7,
        body(
            "r",
            [number("+13125550141", city=cities[1], pin=pins[1]), *extra],
            loaUploadedBy=uploaders[1],
        ),
    )
    rules = IgnoreRules(ignore)
    defaults = port_defaults(None)
    full = compare_order(spec, live, defaults=defaults, ignore=rules)
    same = numbers_digest(spec) == numbers_digest(live)
    assert same == (number_essences(spec) == number_essences(live))
    shortcut = compare_order(spec, live, defaults=defaults, ignore=rules, same_numbers=same)
    assert shortcut == full
