"""Saved plans (`plan --out FILE`): what was reviewed, bound to the specs and the live orders.

A saved plan is the json rendering plus a `specDigest` (sha256 over the spec files) and one
fingerprint per order the plan acts on: a sha256 of that order's normalised live state
including its status, its numbers' statuses and the ids of its notes and documents. A
`checksum` covers every other key of the file (and the file must be byte for byte what `plan
--out` wrote); with `PORTCTL_PLAN_KEY` set an HMAC-SHA256 `signature` covers the same, so CI
can prove the applied plan is the one its plan job wrote.

A saved plan is evidence of what was reviewed, never an instruction: `apply FILE` re-loads the
specs, re-reads the orders, makes a fresh plan with its own `--prune`, budgets and selectors,
and acts on that fresh plan only if it takes exactly the saved actions and every digest and
fingerprint still matches (docs/design.md#saved-plans). Every rule of staleness is here
(`stale_reasons`); `apply` only reads the live state and reports.

No secret values: items are redacted already, and fingerprints hash the order *without* its
secret fields (a hash of a 4-digit PIN is as good as the PIN; docs/design.md#spec-format forbids
it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.desired import SECRET_FIELDS, DesiredState
from reconciler.essence import order_essence
from reconciler.lifecycle import open_orders
from reconciler.live import LiveSnapshot
from reconciler.planning.items import Kind, Plan, PlanItem, PlanScope
from reconciler.redact import register_secret, scrub
from reconciler.render.jsonfmt import FORMAT_VERSION, plan_document

SAVED_PLAN_KIND = "portctl-plan"
PLAN_KEY_VARIABLE = "PORTCTL_PLAN_KEY"
SIGNATURE_SCHEME = "hmac-sha256:"
_SEALS = frozenset({"checksum", "signature"})
"""The keys that seal a saved plan; the checksum and the signature cover every other key."""
MAX_PLAN_BYTES = 64 * 1024 * 1024
"""A saved plan larger than this is not read (no real plan comes near it)."""


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
    plan: Plan,
    *,
    desired: DesiredState,
    live: LiveSnapshot,
    prune: bool = False,
    key: bytes | None = None,
) -> dict[str, Any]:
    """The saved-plan JSON document: the json rendering, digest, fingerprints and creates,
    closed by a `checksum` over everything else and, with `key`, an HMAC `signature`."""
    fingerprints = {str(k): v for k, v in plan_fingerprints(plan, live).items()}
    creates = _creates_references(plan)
    body = {
        "kind": SAVED_PLAN_KIND,
        **plan_document(plan),
        "specDigest": desired.spec_digest,
        "prune": prune,
        "fingerprints": dict(sorted(fingerprints.items())),
        "createsReferences": creates,
    }
    return _sealed(body, key)


def _sealed(document: Mapping[str, Any], key: bytes | None) -> dict[str, Any]:
    """`document` with its `checksum` (and `signature` under `key`) computed over the rest."""
    body = _unsealed(document)
    sealed = {**body, "checksum": document_checksum(body)}
    if key is not None:
        sealed["signature"] = _signature(body, key)
    return sealed


def document_checksum(document: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of every key of a saved plan but the seals themselves."""
    return hashlib.sha256(_canonical(_unsealed(document))).hexdigest()


def _unsealed(document: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in _SEALS}


def _signature(document: Mapping[str, Any], key: bytes) -> str:
    digest = hmac.new(key, _canonical(_unsealed(document)), hashlib.sha256).hexdigest()
    return SIGNATURE_SCHEME + digest


def plan_key(environ: Mapping[str, str]) -> bytes | None:
    """The signing key from `PORTCTL_PLAN_KEY` (None when unset or empty), kept out of output."""
    value = environ.get(PLAN_KEY_VARIABLE, "")
    if not value:
        return None
    register_secret(value)
    return value.encode()


