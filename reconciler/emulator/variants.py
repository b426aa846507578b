"""Emulator variants: one documented switch per thing the Sinch documents leave open.

The default emulator answers the way the documents most plausibly read, and portctl's client was
written against the same reading; a wrong guess shared by both could never be caught by a test.
Each variant makes the emulator answer the way another plausible reading of the API would (an
unknown of docs/api-notes.md#unknowns, or the other side of a documented conflict,
docs/api-notes.md#document-conflicts), so the suite can run portctl against it and check that
portctl stays safe: it either works or stops with a clear error, never duplicates an order,
overwrites a secret or activates a group nobody approved.
docs/api-notes.md#what-we-assume-about-the-sinch-api lists them with what portctl does under each.

A variant is set with `portctl emulator serve --variant NAME=VALUE` (repeatable), on a running
or file-based emulator with `portctl emulator variant NAME=VALUE` (the `/_emulator/variants`
control route; the state file used by `--emulator` keeps it), or in code through
`EmulatorConfig(variants={...})`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    """One switch: its values (the first is the default) and what each one means."""

    name: str
    values: tuple[str, ...]
    about: str
    duration: bool = False
    """Values are durations like `5s` (the default `0s`) instead of a fixed list."""

    @property
    def default(self) -> str:
        """The emulator's own reading (docs/api-notes.md#emulator-choices)."""
        return self.values[0]


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant(
            "paging",
            ("one-based", "zero", "ignore"),
            "`page` of GET /orders/portIns: 1-based (default), 0-based, or ignored "
            "(every page is the first)",
        ),
        Variant(
            "secrets-on-read",
            ("return", "mask", "omit"),
            "port-out PINs and account numbers in order answers: returned as stored (default), "
            "masked as `****`, or left out",
        ),
        Variant(
            "normalise",
            ("none", "upper-city", "squash-space"),
            "what the server rewrites when it stores an order: nothing (default), city names "
            "upper-cased, or runs of blanks in texts (addresses, names, notes, document names) "
            "squeezed to one space and trimmed",
        ),
        Variant(
            "reference-filter",
            ("exact", "substring"),
            "`customerOrderReference=` of the order list: exact match (default) or substring",
        ),
        Variant(
            "activation-key",
            ("both", "groupIds-only", "phoneNumberGroups-only", "whole-order"),
            "which activate body key names the groups: both (default), only the skill's "
            "`groupIds`, or only the OpenAPI `phoneNumberGroups` (the other key is ignored, "
            "which reads as no groups at all: the whole order); `whole-order`: the body is "
            "ignored and every activatable group is activated",
        ),
        Variant(
            "list-lag",
            ("0s",),
            "the order list trails writes: an order appears this long (virtual clock) after "
            "its creation, e.g. `5s`",
            duration=True,
        ),
        Variant(
            "activations-shape",
            ("spec", "skill"),
            "availableActivations answer: the OpenAPI top-level array (default) or the skill's "
            "`{activationGroups: [{groupId, phoneNumbers, status}]}`",
        ),
        Variant(
            "document-path",
            ("both", "spec-only", "skill-only"),
            "document download path: both served (default), only the OpenAPI "
            "`/orders/{id}/documents/{doc}`, or only the skill's `/orders/portIns/{id}/...`",
        ),
        Variant(
            "phone-groups",
            ("served", "absent"),
            "the skill-only `GET /orders/portIns/phoneGroups/{id}`: served (default) or 404",
        ),
        Variant(
            "foc-date",
            ("date-time", "date"),
            "`focDate` as an OpenAPI date-time (default) or the skill's plain date",
        ),
        Variant(
            "time-zones",
            ("with-gmt", "us-only"),
            "port time zones accepted: the 4 US zones and GMT (default, OpenAPI) or the "
            "skill's 4 US zones only",
        ),
        Variant(
            "reference-length",
            ("100", "unlimited"),
            "longest `customerOrderReference`: 100 characters (default, skill) or no limit "
            "(OpenAPI)",
        ),
        Variant(
            "portability-open-orders",
            ("report", "ignore", "ignore-canceling", "waiting-only"),
            "what POST /portabilityChecks says of a number on another open or "
            "PENDING_CANCELATION order: not portable, naming the order (default); `ignore`: "
            "the check does not look at orders (portable); `ignore-canceling`: it looks at "
            "open orders only; `waiting-only`: it sees only numbers still PENDING or "
            "CONFIRMED on them, not REJECTED or ACTIVATED ones. The create's 422 stays",
        ),
        Variant(
            "invalid-status",
            ("422", "400"),
            "status of an order body that breaks a validation rule (a missing required field, "
            "a bad value): 422 with fieldViolations (default) or the document's 400",
        ),
    )
}

_DURATION = re.compile(r"^(\d+)(ms|s|m)?$")


class VariantError(ValueError):
    """An unknown variant name or value; the message lists what is accepted."""


def duration_seconds(text: str) -> float:
    """`5s` -> 5.0, `500ms` -> 0.5, `2m` -> 120.0 (a bare number is seconds)."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise VariantError(f"{text!r} is not a duration like 5s, 500ms or 2m")
    unit = match[2] or "s"
    return int(match[1]) * {"ms": 0.001, "s": 1.0, "m": 60.0}[unit]


def check(name: str, value: str) -> str:
    """The value to store for `name=value`; `VariantError` naming the choices otherwise."""
    variant = VARIANTS.get(name)
    if variant is None:
        raise VariantError(f"unknown emulator variant {name!r}; known: {', '.join(VARIANTS)}")
    if variant.duration:
        duration_seconds(value)
        return value.strip()
    if value not in variant.values:
        raise VariantError(
            f"emulator variant {name} takes one of {', '.join(variant.values)}, not {value!r}"
        )
    return value


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """`["paging=zero", ...]` -> `{"paging": "zero"}`, each checked (`VariantError`)."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise VariantError(f"give a variant as NAME=VALUE, e.g. paging=zero (got {item!r})")
        out[name.strip()] = check(name.strip(), value.strip())
    return out


def effective(chosen: Mapping[str, str]) -> dict[str, str]:
    """Every variant's value in force: the chosen ones, defaults for the rest."""
    return {name: chosen.get(name, v.default) for name, v in VARIANTS.items()}


def is_default(name: str, value: str) -> bool:
    """Whether `value` is what the emulator does anyway (`0s` and `0ms` are the same lag)."""
    variant = VARIANTS[name]
    if variant.duration:
        return duration_seconds(value) == duration_seconds(variant.default)
    return value == variant.default


def non_default(chosen: Mapping[str, str]) -> dict[str, str]:
    """Only the chosen values that differ from the default (what a banner should show)."""
    return {k: v for k, v in effective(chosen).items() if not is_default(k, v)}
