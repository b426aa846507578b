"""The test-only control routes (`/_emulator/...`, docs/design.md#emulator-control), no auth.

They drive the same operations as the `Emulator` methods, so a served emulator, the embedded
state file and in-process tests are controlled alike.
`POST /_emulator/orders/{id}/numbers/{number}/exclude` `{"reason": "..."}` makes one number
EXCLUDED (the only way to get that status; see `reconciler.emulator.simulation`).
`GET /_emulator/variants` lists every variant's value in force; `POST` with `{"paging": "zero"}`
switches readings of the API (`reconciler.emulator.variants`; a default value switches back).
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx

from reconciler.emulator.errors import ErrorAnswer, FieldViolation, invalid
from reconciler.emulator.faults import Fault
from reconciler.emulator.validation import parse_datetime
from reconciler.emulator.variants import VariantError, effective

if TYPE_CHECKING:
    from reconciler.emulator.core import Emulator

GROUP_ACTION = re.compile(r"^/_emulator/orders/([^/]+)/groups/([^/]+)/(confirm|reject)$")
EXCLUDE = re.compile(r"^/_emulator/orders/([^/]+)/numbers/([^/]+)/exclude$")


def body_of(request: httpx.Request) -> dict[str, Any]:
    """The JSON object body (empty when absent); 400 when malformed."""
    if not request.content.strip():
        return {}
    try:
        data = json.loads(request.content)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise ErrorAnswer(400, "Malformed JSON in request body") from None
    if not isinstance(data, dict):
        raise ErrorAnswer(400, "The request body must be a JSON object")
    return data


def handle_control(emu: Emulator, request: httpx.Request) -> tuple[int, Any]:
    """Run one control route; returns (status, JSON payload)."""
    path = request.url.path
    method = request.method
    match = GROUP_ACTION.match(path)
    if match and method == "POST":
        order_id, group, action = unquote(match[1]), unquote(match[2]), match[3]
        body = body_of(request)
        if action == "confirm":
            return 200, emu.confirm_group(order_id, group, foc_date=body.get("focDate"))
        reason = body.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise invalid([FieldViolation("reason", "is required")])
        return 200, emu.reject_group(order_id, group, reason)
    match = EXCLUDE.match(path)
    if match and method == "POST":
        reason = body_of(request).get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise invalid([FieldViolation("reason", "is required")])
        return 200, emu.exclude_number(unquote(match[1]), unquote(match[2]), reason)
    if (method, path) == ("GET", "/_emulator/state"):
        return 200, emu.to_dict(redact=True)  # port-out PINs and account numbers masked
    if (method, path) == ("POST", "/_emulator/reset"):
        emu.reset()
        return 200, {"now": emu.now.isoformat()}
    if (method, path) == ("POST", "/_emulator/clock"):
        return 200, clock(emu, body_of(request))
    if (method, path) == ("POST", "/_emulator/nonportable"):
        numbers = body_of(request).get("phoneNumbers")
        if not isinstance(numbers, list):
            raise invalid([FieldViolation("phoneNumbers", "must be an array")])
        emu.mark_nonportable(numbers)
        return 200, {"nonportable": sorted(emu.world.nonportable)}
    if path == "/_emulator/variants":
        if method == "POST":
            chosen = body_of(request)
            if not all(isinstance(v, str) for v in chosen.values()):
                raise invalid([FieldViolation("variants", "values must be strings")])
            try:
                emu.set_variants(chosen)
            except VariantError as exc:
                raise invalid([FieldViolation("variants", str(exc))]) from None
        elif method != "GET":
            raise ErrorAnswer(405, f"{method} is not allowed here")
        return 200, {"variants": effective(emu.config.variants)}
    if path == "/_emulator/faults":
        if method == "POST":
            try:
                fault = Fault.from_wire(body_of(request))
            except (TypeError, ValueError) as exc:
                raise invalid([FieldViolation("fault", str(exc))]) from None
            emu.add_fault(fault)
        elif method == "DELETE":
            emu.clear_faults()
        elif method != "GET":
            raise ErrorAnswer(405, f"{method} is not allowed here")
        return 200, {"faults": [f.to_wire() for f in emu.faults]}
    raise ErrorAnswer(404, f"No such control route: {method} {path}")


def clock(emu: Emulator, body: dict[str, Any]) -> dict[str, Any]:
    """`{"advance": {"days", "hours"}}` or `{"set": ISO-8601}`."""
    if "set" in body:
        moment = parse_datetime(str(body["set"]))
        if moment is None:
            raise invalid([FieldViolation("set", "must be an ISO-8601 date-time")])
        emu.set_clock(moment)
    elif isinstance(body.get("advance"), dict):
        step = body["advance"]
        try:
            delta = timedelta(
                days=float(step.get("days", 0)),
                hours=float(step.get("hours", 0)),
                minutes=float(step.get("minutes", 0)),
            )
        except (TypeError, ValueError):
            raise invalid([FieldViolation("advance", "days/hours must be numbers")]) from None
        if delta < timedelta(0):
            raise invalid([FieldViolation("advance", "must not be negative")])
        emu.advance(delta)
    else:
        raise invalid([FieldViolation("body", 'give {"advance": {...}} or {"set": "ISO-8601"}')])
    return {"now": emu.now.isoformat()}
