"""One function per plan item kind: re-read, skip if satisfied, check, act, re-read to verify.

Every step follows docs/design.md#apply-semantics. A mutation whose fate is unknown
(`OutcomeUnknown`: a 5xx, a timeout after sending, a dropped connection) is never simply sent again:
the step first looks (a re-read, or for a create a lookup by reference and by number among open
orders, repeated after short pauses because a list may lag a fresh write). What the look shows
decides: the change is there (applied), it is provably not there and the order did not move (sent
once more, at most `MAX_SENDS` in all), or it cannot be told (UNKNOWN, with what to check). Steps
return `(outcome, message, order id)` or raise `StepError`; any other `ApiError` that escapes
is the API refusing, which the executor records as failed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from reconciler.api import ApiError, OrderSummary, OutcomeUnknown
from reconciler.api.errors import Conflict
from reconciler.apply.context import (
    MAX_SENDS,
    RELOOK_DELAYS,
    REPLAN,
    StepContext,
    StepError,
    status_of,
)
from reconciler.apply.outcomes import Outcome
from reconciler.apply.putbody import configuration_body, update_body
from reconciler.compare import Comparison, same_text
from reconciler.desired import DesiredOrder
from reconciler.lifecycle import (
    ACTIVATABLE,
    CHANGEABLE,
    is_canceled_or_canceling,
    is_changeable,
    is_number_activated,
    is_number_dropped,
    is_open,
)
from reconciler.planning.items import Kind, PlanItem

Probe = Literal["done", "needed", "moved"]
StepResult = tuple[Outcome, str, int | None]


def _look(probe: Callable[[], Probe], what: str, check: str) -> Probe:
    """Run a probe after an unknown outcome; a failing read leaves the outcome unknown."""
    try:
        return probe()
    except ApiError as exc:
        raise StepError(
            f"{what}: the answer was lost and the follow-up read failed ({exc}); "
            f"check {check}; re-running apply is safe (it looks before acting)",
            unknown=True,
        ) from None


def send_once_more_only_after_looking(
    send: Callable[[], object], probe: Callable[[], Probe], *, what: str, check: str
) -> str:
    """Send a mutation; after an unknown outcome look, and re-send only if provably needed."""
    for attempt in range(1, MAX_SENDS + 1):
        try:
            send()
        except OutcomeUnknown as exc:
            state = _look(probe, what, check)
            if state == "done":
                return f"{what} (answer lost; a re-read shows it took effect)"
            if state == "needed" and attempt < MAX_SENDS:
                continue
            raise StepError(
                f"{what}: outcome unknown ({exc.detail()}); check {check}",
                unknown=True,
            ) from None
        if _look(probe, what, check) == "done":
            return what
        raise StepError(
            f"{what}: the API accepted it but a re-read does not show it; check {check}",
            unknown=True,
        )
    raise AssertionError("unreachable")  # pragma: no cover


# -- configuration ------------------------------------------------------------------------


def configure(ctx: StepContext, item: PlanItem) -> StepResult:
    """POST the configuration when none exists, else PUT it; skipped when it already matches."""
    spec = ctx.desired.configuration
    if spec is None:
        raise StepError("the plan configures the project but no PortingDefaults spec is loaded")
    seen: list[Mapping[str, Any] | None] = [_configuration(ctx)]
    if ctx.configuration_matches(seen[-1]):
        return Outcome.SKIPPED, "configuration already matches the spec", None
    body = configuration_body(spec.body, seen[0], ctx.ignore)

    def send() -> None:
        if seen[-1] is not None:
            ctx.client.update_configuration(body)
            return
        try:
            ctx.client.create_configuration(body)
        except Conflict:  # created meanwhile: POST-or-PUT
            ctx.client.update_configuration(body)

    def probe() -> Probe:
        seen.append(_configuration(ctx))
        return "done" if ctx.configuration_matches(seen[-1]) else "needed"

    verb = "configuration created" if seen[0] is None else "configuration updated"
    message = send_once_more_only_after_looking(send, probe, what=verb, check="GET /configuration")
    return Outcome.APPLIED, message, None


def _configuration(ctx: StepContext) -> Mapping[str, Any] | None:
    found = ctx.client.get_configuration()
    return found.raw if found is not None else None


# -- orders ---------------------------------------------------------------------------------


def _open(rows: list[OrderSummary]) -> list[OrderSummary]:
    return [r for r in rows if is_open(r.status)]


def _open_by_reference(ctx: StepContext, reference: str) -> list[OrderSummary]:
    """Open orders whose reference is exactly `reference`.

    The list filter is trusted only to narrow the list: whether it matches exactly or by
    substring is not documented, and a substring match would make `acme` find `acme-2`'s order
    (docs/api-notes.md#what-we-assume-about-the-sinch-api), so each returned reference is
    compared here."""
    rows = ctx.client.list_orders(reference=reference)
    return [r for r in _open(rows) if r.customer_order_reference == reference]


def _normalised(compared: Comparison) -> str:
    """What the comparison of a re-read had to take as equal, for the outcome message (the
    one place a server-normalised field is reported during an apply)."""
    if not compared.normalised:
        return ""
    return f"; server-normalised, taken as equal: {compared.normalised_text()}"


def _find_created(ctx: StepContext, spec: DesiredOrder) -> int | None:
    """After a lost create: the open order for the reference, by reference then by number."""
    by_reference = _open_by_reference(ctx, spec.reference)
    if len(by_reference) > 1:
        ids = ", ".join(str(r.id) for r in by_reference)
        raise StepError(
            f"{len(by_reference)} open orders now carry reference {spec.reference} "
            f"(ids {ids}); cancel the wrong one by hand",
            unknown=True,
        )
    if by_reference:
        return by_reference[0].id
    first = spec.phone_numbers[0]
    for row in _open(ctx.client.list_orders(phone_number=first)):
        if row.customer_order_reference == spec.reference:
            return row.id
        raise StepError(
            f"{first} is on open order {row.id} with reference "
            f"{row.customer_order_reference!r}; check whether that order is this spec's",
            unknown=True,
        )
    return None


def create(ctx: StepContext, item: PlanItem) -> StepResult:
    """Look up by reference, re-check portability, POST once, look again if the answer is lost.

    The look up and the portability check come from the batched `CreateChecks` (at most
    `CHECKS_FRESH_S` old when the POST goes). The POST's own answer verifies the create when
    it shows the spec (`_verified`): one call per create, a re-read only when it does not."""
    spec = ctx.order_spec(item.name)
    checks = ctx.create_checks(spec)
    existing = list(checks.open_orders.get(spec.reference, ()))
    if len(existing) > 1:
        raise StepError(f"{len(existing)} open orders carry reference {spec.reference}")
    if existing:
        order_id = existing[0]
        live = ctx.reread(order_id)
        if not ctx.matches_spec(spec, live):
            raise StepError(
                f"an order for {spec.reference} exists now (id {order_id}) and differs from the "
                f"spec; {REPLAN}"
            )
        ctx.created[spec.name] = order_id
        ctx.expect(order_id, live)
        return Outcome.SKIPPED, f"order already exists (id {order_id}) and matches", order_id
    answers = {n: checks.portability[n] for n in spec.phone_numbers if n in checks.portability}
    bad = {n: reason for n, (portable, reason) in answers.items() if not portable}
    if bad:
        listed = "; ".join(f"{n}: {reason or 'not portable'}" for n, reason in bad.items())
        raise StepError(f"not portable now, nothing was sent: {listed}")
    created: list[int] = []
    posted: dict[int, Mapping[str, Any]] = {}
    """The POST's own answer by order id (absent when the answer was lost and a look found it)."""

    def send() -> None:
        order = ctx.client.create_order(spec.body)
        created.append(order.id)
        posted[order.id] = order.raw

    def probe() -> Probe:
        if created:
            return "done"
        for delay in (0.0, *RELOOK_DELAYS):
            if delay:
                ctx.sleep(delay)
            found = _find_created(ctx, spec)
            if found is not None:
                created.append(found)
                return "done"
        return "needed"

    check = (
        f"GET /orders/portIns?customerOrderReference={spec.reference} "
        f"(and ?phoneNumber={spec.phone_numbers[0]})"
    )
    message = send_once_more_only_after_looking(send, probe, what="order created", check=check)
    order_id = created[-1]
    ctx.created[spec.name] = order_id
    compared = _verified(ctx, spec, order_id, posted.get(order_id))
    return Outcome.APPLIED, f"{message} (id {order_id}){_normalised(compared)}", order_id


def _verified(
    ctx: StepContext, spec: DesiredOrder, order_id: int, answer: Mapping[str, Any] | None
) -> Comparison:
    """The spec compared with the created order as verified: the POST's answer when it shows
    the spec, else a re-read (one comparison of each, kept for the outcome message).

    The answer is compared by the same rules as a re-read (`matches_spec`: secrets the API
    hides and server-normalised texts are no differences). It may still lack what only a GET
    shows (schedule defaults the server fills in), so an answer that does not match is not a
    failure: the order is re-read, and only a re-read that differs is. Only a re-read becomes
    the order's expected fingerprint (`expect`): a fingerprint of the POST's answer could
    differ from the next item's re-read of an order nobody touched, which would then refuse
    to go on ("changed since the plan"); an order created by this run has no plan-time state
    to guard, so without a re-read it has no expectation at all.
    """
    if answer is not None and not (compared := ctx.compare(spec, answer)).changes:
        return compared
    reread = ctx.reread(order_id)
    ctx.expect(order_id, reread)
    compared = ctx.compare(spec, reread)
    if compared.changes:
        raise StepError(f"order {order_id} was created but differs from the spec when re-read")
    return compared


def update(ctx: StepContext, item: PlanItem) -> StepResult:
    """PUT the full desired order while it is PENDING and unchanged since the plan."""
    spec = ctx.order_spec(item.name)
    order_id = _planned_id(item)
    live = ctx.reread(order_id)
    if ctx.matches_spec(spec, live):
        ctx.expect(order_id, live)
        return Outcome.SKIPPED, "order already matches the spec", order_id
    ctx.precondition(order_id, live, CHANGEABLE, "an update")
    body = update_body(spec.body, live, ctx.ignore)
    settled: list[Comparison] = []  # the comparison of the re-read that showed it took effect

    def probe() -> Probe:
        nonlocal live
        live = ctx.reread(order_id)
        compared = ctx.compare(spec, live)
        if not compared.changes:
            settled.append(compared)
            return "done"
        if is_changeable(status_of(live)) and ctx.unmoved(order_id, live):
            return "needed"
        return "moved"

    message = send_once_more_only_after_looking(
        lambda: ctx.client.update_order(order_id, body),
        probe,
        what="order updated",
        check=f"GET /orders/portIns/{order_id}",
    )
    ctx.expect(order_id, live)
    return Outcome.APPLIED, message + _normalised(settled[-1]), order_id


def cancel(ctx: StepContext, item: PlanItem) -> StepResult:
    """DELETE a PENDING order that has not moved since the plan; skipped if already canceling."""
    order_id = _planned_id(item)
    live = ctx.reread(order_id)
    if is_canceled_or_canceling(status_of(live)):
        return Outcome.SKIPPED, f"order is already {status_of(live)}", order_id
    ctx.precondition(order_id, live, CHANGEABLE, "a cancel")

    def probe() -> Probe:
        nonlocal live
        live = ctx.reread(order_id)
        if is_canceled_or_canceling(status_of(live)):
            return "done"
        return "needed" if ctx.unmoved(order_id, live) else "moved"

    message = send_once_more_only_after_looking(
        lambda: ctx.client.cancel_order(order_id),
        probe,
        what="order canceled",
        check=f"GET /orders/portIns/{order_id}",
    )
    # The DELETE answers without a body: the status is the one the verifying re-read (`probe`)
    # got from the API after the call, never one computed before it.
    ctx.expect(order_id, live)
    return Outcome.APPLIED, f"{message}; the API shows it {status_of(live)}", order_id


def _group_numbers(live: Mapping[str, Any], group: str) -> list[Mapping[str, Any]]:
    return [n for n in live.get("phoneNumbers") or () if n.get("phoneNumberGroup") == group]


def _activated(live: Mapping[str, Any], group: str) -> bool:
    numbers = [n for n in _group_numbers(live, group) if not is_number_dropped(n.get("status"))]
    return bool(numbers) and all(is_number_activated(n.get("status")) for n in numbers)


def activate(ctx: StepContext, item: PlanItem) -> StepResult:
    """Activate the planned groups still not active, only if the API offers every one now."""
    order_id = _planned_id(item)
    live = ctx.reread(order_id)
    remaining = [g for g in item.groups if not _activated(live, g)]
    if not remaining:
        ctx.expect(order_id, live)
        return Outcome.SKIPPED, f"groups already active: {', '.join(item.groups)}", order_id
    ctx.precondition(order_id, live, ACTIVATABLE, "an activation")
    offered = {g.phone_number_group for g in ctx.client.available_activations(order_id)}
    missing = [g for g in remaining if g not in offered]
    if missing:
        raise StepError(f"not offered for activation now: {', '.join(missing)}; nothing was sent")

    before = _number_statuses(live)

    def probe() -> Probe:
        nonlocal live
        live = ctx.reread(order_id)
        if all(_activated(live, g) for g in remaining):
            return "done"
        return "needed" if ctx.unmoved(order_id, live) else "moved"

    try:
        message = send_once_more_only_after_looking(
            lambda: ctx.client.activate(order_id, remaining),
            probe,
            what=f"activated {', '.join(remaining)}",
            check=f"GET /orders/portIns/{order_id}",
        )
    except StepError:
        _alert_unapproved(order_id, before, live, remaining)
        raise
    ctx.expect(order_id, live)
    _alert_unapproved(order_id, before, live, remaining)
    return Outcome.APPLIED, f"{message}; order is {status_of(live)}", order_id


def _number_statuses(order: Mapping[str, Any]) -> dict[str, str]:
    return {
        str(n.get("phoneNumber")): str(n.get("status")) for n in order.get("phoneNumbers") or ()
    }


def _alert_unapproved(
    order_id: int, before: Mapping[str, str], live: Mapping[str, Any], approved: list[str]
) -> None:
    """Raise an alert if numbers outside the approved groups were activated around the call.

    Which body key names the groups is a documented conflict, so the client sends both (see
    `PortingClient.activate`); an API that ignored the body altogether would still activate the
    whole order (docs/api-notes.md#what-we-assume-about-the-sinch-api). That cannot be undone,
    so it is verified by re-reading and shouted about (outcome unknown, exit 1, audit log),
    never passed over.
    """
    changed = sorted(
        f"{n.get('phoneNumber')} ({n.get('phoneNumberGroup')})"
        for n in live.get("phoneNumbers") or ()
        if n.get("phoneNumberGroup") not in approved
        and is_number_activated(n.get("status"))
        and not is_number_activated(before.get(str(n.get("phoneNumber"))))
    )
    if changed:
        raise StepError(
            f"ALERT: numbers outside the approved groups ({', '.join(approved)}) were activated "
            f"with order {order_id}: {', '.join(changed)}; activation cannot be undone: "
            "check with Sinch which activate body key the API reads (portctl doctor --api, "
            "docs/api-notes.md)",
            unknown=True,
        )


def _planned_id(item: PlanItem) -> int:
    if item.order_id is None:
        raise StepError("the plan item names no order id")
    return item.order_id


# -- notes and documents ------------------------------------------------------------------


def _attach(
    ctx: StepContext,
    item: PlanItem,
    *,
    copies: Callable[[Mapping[str, Any]], int],
    send: Callable[[int], object],
    what: str,
) -> StepResult:
    """Add a note or document unless it is there; then make sure it is there exactly once.

    The order is re-read right before posting, so a copy another run added since the plan is
    seen and nothing is sent. Two runs that both read "missing" at the same instant both post:
    the re-read after posting then shows two copies, and the item ends `unknown` naming the
    order, because the API cannot delete notes (and portctl never deletes documents): a person
    must. The workspace lock (`reconciler.apply.lock`) keeps this to runs on different machines.
    """
    order_id = ctx.order_id_for(item.name, item.order_id)
    live = ctx.reread(order_id)
    if copies(live):
        ctx.expect(order_id, live)
        return Outcome.SKIPPED, f"{what} already on the order", order_id
    status = status_of(live)
    if not is_open(status):
        raise StepError(f"order is {status} now; a {what} cannot be added; {REPLAN}")
    ctx.precondition(order_id, live, {status}, f"adding a {what}")

    def probe() -> Probe:
        nonlocal live
        live = ctx.reread(order_id)
        if copies(live):
            return "done"
        return "needed" if ctx.unmoved(order_id, live) else "moved"

    message = send_once_more_only_after_looking(
        lambda: send(order_id), probe, what=f"{what} added", check=f"GET /orders/portIns/{order_id}"
    )
    ctx.expect(order_id, live)
    found = copies(live)
    if found > 1:
        raise StepError(
            f"{what} added, but order {order_id} now has it {found} times: another apply (or a "
            f"person) added the same {what} at the same moment; remove the extra copies in the "
            f"Sinch portal (GET /orders/portIns/{order_id} lists them) and run one apply at a "
            'time per project (README, "What apply guarantees")',
            unknown=True,
        )
    return Outcome.APPLIED, message, order_id


def add_note(ctx: StepContext, item: PlanItem) -> StepResult:
    """Post a note unless one with this text (up to server normalisation) is on the order."""
    text = item.note or ""

    def copies(live: Mapping[str, Any]) -> int:
        return sum(same_text(str(n.get("note", "")), text) for n in live.get("notes") or ())

    return _attach(
        ctx,
        item,
        copies=copies,
        send=lambda order_id: ctx.client.add_note(order_id, text),
        what="note",
    )


def upload_document(ctx: StepContext, item: PlanItem) -> StepResult:
    """Upload a document unless one with this name (up to server normalisation) is on it."""
    spec = ctx.order_spec(item.name)
    document = next((d for d in spec.documents if d.name == item.document), None)
    if document is None:
        raise StepError(f"the spec no longer lists document {item.document!r}")
    if not document.path.is_file():
        raise StepError(f"document file {document.path} is gone; nothing was sent")

    def copies(live: Mapping[str, Any]) -> int:
        return sum(
            same_text(str(d.get("documentName", "")), document.name)
            for d in live.get("documents") or ()
        )

    def send(order_id: int) -> None:
        ctx.client.upload_document(
            order_id, name=document.name, description=document.description, content=document.path
        )

    return _attach(ctx, item, copies=copies, send=send, what="document")


STEPS: dict[Kind, Callable[[StepContext, PlanItem], StepResult]] = {
    Kind.CONFIGURE: configure,
    Kind.CANCEL: cancel,
    Kind.UPDATE: update,
    Kind.CREATE: create,
    Kind.ADD_NOTE: add_note,
    Kind.UPLOAD_DOCUMENT: upload_document,
    Kind.ACTIVATE: activate,
}
"""The step for each kind apply carries out (`ACTION_KINDS`)."""
