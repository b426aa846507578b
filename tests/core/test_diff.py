"""Field changes: readable paths, removals, secrets never carried as values."""

from __future__ import annotations

import json
from typing import Any

from reconciler.diff import SECRET_MARKER, diff_essence
from reconciler.essence import order_essence
from tests.core.builders import ACCOUNT, PIN, body, number


def _diff(spec: dict[str, Any], live: dict[str, Any]) -> dict[str, tuple[str, object, object]]:
    changes = diff_essence(order_essence(spec), order_essence(live))
    return {c.display_path: (c.op, c.old, c.new) for c in changes}


def test_equal_essences_have_no_changes() -> None:
    spec = body("r", [number("+13125550141")])
    assert diff_essence(order_essence(spec), order_essence(spec)) == ()


def test_changed_leaf_has_a_readable_path() -> None:
    spec = body("r", [number("+13125550141", city="Springfield")])
    live = body("r", [number("+13125550141", city="Anytown")])
    assert _diff(spec, live) == {
        "phoneNumbers[+13125550141].endUser.city": ("change", "Anytown", "Springfield")
    }


def test_live_only_fields_are_removals_and_spec_only_fields_are_additions() -> None:
    spec = body("r", [number("+13125550141")], loaUploadedBy="Jane")
    live = body("r", [number("+13125550141")], resellerName="Acme Wireless")
    assert _diff(spec, live) == {
        "loaUploadedBy": ("add", None, "Jane"),
        "resellerName": ("remove", "Acme Wireless", None),
    }


def test_added_and_removed_numbers_are_one_change_each_with_redacted_values() -> None:
    spec = body("r", [number("+13125550141"), number("+13125550142")])
    live = body("r", [number("+13125550141"), number("+13125550143")])
    changes = diff_essence(order_essence(spec), order_essence(live))
    assert [(c.display_path, c.op) for c in changes] == [
        ("phoneNumbers[+13125550142]", "add"),
        ("phoneNumbers[+13125550143]", "remove"),
    ]
    assert changes[0].new["portOutInfo"]["existingPortOutPin"] == SECRET_MARKER


def test_secret_changes_are_flagged_and_carry_no_value() -> None:
    spec = body("r", [number("+13125550141", pin="1111")])
    live = body("r", [number("+13125550141", pin=PIN)])
    (change,) = diff_essence(order_essence(spec), order_essence(live))
    assert change.secret
    assert change.display_path == "phoneNumbers[+13125550141].portOutInfo.existingPortOutPin"
    serialised = json.dumps(change.to_dict())
    assert PIN not in serialised
    assert "1111" not in serialised
    assert ACCOUNT not in serialised


def test_a_whole_subtree_added_is_flattened_to_leaves() -> None:
    spec = body("r", [number("+13125550141", smsConfiguration={"smsAppId": "app-1"})])
    live = body("r", [number("+13125550141")])
    assert _diff(spec, live) == {
        "phoneNumbers[+13125550141].smsConfiguration.smsAppId": ("add", None, "app-1")
    }
