"""Dispatch of the porting API routes (`/v1/projects/{projectId}/...`) onto the `World`.

Each route parses its JSON body (malformed JSON is a 400), calls the world, and answers in the
OpenAPI shape. Where the skill file and the OpenAPI document disagree
(docs/api-notes.md#document-conflicts) both request forms are accepted: activate takes
`{"phoneNumberGroups": [...]}`, `{"groupIds": [...]}` or no body; documents download at
`/orders/{id}/documents/{doc}` and at the skill's `/orders/portIns/{id}/documents/{doc}`; the
skill-only `phoneGroups` endpoint is served.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote

import httpx

from reconciler.emulator.errors import ErrorAnswer, FieldViolation, invalid
from reconciler.emulator.readings import answer_order
from reconciler.emulator.state import created_at
from reconciler.emulator.validation import parse_datetime
from reconciler.emulator.world import World, from_iso

MAX_JSON_DEPTH = 64
"""Deeper request bodies are a 400: no API body nests past a handful of levels, and a very deep
one would exhaust the recursion limit wherever it is walked (decoding, saving the state)."""
DEEP_JSON = f"Malformed JSON in request body: nested deeper than {MAX_JSON_DEPTH} levels"
ORDER_STATUSES = ("PENDING", "CONFIRMED", "COMPLETED", "CANCELED", "PENDING_CANCELATION")
NO_BODY = object()


@dataclass(frozen=True)
class Call:
    """One API request as the routes see it."""

    method: str
    path: str
    params: httpx.QueryParams
    content: bytes
    identity: str

    def json(self, *, optional: bool = False) -> Any:
        """The parsed JSON body; 400 when malformed (or missing and not optional)."""
        if not self.content.strip():
            if optional:
                return NO_BODY
            raise ErrorAnswer(400, "A JSON request body is required")
        try:
            data = json.loads(self.content)
        except json.JSONDecodeError as exc:
            raise ErrorAnswer(400, f"Malformed JSON in request body: {exc.msg}") from None
        except UnicodeDecodeError:
            raise ErrorAnswer(400, "Malformed JSON in request body: not UTF-8") from None
        except RecursionError:
            raise ErrorAnswer(400, DEEP_JSON) from None
        if too_deep(data):
            raise ErrorAnswer(400, DEEP_JSON)
        return data


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether a decoded JSON value nests containers more than `limit` levels (iteratively)."""
    level: list[Any] = [value]
    for _ in range(limit + 1):
        level = [
            child
            for item in level
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return False
    return True


Handler = Callable[[World, Call, tuple[str, ...]], tuple[int, Any]]
ROUTES: list[tuple[re.Pattern[str], dict[str, Handler]]] = []


def route(pattern: str, method: str) -> Callable[[Handler], Handler]:
    """Register a handler for `method` on a path pattern (`{x}` = one path segment)."""
    regex = re.compile("^" + re.sub(r"\{\w+\}", "([^/]+)", pattern) + "$")

    def deco(fn: Handler) -> Handler:
        for known, methods in ROUTES:
            if known.pattern == regex.pattern:
                methods[method] = fn
                return fn
        ROUTES.append((regex, {method: fn}))
        return fn

    return deco


def dispatch(world: World, call: Call) -> tuple[int, Any]:
    """Find and run the handler; 404 for unknown paths, 405 for a wrong method."""
    for regex, methods in ROUTES:
        match = regex.match(call.path)
        if match is None:
            continue
        handler = methods.get(call.method)
        if handler is None:
            raise ErrorAnswer(
                405, f"{call.method} is not allowed here", headers={"Allow": ", ".join(methods)}
            )
        return handler(world, call, tuple(unquote(g) for g in match.groups()))
    raise ErrorAnswer(404, f"No such resource: {call.path}")


@route("/portabilityChecks", "POST")
def portability(world: World, call: Call, _: tuple[str, ...]) -> tuple[int, Any]:
    """Check portability of a batch of numbers."""
    body = call.json()
    numbers = body.get("phoneNumbers") if isinstance(body, dict) else None
    return 200, world.portability(numbers)


def _answer(world: World, order: dict[str, Any]) -> dict[str, Any]:
    """An order as answers show it (secrets per the variant `secrets-on-read`)."""
    return answer_order(order, world.config.variant("secrets-on-read"))


def _validated(world: World, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run a create/PUT; under `invalid-status=400` a validation failure answers 400."""
    try:
        return run()
    except ErrorAnswer as exc:
        if exc.status == 422 and world.config.variant("invalid-status") == "400":
            raise ErrorAnswer(400, exc.message, exc.violations, exc.headers) from None
        raise


@route("/orders/portIns", "POST")
def create(world: World, call: Call, _: tuple[str, ...]) -> tuple[int, Any]:
    """Create an order (201)."""
    body = call.json()
    return 201, _answer(world, _validated(world, lambda: world.create(body)))


def _int_param(call: Call, name: str, *, low: int, high: int | None) -> int | None:
    raw = call.params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise invalid([FieldViolation(name, f"must be an integer {bound}")])
    return value


def _time_param(call: Call, name: str) -> datetime | None:
    raw = call.params.get(name)
    if raw is None or raw == "":
        return None
    parsed = parse_datetime(raw)
    if parsed is None:
        raise invalid([FieldViolation(name, "must be an ISO-8601 date-time")])
    return parsed


@dataclass(frozen=True)
class OrderFilter:
    """The documented filters of the order list; None = not filtered on."""

    order_id: float | None
    status: str | None
    reference: str | None
    number: str | None
    created_from: datetime | None
    created_to: datetime | None
    foc_from: datetime | None
    foc_to: datetime | None
    substring: bool = False

    @classmethod
    def from_call(cls, call: Call, *, substring: bool = False) -> OrderFilter:
        """Read and check the query parameters (422 naming the first bad one)."""
        order_id = call.params.get("orderId")
        wanted_id: float | None = None
        if order_id:
            try:
                wanted_id = float(order_id)
            except ValueError:
                raise invalid([FieldViolation("orderId", "must be a number")]) from None
        status = (call.params.get("orderStatus") or "").upper() or None
        if status is not None and status not in ORDER_STATUSES:
            raise invalid(
                [FieldViolation("orderStatus", f"must be one of {', '.join(ORDER_STATUSES)}")]
            )
        return cls(
            order_id=wanted_id,
            status=status,
            reference=call.params.get("customerOrderReference"),
            number=call.params.get("phoneNumber") or None,
            created_from=_time_param(call, "createdDateStart"),
            created_to=_time_param(call, "createdDateEnd"),
            foc_from=_time_param(call, "focStartDate"),
            foc_to=_time_param(call, "focEndDate"),
            substring=substring,
        )

    def same_reference(self, reference: str) -> bool:
        """The reference filter: exact, or a substring under `reference-filter=substring`."""
        if self.substring:
            return (self.reference or "") in reference
        return reference == self.reference

    @property
    def everything(self) -> bool:
        """No filter at all (every order passes `keeps`): the plan's read of the whole list."""
        return (
            self.order_id is None
            and self.status is None
            and self.reference is None
            and not self.number
            and self.created_from is None
            and self.created_to is None
            and not (self.foc_from or self.foc_to)
        )

    def keeps(self, rec: dict[str, Any]) -> bool:
        """Whether a stored order passes every filter (FOC: any of its numbers' FOC dates)."""
        order = rec["order"]
        if self.order_id is not None and order["id"] != self.order_id:
            return False
        if self.status is not None and order["status"] != self.status:
            return False
        if self.reference is not None and not self.same_reference(order["customerOrderReference"]):
            return False
        if self.number and all(n["phoneNumber"] != self.number for n in order["phoneNumbers"]):
            return False
        if (self.created_from is not None or self.created_to is not None) and not _within(
            created_at(rec), self.created_from, self.created_to
        ):
            return False
        if self.foc_from or self.foc_to:
            focs = [
                from_iso(f"{str(n['focDate'])[:10]}T00:00:00Z")
                for n in order["phoneNumbers"]
                if "focDate" in n
            ]
            return any(_within(f, self.foc_from, self.foc_to) for f in focs)
        return True


def _within(moment: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or moment >= start) and (end is None or moment <= end)


@route("/orders/portIns", "GET")
def list_orders(world: World, call: Call, _: tuple[str, ...]) -> tuple[int, Any]:
    """List orders with every documented filter and numeric `page` paging.

    `page` is 1-based; the variant `paging` makes it 0-based (`zero`) or ignored (`ignore`),
    `list-lag` hides orders created less than that long ago, `reference-filter=substring`
    matches references by substring.
    """
    cfg = world.config
    wanted = OrderFilter.from_call(call, substring=cfg.variant("reference-filter") == "substring")
    size = _int_param(call, "pageSize", low=1, high=cfg.page_size_max) or cfg.page_size_default
    paging = cfg.variant("paging")
    first = 0 if paging == "zero" else 1
    page = _int_param(call, "page", low=first, high=None)
    page = first if page is None or paging == "ignore" else page
    visible_from = world.now - timedelta(seconds=cfg.lag_seconds())
    if wanted.everything:  # plan's and apply's list: filtered once for all its pages
        matched = world.visible_ids(visible_from)
    else:
        matched = [k for k in world.visible_ids(visible_from) if wanted.keeps(world.orders[k])]
    start = (page - first) * size
    body = {  # summaries of this page's orders only: a list of 10,000 is read in 10 pages
        "orders": [world.list_item(world.orders[k]) for k in matched[start : start + size]],
        "page": page,
        "totalPages": math.ceil(len(matched) / size),
        "pageSize": size,
        "totalItems": len(matched),
    }
    return 200, body


@route("/orders/portIns/phoneGroups/{orderId}", "GET")
def phone_groups(world: World, call: Call, args: tuple[str, ...]) -> tuple[int, Any]:
    """Numbers grouped by activation group (skill-only endpoint; 404 under
    `phone-groups=absent`)."""
    if world.config.variant("phone-groups") == "absent":
        raise ErrorAnswer(404, f"No such resource: {call.path}")
    groups = world.phone_groups(args[0])
    secrets = world.config.variant("secrets-on-read")
    for group in groups:
        group["phoneNumbers"] = answer_order(group, secrets)["phoneNumbers"]
    return 200, groups


@route("/orders/portIns/{orderId}", "GET")
def get_order(world: World, call: Call, args: tuple[str, ...]) -> tuple[int, Any]:
    """One order with numbers, notes and documents (encoded at once: a view, not a copy)."""
    return 200, _answer(world, world.view(world.record(args[0])))


@route("/orders/portIns/{orderId}", "PUT")
def update(world: World, call: Call, args: tuple[str, ...]) -> tuple[int, Any]:
    """Full replacement of a PENDING order."""
    world.record(args[0])
    body = call.json()
    return 200, _answer(world, _validated(world, lambda: world.update(args[0], body)))


@route("/orders/portIns/{orderId}", "DELETE")
def cancel(world: World, call: Call, args: tuple[str, ...]) -> tuple[int, Any]:
    """Cancel a PENDING order (200, no body)."""
    world.cancel(args[0])
    return 200, None


@route("/orders/portIns/{orderId}/notes", "POST")
def add_note(world: World, call: Call, args: tuple[str, ...]) -> tuple[int, Any]:
    """Add a note."""
    world.record(args[0])
    return 200, world.add_note(args[0], call.json(), author=call.identity)


@route("/orders/portIns/{orderId}/documents", "POST")
def add_document(world: World, call: Call, args: tuple[str, ...]) -> tuple[int, Any]:
    """Upload a base64 document."""
    world.record(args[0])
    return 200, world.add_document(args[0], call.json())


@route("/orders/{orderId}/documents/{documentId}", "GET")
def get_document(world: World, call: Call, args: tuple[str, ...]) -> tuple[int, Any]:
    """Download a document (OpenAPI path; 404 under `document-path=skill-only`)."""
    if world.config.variant("document-path") == "skill-only":
        raise ErrorAnswer(404, f"No such resource: {call.path}")
    return 200, world.get_document(args[0], args[1])


@route("/orders/portIns/{orderId}/documents/{documentId}", "GET")
def get_document_skill(world: World, call: Call, args: tuple[str, ...]) -> tuple[int, Any]:
    """Download a document (the skill's path; 404 under `document-path=spec-only`)."""
    if world.config.variant("document-path") == "spec-only":
        raise ErrorAnswer(404, f"No such resource: {call.path}")
    return 200, world.get_document(args[0], args[1])


@route("/orders/portIns/{orderId}/availableActivations", "GET")
def available(world: World, call: Call, args: tuple[str, ...]) -> tuple[int, Any]:
    """Groups activatable now: the OpenAPI top-level array, or under `activations-shape=skill`
    the skill's `{activationGroups: [{groupId, phoneNumbers, status}]}`."""
    groups = world.available_activations(args[0])
    if world.config.variant("activations-shape") == "skill":
        return 200, {
            "activationGroups": [
                {
                    "groupId": g["phoneNumberGroup"],
                    "phoneNumbers": [n["phoneNumber"] for n in g["phoneNumbers"]],
                    "status": "READY",
                }
                for g in groups
            ]
        }
    return 200, groups


@route("/orders/portIns/{orderId}/activate", "POST")
def activate(world: World, call: Call, args: tuple[str, ...]) -> tuple[int, Any]:
    """On-demand activation of named groups (or, with no body, of every offered group)."""
    world.record(args[0])
    body = call.json(optional=True)
    groups: list[str] | None = None
    if body is not NO_BODY and body is not None:
        if not isinstance(body, dict):
            raise invalid([FieldViolation("body", "must be an object")])
        raw = _named_groups(body, world.config.variant("activation-key"))
        if raw is not None:
            if not isinstance(raw, list) or not all(isinstance(g, str) for g in raw) or not raw:
                raise invalid(
                    [
                        FieldViolation(
                            "phoneNumberGroups", "must be a non-empty array of group names"
                        )
                    ]
                )
            groups = raw
    return 200, world.activate(args[0], groups, user=call.identity)


def _named_groups(body: dict[str, Any], key: str) -> Any:
    """The groups an activate body names, read with the key(s) of `activation-key`; a key
    this reading ignores counts as absent (so the body asks for the whole order)."""
    if key == "whole-order":
        return None
    if key == "groupIds-only":
        return body.get("groupIds")
    if key == "phoneNumberGroups-only":
        return body.get("phoneNumberGroups")
    return body.get("phoneNumberGroups", body.get("groupIds"))


@route("/configuration", "GET")
def get_configuration(world: World, call: Call, _: tuple[str, ...]) -> tuple[int, Any]:
    """The project configuration (404 before one was created)."""
    return 200, world.get_configuration()


@route("/configuration", "POST")
def create_configuration(world: World, call: Call, _: tuple[str, ...]) -> tuple[int, Any]:
    """Create the project configuration."""
    return 200, world.set_configuration(call.json(), create=True)


@route("/configuration", "PUT")
def update_configuration(world: World, call: Call, _: tuple[str, ...]) -> tuple[int, Any]:
    """Replace the project configuration."""
    return 200, world.set_configuration(call.json(), create=False)
