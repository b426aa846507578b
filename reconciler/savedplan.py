"""Saved plans (`plan --out FILE`): what was reviewed, bound to the specs and the live orders.

A saved plan is the json rendering plus a `specDigest` (sha256 over the spec files) and one
fingerprint per order the plan acts on: a sha256 of that order's normalised live state
including its status, its numbers' statuses and the ids of its notes and documents. `apply
FILE` re-loads the specs and re-reads the orders; any digest or fingerprint that moved makes
the whole plan stale (docs/design.md#saved-plans), which also makes a used plan stale. References
the plan creates are recorded too: an open order appearing for one makes the plan stale. Every
rule of staleness is here (`stale_reasons`); `apply` only reads the live state and reports.

No secret values: items are redacted already, and fingerprints hash the order *without* its
secret fields (a hash of a 4-digit PIN is as good as the PIN; docs/design.md#spec-format forbids
it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reconciler.desired import SECRET_FIELDS, DesiredState
from reconciler.essence import order_essence
from reconciler.live import LiveSnapshot
from reconciler.planning.build import build_plan
from reconciler.planning.items import Kind, Plan, PlanItem
from reconciler.redact import scrub
from reconciler.render.jsonfmt import FORMAT_VERSION, plan_document

SAVED_PLAN_KIND = "portctl-plan"


class SavedPlanError(Exception):
    """A saved plan file that cannot be used (unreadable, wrong version, tampered)."""


def _without_secrets(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_secrets(v) for k, v in value.items() if k not in SECRET_FIELDS}
    if isinstance(value, list | tuple):
        return [_without_secrets(v) for v in value]
    return value


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()


def fingerprint(order: Mapping[str, Any]) -> str:
    """sha256 of an order's normalised live state, status and note/document ids; no secrets."""
    numbers = {
        str(n.get("phoneNumber")): [str(n.get("status") or ""), str(n.get("focDate") or "")]
        for n in order.get("phoneNumbers") or ()
    }
    state = {
        "status": str(order.get("status") or ""),
        "essence": _without_secrets(order_essence(order)),
        "numbers": numbers,
        "notes": sorted(
            [str(n.get("id") or ""), str(n.get("note") or ""), str(n.get("createdTime") or "")]
            for n in order.get("notes") or ()
        ),
        "documents": sorted(str(d.get("id") or "") for d in order.get("documents") or ()),
    }
    return hashlib.sha256(_canonical(state)).hexdigest()


def plan_fingerprints(plan: Plan, live: LiveSnapshot) -> dict[int, str]:
    """Fingerprint of every order an action of `plan` touches, as read for the plan.

    Saved with the plan (stale check) and handed to apply, which re-reads each order just
    before acting on it and stops if it moved since (docs/design.md#saved-plans).
    """
    return {
        i.order_id: fingerprint(live.details[i.order_id])
        for i in plan.actions
        if i.order_id is not None and i.order_id in live.details
    }


def saved_plan_document(
    plan: Plan, *, desired: DesiredState, live: LiveSnapshot, prune: bool = False
) -> dict[str, Any]:
    """The saved-plan JSON document (json rendering + digest, fingerprints, creates)."""
    fingerprints = {str(k): v for k, v in plan_fingerprints(plan, live).items()}
    creates = sorted({i.reference for i in plan.items if i.kind is Kind.CREATE})
    return {
        "kind": SAVED_PLAN_KIND,
        **plan_document(plan),
        "specDigest": desired.spec_digest,
        "prune": prune,
        "fingerprints": dict(sorted(fingerprints.items())),
        "createsReferences": creates,
    }


def write_saved_plan(
    path: Path, plan: Plan, *, desired: DesiredState, live: LiveSnapshot, prune: bool = False
) -> None:
    """Write the saved plan to `path` (scrubbed of registered secrets, as every output)."""
    document = saved_plan_document(plan, desired=desired, live=live, prune=prune)
    path.write_text(scrub(json.dumps(document, indent=2, ensure_ascii=False) + "\n"), "utf-8")


@dataclass(frozen=True)
class SavedPlan:
    """A saved plan read back: the items plus what binds them to specs and live state."""

    plan: Plan
    checksum: str
    spec_digest: str
    fingerprints: Mapping[int, str]
    creates_references: tuple[str, ...]
    prune: bool


def read_saved_plan(path: Path) -> SavedPlan:
    """Read and check a saved plan file; `SavedPlanError` if it is not one we can trust."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise SavedPlanError(f"{path}: not a readable plan file ({exc})") from exc
    if not isinstance(data, dict) or data.get("kind") != SAVED_PLAN_KIND:
        raise SavedPlanError(f"{path}: not a portctl saved plan (write one with plan --out)")
    if data.get("formatVersion") != FORMAT_VERSION:
        raise SavedPlanError(
            f"{path}: plan format version {data.get('formatVersion')!r} is not supported "
            f"(this portctl reads version {FORMAT_VERSION})"
        )
    try:
        plan = Plan(items=tuple(PlanItem.from_dict(i) for i in data["items"]))
        saved = SavedPlan(
            plan=plan,
            checksum=str(data["checksum"]),
            spec_digest=str(data["specDigest"]),
            fingerprints={int(k): str(v) for k, v in data["fingerprints"].items()},
            creates_references=tuple(data.get("createsReferences", ())),
            prune=bool(data.get("prune", False)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise SavedPlanError(f"{path}: malformed plan file ({exc})") from exc
    if plan.checksum() != saved.checksum:
        raise SavedPlanError(f"{path}: checksum mismatch; the plan file was edited")
    return saved


def _action_key(item: PlanItem) -> tuple[Any, ...]:
    """What an action does, without its prose: two plans doing the same have equal keys."""
    changes = tuple(sorted(str(sorted(c.to_dict().items())) for c in item.changes))
    return (item.kind, item.name, item.order_id, item.note, item.document, item.groups, changes)


def stale_reasons(
    saved: SavedPlan, *, desired: DesiredState, live: LiveSnapshot, today: date
) -> list[str]:
    """Why a saved plan no longer applies (empty: still fresh). Apply refuses if any.

    `live` must be a fresh `fetch_live` for the same specs (it holds details of every open
    managed order, which covers every order a saved plan acts on while it is still open), and
    `today` the date a plan made now would use. When nothing the plan is bound to moved, the
    plan that would be made now must still take the same actions: a plan already applied, or
    saved with other specs or `--selector`, is stale too.
    """
    reasons: list[str] = []
    if saved.spec_digest != desired.spec_digest:
        reasons.append("the spec files changed since the plan was made")
    status_of = {s.id: s.status for group in live.managed.values() for s in group}
    status_of.update({s.id: s.status for s in live.orphans})
    for order_id, expected in sorted(saved.fingerprints.items()):
        detail = live.details.get(order_id)
        if detail is None:
            status = status_of.get(order_id, "not found")
            reasons.append(f"order {order_id} is now {status}")
        elif fingerprint(detail) != expected:
            reasons.append(f"order {order_id} changed since the plan was made")
    for reference in saved.creates_references:
        open_orders = [s for s in live.managed.get(reference, ()) if s.is_open]
        if open_orders:
            reasons.append(f"an order for {reference} exists now (id {open_orders[0].id})")
    if not reasons:
        fresh = build_plan(desired, live, today=today, prune=saved.prune)
        if sorted(map(_action_key, fresh.actions)) != sorted(map(_action_key, saved.plan.actions)):
            reasons.append(
                "the actions a plan would take now differ from the saved ones (already applied, "
                "or not the same specs and --selector as when it was saved)"
            )
    return reasons