def render_saved_plan(document: Mapping[str, Any]) -> str:
    """The exact text of a saved plan file (reading one checks that its bytes are these)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_saved_plan(
    path: Path,
    plan: Plan,
    *,
    desired: DesiredState,
    live: LiveSnapshot,
    prune: bool = False,
    key: bytes | None = None,
) -> str:
    """Write the saved plan to `path`; returns its checksum.

    No secret can be in it (items are redacted, fingerprints hash orders without their secret
    fields), so it is written as rendered: scrubbing would change bytes the checksum covers.
    """
    document = saved_plan_document(plan, desired=desired, live=live, prune=prune, key=key)
    text = render_saved_plan(document)
    if scrub(text) != text:  # pragma: no cover - a secret in a plan is a bug; never write it
        raise SavedPlanError(f"{path}: the plan would hold a secret value; not written")
    path.write_text(text, "utf-8")
    return str(document["checksum"])


@dataclass(frozen=True)
class SavedPlan:
    """A saved plan read back: the reviewed items plus what binds them to specs and live state.

    Apply never acts on these items: it makes a fresh plan and acts on that, after checking
    that it takes exactly these actions (`stale_reasons`).
    """

    plan: Plan
    checksum: str
    spec_digest: str
    fingerprints: Mapping[int, str]
    creates_references: tuple[str, ...]
    prune: bool
    signed: bool = False


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("a key appears twice")
    return dict(pairs)


def read_saved_plan(path: Path, *, key: bytes | None = None) -> SavedPlan:
    """Read and check a saved plan file; `SavedPlanError` if it is not one we can trust.

    Every byte is covered: the text must be exactly what `plan --out` writes for its content,
    and the content must match its `checksum`. With `key` (PORTCTL_PLAN_KEY) the plan must
    carry a matching `signature`; a signed plan read without a key is refused too, because a
    signature nobody checks would look like a guarantee (docs/design.md#saved-plans).
    """
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_PLAN_BYTES + 1)
        if len(raw) > MAX_PLAN_BYTES:
            raise ValueError(f"larger than {MAX_PLAN_BYTES // (1024 * 1024)} MB")
        text = raw.decode("utf-8")
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except (OSError, ValueError) as exc:
        raise SavedPlanError(f"{path}: not a readable plan file ({exc})") from exc
    if not isinstance(data, dict) or data.get("kind") != SAVED_PLAN_KIND:
        raise SavedPlanError(f"{path}: not a portctl saved plan (write one with plan --out)")
    if data.get("formatVersion") != FORMAT_VERSION:
        raise SavedPlanError(
            f"{path}: plan format version {data.get('formatVersion')!r} is not supported "
            f"(this portctl reads version {FORMAT_VERSION})"
        )
    if data.get("checksum") != document_checksum(data):
        raise SavedPlanError(f"{path}: checksum mismatch; the plan file was edited")
    if text != render_saved_plan(data):
        raise SavedPlanError(
            f"{path}: the plan file was edited (its bytes are not the ones plan --out wrote)"
        )
    signed = _check_signature(path, data, key)
    try:
        plan = Plan(
            items=tuple(PlanItem.from_dict(i) for i in data["items"]),
            scope=PlanScope.from_dict(data.get("settings") or {}),
        )
        return SavedPlan(
            plan=plan,
            checksum=str(data["checksum"]),
            spec_digest=str(data["specDigest"]),
            fingerprints={int(k): str(v) for k, v in data["fingerprints"].items()},
            creates_references=tuple(str(r) for r in data["createsReferences"]),
            prune=data["prune"] is True,
            signed=signed,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SavedPlanError(f"{path}: malformed plan file ({exc})") from exc


def _check_signature(path: Path, data: Mapping[str, Any], key: bytes | None) -> bool:
    """Whether the plan is signed; `SavedPlanError` unless that agrees with `key`."""
    signature = data.get("signature")
    if key is None:
        if signature is not None:
            raise SavedPlanError(
                f"{path}: the plan is signed but {PLAN_KEY_VARIABLE} is not set; set it to the "
                "key the plan job signed with, so that the signature is checked"
            )
        return False
    if signature is None:
        raise SavedPlanError(
            f"{path}: the plan is not signed but {PLAN_KEY_VARIABLE} is set; only plans made "
            f"by `portctl plan --out` with the same {PLAN_KEY_VARIABLE} are applied"
        )
    if not isinstance(signature, str) or not hmac.compare_digest(
        signature.encode(), _signature(data, key).encode()
    ):
        raise SavedPlanError(
            f"{path}: signature mismatch; the plan was signed with another "
            f"{PLAN_KEY_VARIABLE} or edited after signing"
        )
    return True


def _action_view(item: PlanItem) -> str:
    """Everything an action is, but its notices (which move with the date, not the action)."""
    return _canonical({k: v for k, v in item.to_dict().items() if k != "notices"}).decode()


def stale_reasons(
    saved: SavedPlan, *, desired: DesiredState, live: LiveSnapshot, fresh: Plan
) -> list[str]:
    """Why a saved plan must not be applied (empty: it is exactly what would be done now).

    `live` must be a fresh `fetch_live` for the same specs and `fresh` the plan made from it
    now with apply's own `--prune` and `--selector`. Nothing that decides safety is taken from
    the file: the fresh plan's actions must equal the saved ones item for item (kind, risk,
    reason code, numbers, changes...), and the fingerprints of the orders it acts on must equal
    the saved ones, key for key: a deleted or added fingerprint is as stale as a moved order.
    A plan already applied, or saved with other specs, `--prune` or `--selector`, is stale too.
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
        found = open_orders(live.managed.get(reference, ()))
        if found:
            reasons.append(f"an order for {reference} exists now (id {found[0].id})")
    if reasons:
        return reasons
    if sorted(map(_action_view, fresh.actions)) != sorted(map(_action_view, saved.plan.actions)):
        reasons.append(
            "the actions a plan would take now differ from the saved ones (already applied, "
            "edited, or not the same specs, --prune and --selector as when it was saved)"
        )
    elif plan_fingerprints(fresh, live) != dict(saved.fingerprints):
        reasons.append(
            "the plan's fingerprints do not cover exactly the orders it acts on (edited?)"
        )
    creates = _creates_references(fresh)
    if not reasons and creates != sorted(saved.creates_references):
        reasons.append("the plan's createsReferences do not match its creates (edited?)")
    return reasons


def _creates_references(plan: Plan) -> list[str]:
    """The references a plan creates orders for, sorted: what a saved plan records as
    `createsReferences` and what `stale_reasons` compares it with."""
    return sorted({i.reference for i in plan.items if i.kind is Kind.CREATE})
