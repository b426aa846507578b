"""The body of an update (an order or the configuration): the full desired object, keeping
live values where the diff is blind.

A PUT replaces the whole order (omitted fields are cleared), and `ignoreFields` tells the diff
not to look at some fields. Sending the spec's body as is would therefore clear, or overwrite,
values the user asked portctl to leave alone, and the next plan would not even show it. So
the live value of every ignored field is carried into the body (numbers matched by E.164,
never by position); everything else is the spec's. Secret fields are never carried: a live
secret may be a mask (`****`), and writing it back would overwrite the real PIN (validation
refuses `ignoreFields` on them as well). The configuration gets the same treatment
(its ignore paths start with `configuration.`): whether its PUT replaces is undocumented, and
carrying the live value is harmless if it merges. Pure.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from reconciler.desired import SECRET_FIELDS
from reconciler.essence import IgnoreRules


def _carry(
    target: dict[str, Any], live: Mapping[str, Any], path: tuple[str, ...], ignore: IgnoreRules
) -> None:
    for key, value in live.items():
        here = (*path, key)
        if key in SECRET_FIELDS:
            continue  # a live secret is never sent back (it may be a mask; validation refuses it)
        if ignore.matches(here):
            target[key] = copy.deepcopy(value)
        elif isinstance(value, Mapping):
            inner = target.get(key)
            if isinstance(inner, dict):
                _carry(inner, value, here, ignore)
            elif inner is None:
                built: dict[str, Any] = {}
                _carry(built, value, here, ignore)
                if built:
                    target[key] = built


def update_body(
    desired: Mapping[str, Any], live: Mapping[str, Any], ignore: IgnoreRules
) -> dict[str, Any]:
    """`desired` (a full order body) with the live value of every ignored field put back."""
    body: dict[str, Any] = copy.deepcopy(dict(desired))
    if not ignore:
        return body
    _carry(body, {k: v for k, v in live.items() if k != "phoneNumbers"}, (), ignore)
    live_numbers = {str(n.get("phoneNumber")): n for n in live.get("phoneNumbers") or ()}
    for number in body.get("phoneNumbers") or ():
        found = live_numbers.get(str(number.get("phoneNumber")))
        if found is not None:
            rest = {k: v for k, v in found.items() if k != "phoneNumber"}
            _carry(number, rest, ("phoneNumbers", str(number["phoneNumber"])), ignore)
    return body


def configuration_body(
    desired: Mapping[str, Any], live: Mapping[str, Any] | None, ignore: IgnoreRules
) -> dict[str, Any]:
    """The desired configuration with the live value of every ignored field put back."""
    body: dict[str, Any] = copy.deepcopy(dict(desired))
    if ignore and live:
        _carry(body, live, ("configuration",), ignore)
    return body
