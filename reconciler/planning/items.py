"""Typed plan items and the `Plan` value: what apply will do, in the order it will do it.

Every item carries a kind (what), the risk tier that kind has (how bad if wrong), a stable
snake_case reason code (`Reason`, for scripts and tests) and a one-line reason (for the
reviewer). Items hold no secret
values: field changes are redacted in `reconciler.diff`, so a plan can be rendered, saved and
checksummed freely. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from reconciler.desired import SafetyBudgets
from reconciler.diff import FieldChange


class Kind(StrEnum):
    """What an item does (docs/design.md#decision-table)."""

    CONFIGURE = "configure"
    CANCEL = "cancel"
    UPDATE = "update"
    CREATE = "create"
    ADD_NOTE = "add-note"
    UPLOAD_DOCUMENT = "upload-document"
    ACTIVATE = "activate"
    BLOCKED = "blocked"
    CONFLICT = "conflict"
    WAIT = "wait"
    ORPHAN = "orphan"
    NOOP = "noop"


class Risk(StrEnum):
    """How reviewers should weigh an item."""

    SAFE = "safe"
    IRREVERSIBLE = "irreversible"
    BLOCKED = "blocked"
    NONE = "none"


KIND_RISK: dict[Kind, Risk] = {
    Kind.CONFIGURE: Risk.SAFE,
    Kind.CANCEL: Risk.IRREVERSIBLE,
    Kind.UPDATE: Risk.SAFE,
    Kind.CREATE: Risk.SAFE,
    Kind.ADD_NOTE: Risk.SAFE,
    Kind.UPLOAD_DOCUMENT: Risk.SAFE,
    Kind.ACTIVATE: Risk.IRREVERSIBLE,
    Kind.BLOCKED: Risk.BLOCKED,
    Kind.CONFLICT: Risk.BLOCKED,
    Kind.WAIT: Risk.NONE,
    Kind.ORPHAN: Risk.NONE,
    Kind.NOOP: Risk.NONE,
}
"""The risk of each kind: a cancel or an activation cannot be undone, nothing else can be."""


class Reason(StrEnum):
    """Why an item is what it is: the stable `reasonCode` of the json output.

    The values are part of the output contract (scripts match on them); the names are the
    rows of docs/design.md#decision-table that produce them.
    """

    # configuration
    CONFIGURATION_MISSING = "configuration_missing"
    CONFIGURATION_DIFFERS = "configuration_differs"
    # a spec with one open order
    IN_SYNC = "in_sync"
    FIELDS_DIFFER = "fields_differ"
    SPEC_CANCELED = "spec_canceled"
    ORDER_BUILDING = "order_building"
    UNKNOWN_STATUS = "unknown_status"
    CANCEL_LOCKED = "cancel_locked"
    ORDER_CONFIRMED_LOCKED = "order_confirmed_locked"
    AWAITING_ACTIVATION = "awaiting_activation"
    GROUPS_READY = "groups_ready"
    UNKNOWN_ACTIVATION_GROUP = "unknown_activation_group"
    MISSING_LIVE = "missing_live"
    """A note or document of the spec that the open order lacks."""
    CONFLICTING_ORDERS = "conflicting_orders"
    # a spec with no open order
    ORDER_MISSING = "order_missing"
    PREVIOUS_ORDER_CANCELED = "previous_order_canceled"
    NEW_ORDER = "new_order"
    """A note or document of an order this plan creates."""
    NUMBER_NOT_PORTABLE = "number_not_portable"
    NUMBERS_ON_OPEN_ORDER = "numbers_on_open_order"
    NUMBERS_HELD_BY_CANCELATION = "numbers_held_by_cancelation"
    ORDER_COMPLETED = "order_completed"
    CANCELATION_IN_PROGRESS = "cancelation_in_progress"
    ALREADY_CANCELED = "already_canceled"
    NO_LIVE_ORDER = "no_live_order"
    # live orders under the reference prefix that match no spec
    NO_SPEC = "no_spec"
    ORPHAN_PRUNED = "orphan_pruned"
    ORPHAN_LOCKED = "orphan_locked"


REMEDIES: dict[Reason, str] = {
    Reason.CONFLICTING_ORDERS: "cancel the wrong order by hand in Sinch; portctl then "
    "manages the one left",
    Reason.UNKNOWN_STATUS: "check the order in Sinch; a newer portctl may know the status",
    Reason.CANCEL_LOCKED: "set the spec back to state: active (the order will port), or ask "
    "Sinch support to stop the port",
    Reason.ORDER_CONFIRMED_LOCKED: "changes are locked: revert the spec to match the order, or "
    "handle it in Sinch",
    Reason.NUMBER_NOT_PORTABLE: "remove the numbers that are not portable from the spec, or "
    "ask the losing carrier why",
    Reason.NUMBERS_ON_OPEN_ORDER: "cancel that order or take the numbers off it in Sinch, or "
    "remove the numbers from this spec; if it is this customer's order under another "
    "reference, adopt it with `portctl import --name ORDER_ID=NAME`",
    Reason.NUMBERS_HELD_BY_CANCELATION: "nothing to do: run apply again once the cancelation "
    "is done",
    Reason.ORDER_BUILDING: "nothing to do: plan again once Sinch has built the order",
    Reason.UNKNOWN_ACTIVATION_GROUP: "name the order's own groups in activation.groups "
    "(`portctl status` lists them)",
}
"""What a person does about each blocked, conflict or wait reason (see docs/design.md,
#decision-table)."""

ACTION_KINDS: frozenset[Kind] = frozenset(
    {
        Kind.CONFIGURE,
        Kind.CANCEL,
        Kind.UPDATE,
        Kind.CREATE,
        Kind.ADD_NOTE,
        Kind.UPLOAD_DOCUMENT,
        Kind.ACTIVATE,
    }
)
"""Kinds apply carries out. `wait` also counts as pending (nothing can happen *yet*)."""

REMEDY_KINDS: frozenset[Kind] = frozenset({Kind.BLOCKED, Kind.CONFLICT, Kind.WAIT})
"""Kinds that leave something for a person to do: each carries its remedy."""

KIND_ORDER: dict[Kind, int] = {kind: index for index, kind in enumerate(Kind)}
"""Apply order (docs/design.md#decision-table): configuration, cancels, updates, creates, notes,
documents, activations; then the items apply does not act on."""


@dataclass(frozen=True)
class Notice:
    """Something a reviewer should know that is not an action (rejections, FOC soon...)."""

    code: str
    message: str
    number: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON shape."""
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.number:
            data["number"] = self.number
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Notice:
        """Inverse of `to_dict`."""
        return cls(code=str(data["code"]), message=str(data["message"]), number=data.get("number"))


@dataclass(frozen=True)
class Portability:
    """Result of the plan-time portability check for one number of an order to create."""

    number: str
    portable: bool
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON shape."""
        return {"number": self.number, "portable": self.portable, "reason": self.reason}


@dataclass(frozen=True)
class PlanItem:
    """One thing the plan says about one spec, order, note, document or the configuration."""

    kind: Kind
    name: str
    reason_code: Reason
    reason: str
    reference: str = ""
    order_id: int | None = None
    status: str | None = None
    changes: tuple[FieldChange, ...] = ()
    numbers: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    note: str | None = None
    document: str | None = None
    portability: tuple[Portability, ...] = ()
    notices: tuple[Notice, ...] = ()
    source: str = ""

    @property
    def risk(self) -> Risk:
        """How bad if wrong: decided by the kind alone (`KIND_RISK`)."""
        return KIND_RISK[self.kind]

    @property
    def remedy(self) -> str:
        """What to do about a blocked, conflict or wait item ("" for the others)."""
        return REMEDIES.get(self.reason_code, "") if self.kind in REMEDY_KINDS else ""

    @property
    def sort_key(self) -> tuple[int, str, str, str, int]:
        """Deterministic position: kind group, then name, then note/document, then id."""
        return (
            KIND_ORDER[self.kind],
            self.name,
            self.note or "",
            self.document or "",
            self.order_id or 0,
        )

    def to_dict(self) -> dict[str, Any]:
        """Canonical JSON shape (json renderer, saved plans, checksum). No secret values."""
        data: dict[str, Any] = {
            "kind": str(self.kind),
            "risk": str(self.risk),
            "name": self.name,
            "reference": self.reference,
            "orderId": self.order_id,
            "status": self.status,
            "reasonCode": str(self.reason_code),
            "reason": self.reason,
            "numbers": list(self.numbers),
            "changes": [c.to_dict() for c in self.changes],
            "notices": [n.to_dict() for n in self.notices],
        }
        if self.groups:
            data["groups"] = list(self.groups)
        if self.note is not None:
            data["note"] = self.note
        if self.document is not None:
            data["document"] = self.document
        if self.portability:
            data["portability"] = [p.to_dict() for p in self.portability]
        if self.source:
            data["source"] = self.source
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanItem:
        """Inverse of `to_dict` (reading a saved plan)."""
        return cls(
            kind=Kind(data["kind"]),
            name=str(data["name"]),
            reason_code=Reason(data["reasonCode"]),
            reason=str(data["reason"]),
            reference=str(data.get("reference", "")),
            order_id=data.get("orderId"),
            status=data.get("status"),
            changes=tuple(FieldChange.from_dict(c) for c in data.get("changes", ())),
            numbers=tuple(data.get("numbers", ())),
            groups=tuple(data.get("groups", ())),
            note=data.get("note"),
            document=data.get("document"),
            portability=tuple(
                Portability(str(p["number"]), bool(p["portable"]), str(p.get("reason", "")))
                for p in data.get("portability", ())
            ),
            notices=tuple(Notice.from_dict(n) for n in data.get("notices", ())),
            source=str(data.get("source", "")),
        )


@dataclass(frozen=True)
class BudgetBreach:
    """A safety budget the plan exceeds, and the flag that raises it.

    See docs/design.md#safety-rules.
    """

    budget: str
    limit: int
    planned: int
    flag: str

    @property
    def needs(self) -> str:
        """The flag apply needs: `--max-cancels 1`."""
        return f"{self.flag} {self.planned}"

    def to_dict(self) -> dict[str, Any]:
        """JSON shape (the plan document's `budgets`)."""
        return {
            "budget": self.budget,
            "limit": self.limit,
            "planned": self.planned,
            "needs": self.needs,
        }

    @property
    def message(self) -> str:
        """One line for the apply refusal."""
        return (
            f"plan has {self.planned} {self.budget} but the limit is {self.limit}; "
            f"raise it with {self.flag} N"
        )


@dataclass(frozen=True)
class PlanScope:
    """What a plan was made with: the settings file, prefix and budgets it names in its header.

    Not part of the checksum (which covers what apply does): it tells reviewers which
    `portctl.yaml` the plan used and which `--max-*` flags its apply will need.
    """

    settings_file: str = ""
    """The Settings file in use, as displayed ("" when there is none)."""
    reference_prefix: str = ""
    whole_project: bool = True
    """False when only some specs were planned: orphans were not looked for."""
    safety: SafetyBudgets = field(default_factory=SafetyBudgets)
    """The budgets the settings file sets (apply's flags may raise them)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON shape (the plan document's `settings`)."""
        return {
            "file": self.settings_file or None,
            "referencePrefix": self.reference_prefix,
            "wholeProject": self.whole_project,
            "safety": {
                "maxCancels": self.safety.max_cancels,
                "maxPrune": self.safety.max_prune,
                "maxNumbersTouched": self.safety.max_numbers_touched,
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanScope:
        """Inverse of `to_dict` (showing a saved plan)."""
        safety = data.get("safety") or {}
        touched = safety.get("maxNumbersTouched")
        return cls(
            settings_file=str(data.get("file") or ""),
            reference_prefix=str(data.get("referencePrefix") or ""),
            whole_project=bool(data.get("wholeProject", True)),
            safety=SafetyBudgets(
                max_cancels=int(safety.get("maxCancels", 0)),
                max_prune=int(safety.get("maxPrune", 0)),
                max_numbers_touched=None if touched is None else int(touched),
            ),
        )


@dataclass(frozen=True)
class Plan:
    """The ordered items of one plan run plus plan-level notices."""

    items: tuple[PlanItem, ...]
    notices: tuple[Notice, ...] = field(default=())
    scope: PlanScope = field(default_factory=PlanScope)

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(sorted(self.items, key=lambda i: i.sort_key)))

    def counts(self) -> dict[str, int]:
        """Items per kind (only kinds present), in apply order."""
        counter = Counter(item.kind for item in self.items)
        return {str(kind): counter[kind] for kind in Kind if counter[kind]}

    def risk_counts(self) -> dict[str, int]:
        """Items per risk tier (only tiers present)."""
        counter = Counter(item.risk for item in self.items)
        return {str(risk): counter[risk] for risk in Risk if counter[risk]}

    @property
    def actions(self) -> tuple[PlanItem, ...]:
        """Items apply would carry out."""
        return tuple(i for i in self.items if i.kind in ACTION_KINDS)

    @property
    def has_changes(self) -> bool:
        """Anything pending: an action, or a `wait` for something to become possible."""
        return any(i.kind in ACTION_KINDS or i.kind is Kind.WAIT for i in self.items)

    @property
    def has_blocked(self) -> bool:
        """Anything that cannot happen as the specs ask (blocked, conflict)."""
        return any(i.risk is Risk.BLOCKED for i in self.items)

    def numbers_affected(self) -> tuple[str, ...]:
        """Distinct numbers touched by the actions, sorted."""
        return tuple(sorted({n for i in self.actions for n in i.numbers}))

    def to_dicts(self) -> list[dict[str, Any]]:
        """Items in canonical JSON shape."""
        return [item.to_dict() for item in self.items]

    def checksum(self) -> str:
        """sha256 of the canonical JSON of the items (no secret values, no timestamps)."""
        payload = json.dumps(self.to_dicts(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()

    def budget_needs(self) -> tuple[BudgetBreach, ...]:
        """The budgets of the plan's settings file that its apply must raise by flag."""
        return self.budget_breaches(self.scope.safety)

    def budget_breaches(self, budgets: SafetyBudgets) -> tuple[BudgetBreach, ...]:
        """The safety budgets this plan exceeds (apply refuses if any)."""
        cancels = [i for i in self.items if i.kind is Kind.CANCEL]
        pruned = [i for i in cancels if i.reason_code is Reason.ORPHAN_PRUNED]
        breaches: list[BudgetBreach] = []
        if len(cancels) > budgets.max_cancels:
            breaches.append(
                BudgetBreach("cancels", budgets.max_cancels, len(cancels), "--max-cancels")
            )
        if len(pruned) > budgets.max_prune:
            breaches.append(
                BudgetBreach("orphans pruned", budgets.max_prune, len(pruned), "--max-prune")
            )
        touched = len(self.numbers_affected())
        if budgets.max_numbers_touched is not None and touched > budgets.max_numbers_touched:
            breaches.append(
                BudgetBreach(
                    "numbers touched",
                    budgets.max_numbers_touched,
                    touched,
                    "--max-numbers-touched",
                )
            )
        return tuple(breaches)
