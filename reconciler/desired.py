"""Desired state: what the specs ask for, in the API's own shapes, ready to diff.

This is the seam between the spec package (which parses, validates and resolves YAML) and the
pure core (diff, plan, render). Nothing here knows about YAML or HTTP.

`DesiredOrder.body` is the effective order in the API's *input* shape
(docs/api-notes.md#data-model): the `defaults` merged into each number, short-form numbers expanded,
secrets resolved to their values. It is exactly what a create (POST) or full update (PUT) sends.
Because it carries secret values it must never be printed; renderers show secret fields as
`(secret changed)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from reconciler.essence import numbers_digest
from reconciler.fieldmap import SECRET_NAMES

SECRET_FIELDS: frozenset[str] = SECRET_NAMES
"""Field names whose values are secrets wherever they appear in an order (the field map's
`Direction.SECRET` rows)."""

OrderState = Literal["active", "canceled"]
ActivationMode = Literal["scheduled", "on-demand"]
ActivationWhen = Literal["manual", "ready"]


@dataclass(frozen=True)
class SourceLocation:
    """Where a spec came from, for messages (`file:line:col`)."""

    file: Path
    line: int = 1
    col: int = 1


NOWHERE = SourceLocation(Path("-"))
"""The source of what was built without a file (a plan's sketch of the specs, tests): one
shared object, so that 10,000 sketches coming back from worker processes are not 10,000 paths
made, pickled and parsed again (issue 12)."""


@dataclass(frozen=True)
class DesiredDocument:
    """A document to upload once per order, matched live by `name` (the API's documentName)."""

    name: str
    path: Path
    description: str = ""


@dataclass(frozen=True)
class DesiredOrder:
    """One PortIn spec, resolved: identity, lifecycle wishes and the full order body."""

    name: str
    reference: str
    """`customerOrderReference` = settings.referencePrefix + metadata.name; the order identity."""
    state: OrderState
    activation_mode: ActivationMode
    activation_when: ActivationWhen
    activation_groups: tuple[str, ...]
    """On-demand + manual: the `phoneNumberGroup` names approved for activation."""
    body: Mapping[str, Any]
    notes: tuple[str, ...] = ()
    documents: tuple[DesiredDocument, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    source: SourceLocation = NOWHERE

    @property
    def phone_numbers(self) -> tuple[str, ...]:
        """The E.164 numbers of the order, in spec order."""
        return tuple(str(n["phoneNumber"]) for n in self.body.get("phoneNumbers", ()))

    @cached_property
    def numbers_digest(self) -> bytes | None:
        """`essence.numbers_digest` of the body: what a plan compares with the live order's
        first (`reconciler.compare.compare_order`'s `same_numbers`). Worked out once, where
        the body is built when that is a worker process with a core to spare (a plan's
        background build, `reconciler.spec.project`), and sent along with the body: the main
        process, reading the API meanwhile, then never works it out (issue 12)."""
        return numbers_digest(self.body)


@dataclass(frozen=True)
class DesiredConfiguration:
    """The PortingDefaults spec: the project configuration body (API `/configuration` shape)."""

    body: Mapping[str, Any]
    source: SourceLocation = NOWHERE


@dataclass(frozen=True)
class SafetyBudgets:
    """Apply-time limits (docs/design.md#safety-rules); flags override what `portctl.yaml` sets."""

    max_cancels: int = 0
    max_prune: int = 0
    max_numbers_touched: int | None = None


@dataclass(frozen=True)
class DesiredState:
    """Everything the specs under the given paths ask for."""

    orders: tuple[DesiredOrder, ...]
    configuration: DesiredConfiguration | None = None
    reference_prefix: str = ""
    ignore_fields: tuple[str, ...] = ()
    safety: SafetyBudgets = field(default_factory=SafetyBudgets)
    spec_digest: str = ""
    """sha256 over the bytes of the spec files and the documents they upload (sorted by
    repository-relative path); binds a saved plan to the specs. Secret values are not in it."""
    settings_file: str = ""
    """The Settings file (`portctl.yaml`) in use, as displayed; "" when there is none."""
    whole_project: bool = True
    """Whether every spec of the project was loaded. False when only some files were named or
    a selector picked some orders: then a live order under the prefix that matches no loaded
    spec may be a spec left out, so orphans are not looked for (and never pruned)."""
