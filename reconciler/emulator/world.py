"""The emulated porting world: orders, project configuration and the carrier simulation.

Everything is plain JSON-safe dicts (the wire shape of each order plus a private `sim` record),
so saving and loading a state with a thousand orders is one `json` call. All time comes from
the virtual clock `now`; `tick` replays every carrier event that fell due, in time order, each
stamped with its own due time (not the time the clock was moved to).

Carrier simulation (deterministic; the knobs are in `EmulatorConfig`):

* Numbers are grouped per fake losing carrier (derived from the NPA and the seed) into groups of
  at most `group_size`, named `GW <carrier> Grp<n>`.
* Each group is "submitted" at creation; `confirm_after_business_days` weekdays (plus
  `confirm_after_hours`) later the carrier answers. If any pending number of the group has an
  `existingPortOutPin` listed in `reject_pins`, the group's pending numbers become REJECTED with
  that `rejectReason` and Sinch adds a note; otherwise they become CONFIRMED with
  `confirmedDate` = answer time and `focDate` = max(desired port date, answer date in New York +
  `foc_lead_days`).
* The order becomes CONFIRMED when every live (not EXCLUDED/CANCELED) number is CONFIRMED. A
  rejected group keeps the order PENDING until a PUT changes the data of its numbers: changed or
  new numbers return to PENDING and their group's timer restarts.
* DELETE moves a PENDING order to PENDING_CANCELATION; `cancel_after_hours` later it is CANCELED
  and its unfinished numbers CANCELED. Its numbers stay blocked for new orders until then.
* Scheduled orders (onDemandActivation false): each CONFIRMED group is activated at its FOC date
  at the order's port time in its port zone (defaults: project configuration, then 09:00:00
  US/Eastern), but never before the order was confirmed; numbers ACTIVATED, and the order is
  COMPLETED once every live number is.
* On-demand orders: a CONFIRMED order offers a group in `availableActivations` once the New York
  date reaches the group's FOC date; `activate` activates the named (or all offered) groups; the
  order is COMPLETED when every live number is ACTIVATED.
* Webhooks (ORDER_UPDATED, NUMBERS_CONFIRMED, NUMBERS_REJECTED, NUMBERS_ACTIVATED,
  NEW_ORDER_NOTE) are queued in `outbox` for the configuration's `webhookUrl` and logged.
* Control operations (`confirm_group`, `reject_group`, `mark_nonportable`) let tests force a
  carrier answer now.
"""

from __future__ import annotations

import base64
import binascii
import copy
import mimetypes
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from reconciler.emulator.carrier import add_business_days, assign_groups, port_moment
from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.errors import ApiError, FieldViolation, invalid
from reconciler.emulator.validation import (
    E164_SHAPE,
    SYSTEM_PORT_TIME,
    SYSTEM_PORT_ZONE,
    number_region,
    parse_date,
    validate_configuration,
    validate_order,
)

NEW_YORK = ZoneInfo("America/New_York")
TERMINAL = ("COMPLETED", "CANCELED")
DEAD_NUMBER = ("EXCLUDED", "CANCELED")
FIRST_ORDER_ID = 897867
SINCH = "Sinch"


def iso(moment: datetime) -> str:
    """RFC 3339 UTC with a `Z`, second precision (the docs' `YYYY-MM-DDThh:mm:ssZ`)."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def from_iso(text: str) -> datetime:
    """Inverse of `iso` (any ISO-8601 with offset)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def ny_date(moment: datetime) -> date:
    """The calendar date in New York, where Sinch's porting desk works."""
    return moment.astimezone(NEW_YORK).date()


class World:
    """Orders, configuration and the carrier clock-work; no HTTP in here."""

    def __init__(self, *, now: datetime, seed: int, config: EmulatorConfig) -> None:
        self.now = now
        self.seed = seed
        self.config = config
        self.next_order_id = FIRST_ORDER_ID + seed
        self.next_note_id = 1
        self.next_document_id = 1
        self.orders: dict[int, dict[str, Any]] = {}
        self.configuration: dict[str, Any] | None = None
        self.nonportable: set[str] = set()
        self.webhook_log: list[dict[str, Any]] = []
        self.outbox: list[tuple[str, dict[str, Any]]] = []
        self.revision = 0
        self.number_index: dict[str, set[int]] = {}
        """phone number -> ids of every order that lists it (derived, not saved)."""

    # ----------------------------------------------------------------- persistence

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe state (the outbox of undelivered webhooks is transient and not saved)."""
        return {
            "nextOrderId": self.next_order_id,
            "nextNoteId": self.next_note_id,
            "nextDocumentId": self.next_document_id,
            "orders": [self.orders[k] for k in sorted(self.orders)],
            "configuration": self.configuration,
            "nonportable": sorted(self.nonportable),
            "webhookLog": self.webhook_log,
        }

    def load(self, data: dict[str, Any]) -> None:
        """Restore what `to_dict` produced."""
        self.next_order_id = int(data["nextOrderId"])
        self.next_note_id = int(data["nextNoteId"])
        self.next_document_id = int(data["nextDocumentId"])
        self.orders = {int(rec["order"]["id"]): rec for rec in data["orders"]}
        self.configuration = data.get("configuration")
        self.nonportable = set(data.get("nonportable", []))
        self.webhook_log = list(data.get("webhookLog", []))
        self.number_index = {}
        for oid, rec in self.orders.items():
            self.index_numbers(oid, rec["order"]["phoneNumbers"])

    def index_numbers(
        self, order_id: int, numbers: list[dict[str, Any]], *, add: bool = True
    ) -> None:
        """Add (or remove) an order's numbers in the number -> orders index."""
        for n in numbers:
            holders = self.number_index.setdefault(n["phoneNumber"], set())
            if add:
                holders.add(order_id)
            else:
                holders.discard(order_id)

    def touch(self) -> None:
        """Note a change (hosts persist when the revision moved)."""
        self.revision += 1

    # ----------------------------------------------------------------- lookups

    def record(self, order_id: str | int) -> dict[str, Any]:
        """The stored record of an order, or 404."""
        try:
            key = int(str(order_id))
        except ValueError:
            key = -1
        rec = self.orders.get(key)
        if rec is None:
            raise ApiError(404, f"Order {order_id} not found")
        return rec

    def defaults(self) -> dict[str, str]:
        """Project defaults for the port schedule (empty when no configuration)."""
        return dict(self.configuration or {})

    def render(self, rec: dict[str, Any]) -> dict[str, Any]:
        """The order as GET shows it (copy; schedule defaults filled when configured)."""
        order: dict[str, Any] = copy.deepcopy(rec["order"])
        if self.config.fill_default_schedule:
            sched = order["desiredPortSchedule"]
            fallback = self.defaults()
            sched.setdefault("desiredPortTime", fallback.get("defaultPortTime", SYSTEM_PORT_TIME))
            sched.setdefault(
                "desiredPortTimeZone", fallback.get("defaultPortTimeZone", SYSTEM_PORT_ZONE)
            )
        return order

    def foc_text(self, foc: date) -> str:
        """focDate on the wire: OpenAPI date-time by default, the skill's plain date if set."""
        return f"{foc.isoformat()}T00:00:00Z" if self.config.foc_as_datetime else foc.isoformat()

    @staticmethod
    def foc_of(number: dict[str, Any]) -> date | None:
        """A number's FOC as a date (either wire form)."""
        text = number.get("focDate")
        return None if text is None else date.fromisoformat(str(text)[:10])

    # ----------------------------------------------------------------- webhooks

    def emit(self, event: dict[str, Any]) -> None:
        """Queue a webhook for the configured URL and log it (type, order, url; no payload)."""
        url = (self.configuration or {}).get("webhookUrl")
        if not url:
            return
        self.outbox.append((url, event))
        self.webhook_log.append(
            {
                "time": iso(self.now),
                "type": event["type"],
                "orderId": event["orderId"],
                "url": url,
            }
        )
        del self.webhook_log[: -self.config.webhook_log_limit]

    def emit_order(self, rec: dict[str, Any]) -> None:
        """ORDER_UPDATED with the order minus its id (`OrderWebhookItem`)."""
        if not (self.configuration or {}).get("webhookUrl"):
            return
        order = self.render(rec)
        order_id = str(order.pop("id"))
        self.emit({"type": "ORDER_UPDATED", "orderId": order_id, "order": order})

    def emit_numbers(self, rec: dict[str, Any], kind: str, numbers: list[dict[str, Any]]) -> None:
        """NUMBERS_<kind> with only status fields per number (`NumberPortingStatusItem`)."""
        if not numbers:
            return
        detail = {"ACTIVATED": "activatedDate", "CONFIRMED": "confirmedDate"}.get(
            kind, "rejectReason"
        )
        keys = ("phoneNumber", "status", detail)
        items = [{k: n[k] for k in keys if k in n} for n in numbers]
        self.emit(
            {"type": f"NUMBERS_{kind}", "orderId": str(rec["order"]["id"]), "phoneNumbers": items}
        )

    # ----------------------------------------------------------------- orders

    def validate(self, body: Any, *, own_id: int | None) -> dict[str, Any]:
        """Validate a create/PUT body incl. portability and numbers held by other live orders."""
        clean, violations = validate_order(body, today=ny_date(self.now), config=self.config)
        for i, entry in enumerate(clean.get("phoneNumbers", [])):
            number = entry.get("phoneNumber")
            if number is None:
                continue
            path = f"phoneNumbers[{i}].phoneNumber"
            if number in self.nonportable:
                violations.append(FieldViolation(path, f"{number} is not portable"))
            holder = min(
                (
                    oid
                    for oid in self.number_index.get(number, ())
                    if oid != own_id and self.orders[oid]["order"]["status"] not in TERMINAL
                ),
                default=None,
            )
            if holder is not None:
                status = self.orders[holder]["order"]["status"]
                violations.append(
                    FieldViolation(path, f"{number} is already on order {holder} ({status})")
                )
        if violations:
            raise invalid(violations)
        return clean

    def group_numbers(self, numbers: list[dict[str, Any]]) -> None:
        """Set `phoneNumberGroup` on each number (deterministic carrier groups)."""
        groups = assign_groups(
            ((n["phoneNumber"], n["countryCode"]) for n in numbers),
            seed=self.seed,
            group_size=self.config.group_size,
        )
        for n in numbers:
            n["phoneNumberGroup"] = groups[n["phoneNumber"]]

    def due_time(self) -> str:
        """When a group submitted now gets its carrier answer."""
        due = add_business_days(self.now, self.config.confirm_after_business_days)
        return iso(due + timedelta(hours=self.config.confirm_after_hours))

    def create(self, body: Any) -> dict[str, Any]:
        """POST /orders/portIns: a new PENDING order whose groups start their carrier timer."""
        clean = self.validate(body, own_id=None)
        order_id = self.next_order_id
        self.next_order_id += 1
        numbers = [{**n, "status": "PENDING"} for n in clean.pop("phoneNumbers")]
        self.group_numbers(numbers)
        order: dict[str, Any] = {
            "id": order_id,
            "status": "PENDING",
            **clean,
            "phoneNumbers": numbers,
            "notes": [],
            "documents": [],
            "createdDate": ny_date(self.now).isoformat(),
        }
        due = self.due_time()
        rec = {
            "order": order,
            "sim": {
                "createdAt": iso(self.now),
                "groupDue": {n["phoneNumberGroup"]: due for n in numbers},
                "cancelDueAt": None,
                "confirmedAt": None,
                "files": {},
            },
        }
        self.orders[order_id] = rec
        self.index_numbers(order_id, numbers)
        self.emit_order(rec)
        self.touch()
        self.tick(self.now, only=order_id)
        return self.render(rec)

    def update(self, order_id: str, body: Any) -> dict[str, Any]:
        """PUT: full replacement of a PENDING order; changed numbers go back to the carrier."""
        rec = self.record(order_id)
        order = rec["order"]
        if order["status"] != "PENDING":
            raise ApiError(
                400, f"Order {order['id']} is {order['status']}; only PENDING orders can be updated"
            )
        clean = self.validate(body, own_id=order["id"])
        old = {n["phoneNumber"]: n for n in order["phoneNumbers"]}
        numbers: list[dict[str, Any]] = [dict(n) for n in clean.pop("phoneNumbers")]
        self.group_numbers(numbers)
        touched: set[str] = set()
        for n in numbers:
            before = old.get(n["phoneNumber"])
            same = (
                before is not None
                and before["phoneNumberGroup"] == n["phoneNumberGroup"]
                and before.get("endUser") == n.get("endUser")
                and before.get("portOutInfo") == n.get("portOutInfo")
            )
            if before is not None and same:
                for key in (
                    "status",
                    "focDate",
                    "confirmedDate",
                    "rejectReason",
                    "exclusionReason",
                ):
                    if key in before:
                        n[key] = before[key]
            else:
                n["status"] = "PENDING"
                touched.add(n["phoneNumberGroup"])
        sim = rec["sim"]
        groups = {n["phoneNumberGroup"] for n in numbers}
        due_map: dict[str, str] = {g: t for g, t in sim["groupDue"].items() if g in groups}
        for group in touched:
            due_map[group] = self.due_time()
            for n in numbers:  # the whole group is re-submitted, rejected members included
                if n["phoneNumberGroup"] == group and n["status"] == "REJECTED":
                    n["status"] = "PENDING"
                    n.pop("rejectReason", None)
        sim["groupDue"] = due_map
        self.index_numbers(order["id"], order["phoneNumbers"], add=False)
        self.index_numbers(order["id"], numbers)
        kept = {k: order[k] for k in ("id", "status", "notes", "documents", "createdDate")}
        rec["order"] = {**kept, **clean, "phoneNumbers": numbers}
        rec["order"] = {k: rec["order"][k] for k in self.key_order(rec["order"])}
        self.emit_order(rec)
        self.check_confirmed(rec, self.now)
        self.touch()
        self.tick(self.now, only=rec["order"]["id"])
        return self.render(rec)

    @staticmethod
    def key_order(order: dict[str, Any]) -> list[str]:
        """Stable key order for stored orders (id and status first, numbers before notes)."""
        head = ["id", "status", "customerOrderReference", "onDemandActivation"]
        tail = ["phoneNumbers", "notes", "documents", "createdDate"]
        middle = [k for k in order if k not in head and k not in tail]
        return [k for k in head + middle + tail if k in order]

    def cancel(self, order_id: str) -> None:
        """DELETE: PENDING -> PENDING_CANCELATION (-> CANCELED later, see `tick`)."""
        rec = self.record(order_id)
        order = rec["order"]
        if order["status"] != "PENDING":
            raise ApiError(
                400,
                f"Order {order['id']} is {order['status']}; only PENDING orders can be canceled",
            )
        order["status"] = "PENDING_CANCELATION"
        rec["sim"]["groupDue"] = {}
        due = self.now + timedelta(hours=self.config.cancel_after_hours)
        rec["sim"]["cancelDueAt"] = iso(due)
        self.emit_order(rec)
        self.touch()
        self.tick(self.now, only=order["id"])

    def list_items(self) -> list[dict[str, Any]]:
        """Every order as an `OrderListItem`, by id."""
        return [self.list_item(self.orders[k]) for k in sorted(self.orders)]

    @staticmethod
    def list_item(rec: dict[str, Any]) -> dict[str, Any]:
        """The summary form used by the list endpoint."""
        order = rec["order"]
        statuses = [n["status"] for n in order["phoneNumbers"]]
        return {
            "id": order["id"],
            "status": order["status"],
            "customerOrderReference": order["customerOrderReference"],
            "createdDate": order["createdDate"],
            "phoneNumberQuantity": len(statuses),
            "focQuantity": sum(1 for n in order["phoneNumbers"] if "focDate" in n),
            "activatedQuantity": statuses.count("ACTIVATED"),
            "rejectedQuantity": statuses.count("REJECTED"),
            "excludedQuantity": statuses.count("EXCLUDED"),
        }

    # ----------------------------------------------------------------- notes, documents

    def add_note(self, order_id: str, body: Any, *, author: str) -> dict[str, Any]:
        """POST notes: `{"note"}` -> `{"id", "note"}`; NEW_ORDER_NOTE fires."""
        rec = self.record(order_id)
        text = body.get("note") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise invalid([FieldViolation("note", "is required and must be a non-empty string")])
        if rec["order"]["status"] == "CANCELED":
            raise ApiError(400, f"Order {rec['order']['id']} is CANCELED; notes are closed")
        note_id = self.put_note(rec, text, author=author)
        self.touch()
        return {"id": note_id, "note": text}

    def put_note(self, rec: dict[str, Any], text: str, *, author: str) -> int:
        """Append a note to the order and fire NEW_ORDER_NOTE."""
        note_id = self.next_note_id
        self.next_note_id += 1
        rec["order"]["notes"].append(
            {"note": text, "createdTime": iso(self.now), "createdBy": author}
        )
        self.emit({"type": "NEW_ORDER_NOTE", "orderId": str(rec["order"]["id"]), "note": text})
        return note_id

    def add_document(self, order_id: str, body: Any) -> dict[str, Any]:
        """POST documents: base64 `fileContent` stored; the answer omits the content."""
        rec = self.record(order_id)
        violations: list[FieldViolation] = []
        src = body if isinstance(body, dict) else {}
        name = src.get("documentName")
        description = src.get("description", "")
        content = src.get("fileContent")
        if not isinstance(name, str) or not name.strip():
            violations.append(FieldViolation("documentName", "is required"))
        if not isinstance(description, str):
            violations.append(FieldViolation("description", "must be a string"))
        raw = b""
        if not isinstance(content, str) or not content:
            violations.append(FieldViolation("fileContent", "is required (base64)"))
        else:
            try:
                raw = base64.b64decode(content, validate=True)
            except (binascii.Error, ValueError):
                violations.append(FieldViolation("fileContent", "must be valid base64"))
            if len(raw) > self.config.max_document_bytes:
                violations.append(
                    FieldViolation(
                        "fileContent", f"must be at most {self.config.max_document_bytes} bytes"
                    )
                )
        if violations:
            raise invalid(violations)
        if rec["order"]["status"] == "CANCELED":
            raise ApiError(400, f"Order {rec['order']['id']} is CANCELED; documents are closed")
        doc_id = self.next_document_id
        self.next_document_id += 1
        meta = {"id": doc_id, "documentName": str(name), "description": str(description)}
        rec["order"]["documents"].append(meta)
        ctype = mimetypes.guess_type(str(name))[0] or "application/octet-stream"
        rec["sim"]["files"][str(doc_id)] = {"fileContent": content, "contentType": ctype}
        self.emit_order(rec)
        self.touch()
        return dict(meta)

    def get_document(self, order_id: str, document_id: str) -> dict[str, Any]:
        """GET a document with its base64 content."""
        rec = self.record(order_id)
        stored = rec["sim"]["files"].get(document_id)
        meta = next((d for d in rec["order"]["documents"] if str(d["id"]) == document_id), None)
        if stored is None or meta is None:
            raise ApiError(404, f"Document {document_id} not found on order {order_id}")
        return {"documentId": meta["id"], **meta, **stored}

    # ----------------------------------------------------------------- groups, activation

    def groups_of(self, rec: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        """Numbers by group, groups in order of first appearance."""
        out: dict[str, list[dict[str, Any]]] = {}
        for n in rec["order"]["phoneNumbers"]:
            out.setdefault(n["phoneNumberGroup"], []).append(n)
        return out

    def phone_groups(self, order_id: str) -> list[dict[str, Any]]:
        """The skill-only `phoneGroups` endpoint: `PhoneNumberGroupItem`s."""
        rec = self.record(order_id)
        out = []
        for group, numbers in self.groups_of(rec).items():
            foc = next((n["focDate"] for n in numbers if "focDate" in n), None)
            item: dict[str, Any] = {"phoneNumberGroup": group}
            if foc is not None:
                item["focDate"] = foc
            item["phoneNumbers"] = copy.deepcopy(numbers)
            out.append(item)
        return out

    def offered(self, rec: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        """Groups activatable now: on-demand CONFIRMED order, all live numbers CONFIRMED, FOC."""
        order = rec["order"]
        if not order["onDemandActivation"] or order["status"] != "CONFIRMED":
            return {}
        today = ny_date(self.now)
        out: dict[str, list[dict[str, Any]]] = {}
        for group, numbers in self.groups_of(rec).items():
            live = [n for n in numbers if n["status"] not in DEAD_NUMBER]
            if not live or any(n["status"] != "CONFIRMED" for n in live):
                continue
            focs = [self.foc_of(n) for n in live]
            if all(f is not None and f <= today for f in focs):
                out[group] = live
        return out

    def available_activations(self, order_id: str) -> list[dict[str, Any]]:
        """GET availableActivations: a top-level array (OpenAPI shape)."""
        rec = self.record(order_id)
        out = []
        for group, numbers in self.offered(rec).items():
            entries = []
            for n in numbers:
                entry = {"phoneNumber": n["phoneNumber"]}
                for key in ("voiceConfiguration", "smsConfiguration"):
                    if key in n:
                        entry[key] = copy.deepcopy(n[key])
                entries.append(entry)
            out.append(
                {
                    "phoneNumberGroup": group,
                    "focDate": numbers[0]["focDate"],
                    "phoneNumbers": entries,
                }
            )
        return out

    def activate(self, order_id: str, groups: list[str] | None, *, user: str) -> dict[str, Any]:
        """POST activate: named (or all offered) groups of an on-demand CONFIRMED order."""
        rec = self.record(order_id)
        order = rec["order"]
        if not order["onDemandActivation"]:
            raise ApiError(400, f"Order {order['id']} is not an on-demand order")
        if order["status"] != "CONFIRMED":
            raise ApiError(
                400,
                f"Order {order['id']} is {order['status']}; only CONFIRMED orders can be activated",
            )
        offered = self.offered(rec)
        wanted = list(offered) if groups is None else groups
        if not wanted:
            raise ApiError(
                400, f"Order {order['id']} has no activation group ready (FOC not reached)"
            )
        missing = [g for g in wanted if g not in offered]
        if missing:
            raise ApiError(
                400,
                f"Activation group(s) not available for order {order['id']}: {', '.join(missing)}",
            )
        for group in dict.fromkeys(wanted):
            self.activate_numbers(rec, offered[group], self.now, user=user)
        self.check_completed(rec)
        self.touch()
        return {
            "phoneNumberGroups": [
                {"phoneNumberGroup": g, "status": "ACTIVATED"} for g in dict.fromkeys(wanted)
            ]
        }

    def activate_numbers(
        self, rec: dict[str, Any], numbers: list[dict[str, Any]], at: datetime, *, user: str
    ) -> None:
        """CONFIRMED -> ACTIVATED with `activatedDate`; NUMBERS_ACTIVATED fires."""
        done = []
        for n in numbers:
            if n["status"] == "CONFIRMED":
                n["status"] = "ACTIVATED"
                n["activatedDate"] = iso(at)
                n["activateUser"] = user
                done.append(n)
        self.emit_numbers(rec, "ACTIVATED", done)

    def check_completed(self, rec: dict[str, Any]) -> None:
        """CONFIRMED -> COMPLETED once every live number is ACTIVATED."""
        order = rec["order"]
        live = [n for n in order["phoneNumbers"] if n["status"] not in DEAD_NUMBER]
        if order["status"] == "CONFIRMED" and all(n["status"] == "ACTIVATED" for n in live):
            order["status"] = "COMPLETED"
            self.emit_order(rec)

    def check_confirmed(self, rec: dict[str, Any], at: datetime) -> None:
        """PENDING -> CONFIRMED once every live number is CONFIRMED (has its FOC)."""
        order = rec["order"]
        live = [n for n in order["phoneNumbers"] if n["status"] not in DEAD_NUMBER]
        if order["status"] == "PENDING" and live and all(n["status"] == "CONFIRMED" for n in live):
            order["status"] = "CONFIRMED"
            rec["sim"]["confirmedAt"] = iso(at)
            rec["sim"]["groupDue"] = {}
            self.emit_order(rec)

    # ----------------------------------------------------------------- carrier answers

    def confirm_numbers(
        self, rec: dict[str, Any], group: str, at: datetime, foc: date | None
    ) -> list[dict[str, Any]]:
        """The carrier confirms a group's PENDING/REJECTED numbers with an FOC date."""
        if foc is None:
            desired = date.fromisoformat(rec["order"]["desiredPortSchedule"]["desiredPortDate"])
            foc = max(desired, ny_date(at) + timedelta(days=self.config.foc_lead_days))
        done = []
        for n in self.groups_of(rec).get(group, []):
            if n["status"] in ("PENDING", "REJECTED"):
                n["status"] = "CONFIRMED"
                n["focDate"] = self.foc_text(foc)
                n["confirmedDate"] = iso(at)
                n.pop("rejectReason", None)
                done.append(n)
        rec["sim"]["groupDue"].pop(group, None)
        self.emit_numbers(rec, "CONFIRMED", done)
        self.check_confirmed(rec, at)
        return done

    def reject_numbers(self, rec: dict[str, Any], group: str, at: datetime, reason: str) -> None:
        """The carrier rejects a group: numbers REJECTED, a Sinch note, webhooks."""
        done = []
        for n in self.groups_of(rec).get(group, []):
            if n["status"] in ("PENDING", "CONFIRMED"):
                n["status"] = "REJECTED"
                n["rejectReason"] = reason
                for key in ("focDate", "confirmedDate"):
                    n.pop(key, None)
                done.append(n)
        rec["sim"]["groupDue"].pop(group, None)
        saved = self.now
        self.now = at
        self.emit_numbers(rec, "REJECTED", done)
        self.put_note(
            rec,
            f"The losing carrier rejected group {group}: {reason}. "
            "Please correct the port-out information and update the order.",
            author=SINCH,
        )
        self.emit_order(rec)
        self.now = saved

    def carrier_answer(self, rec: dict[str, Any], group: str, at: datetime) -> None:
        """A group's timer fired: reject on a known-bad PIN, else confirm."""
        pending = [n for n in self.groups_of(rec).get(group, []) if n["status"] == "PENDING"]
        for n in pending:
            pin = n.get("portOutInfo", {}).get("existingPortOutPin")
            if pin is not None and pin in self.config.reject_pins:
                self.reject_numbers(rec, group, at, self.config.reject_pins[pin])
                return
        self.confirm_numbers(rec, group, at, None)

    def confirm_group(self, order_id: str, group: str, foc: str | None) -> dict[str, Any]:
        """Control: confirm a group now (optionally with a given FOC date)."""
        rec = self.group_record(order_id, group)
        foc_date = None
        if foc is not None:
            foc_date = parse_date(foc)
            if foc_date is None:
                raise invalid([FieldViolation("focDate", "must be a date in YYYY-MM-DD format")])
        self.confirm_numbers(rec, group, self.now, foc_date)
        self.touch()
        self.tick(self.now, only=rec["order"]["id"])
        return self.render(rec)

    def reject_group(self, order_id: str, group: str, reason: str) -> dict[str, Any]:
        """Control: reject a group now with `reason`."""
        rec = self.group_record(order_id, group)
        if not reason.strip():
            raise invalid([FieldViolation("reason", "is required")])
        self.reject_numbers(rec, group, self.now, reason)
        self.touch()
        return self.render(rec)

    def group_record(self, order_id: str, group: str) -> dict[str, Any]:
        """The record of a PENDING order that has `group`, else 404/400."""
        rec = self.record(order_id)
        if group not in self.groups_of(rec):
            raise ApiError(404, f"Order {order_id} has no group {group!r}")
        if rec["order"]["status"] != "PENDING":
            raise ApiError(400, f"Order {order_id} is {rec['order']['status']}, not PENDING")
        return rec

    def mark_nonportable(self, numbers: list[str]) -> None:
        """Control: portability checks report these numbers as not portable."""
        bad = [n for n in numbers if not isinstance(n, str) or not E164_SHAPE.match(n)]
        if bad:
            raise invalid(
                [FieldViolation("phoneNumbers", f"not E.164: {', '.join(map(str, bad))}")]
            )
        self.nonportable.update(numbers)
        self.touch()

    def portability(self, numbers: Any) -> dict[str, Any]:
        """POST portabilityChecks: per number portable/carrier/reason."""
        if not isinstance(numbers, list) or not numbers:
            raise invalid(
                [FieldViolation("phoneNumbers", "is required and must be a non-empty array")]
            )
        if len(numbers) > self.config.max_portability_batch:
            raise invalid(
                [
                    FieldViolation(
                        "phoneNumbers", f"at most {self.config.max_portability_batch} numbers"
                    )
                ]
            )
        bad = [
            FieldViolation(f"phoneNumbers[{i}]", f"The ({n}) is not a valid phone number")
            for i, n in enumerate(numbers)
            if not isinstance(n, str) or not E164_SHAPE.match(n)
        ]
        if bad:
            raise invalid(bad)
        from reconciler.emulator.carrier import carrier_for

        out = []
        for number in numbers:
            region = number_region(number)
            item: dict[str, Any] = {"phoneNumber": number}
            if region is None:
                item.update(portable=False, carrier="", reason="Not a valid US or CA phone number")
            elif number in self.nonportable:
                item.update(
                    portable=False,
                    carrier=carrier_for(number, region, self.seed),
                    reason="The losing carrier does not allow this number to be ported",
                )
            else:
                item.update(portable=True, carrier=carrier_for(number, region, self.seed))
            out.append(item)
        return {"phoneNumbers": out}

    # ----------------------------------------------------------------- configuration

    def set_configuration(self, body: Any, *, create: bool) -> dict[str, Any]:
        """POST (create) / PUT (full replace) of the project configuration."""
        clean, violations = validate_configuration(body)
        if violations:
            raise invalid(violations)
        if create and self.configuration is not None and self.config.configuration_post_conflicts:
            raise ApiError(409, "The project configuration already exists; use PUT to update it")
        if not create and self.configuration is None:
            raise ApiError(404, "No project configuration yet; create it with POST")
        self.configuration = clean
        self.touch()
        return copy.deepcopy(clean)

    def get_configuration(self) -> dict[str, Any]:
        """GET configuration, 404 before one was created."""
        if self.configuration is None:
            raise ApiError(404, "No project configuration has been created")
        return copy.deepcopy(self.configuration)

    # ----------------------------------------------------------------- the clock-work

    def events(self, rec: dict[str, Any], until: datetime) -> list[tuple[datetime, str, str]]:
        """(time, kind, group) of every event of one order due at or before `until`."""
        order = rec["order"]
        sim = rec["sim"]
        out: list[tuple[datetime, str, str]] = []
        if order["status"] == "PENDING":
            for group, due in sim["groupDue"].items():
                at = from_iso(due)
                if at <= until:
                    out.append((at, "answer", group))
        elif order["status"] == "PENDING_CANCELATION" and sim["cancelDueAt"]:
            at = from_iso(sim["cancelDueAt"])
            if at <= until:
                out.append((at, "cancel", ""))
        elif order["status"] == "CONFIRMED" and not order["onDemandActivation"]:
            confirmed = from_iso(sim["confirmedAt"]) if sim["confirmedAt"] else self.now
            for group, numbers in self.groups_of(rec).items():
                focs = [self.foc_of(n) for n in numbers if n["status"] == "CONFIRMED"]
                foc = max((f for f in focs if f is not None), default=None)
                if foc is None:
                    continue
                at = max(port_moment(foc, order["desiredPortSchedule"], self.defaults()), confirmed)
                if at <= until:
                    out.append((at, "activate", group))
        return out

    def tick(self, until: datetime, *, only: int | None = None) -> None:
        """Replay every carrier event due up to `until`, in time order, then set the clock.

        `only` limits the scan to one order (after a change to it, nothing else can be due).
        """
        scope = self.orders if only is None else {only: self.orders[only]}
        for _ in range(10_000):
            batch = sorted(
                (at, oid, kind, group)
                for oid, rec in scope.items()
                if rec["order"]["status"] not in TERMINAL
                for at, kind, group in self.events(rec, until)
            )
            if not batch:
                break
            for at, oid, kind, group in batch:
                self.apply_event(self.orders[oid], at, kind, group)
            self.touch()
        if until > self.now:
            self.now = until

    def apply_event(self, rec: dict[str, Any], at: datetime, kind: str, group: str) -> None:
        """Carry out one due event (re-checked: an earlier event may have made it moot)."""
        saved = self.now
        self.now = at
        try:
            status = rec["order"]["status"]
            if kind == "answer" and status == "PENDING" and group in rec["sim"]["groupDue"]:
                self.carrier_answer(rec, group, at)
            elif kind == "cancel" and status == "PENDING_CANCELATION":
                for n in rec["order"]["phoneNumbers"]:
                    if n["status"] not in ("ACTIVATED", "EXCLUDED"):
                        n["status"] = "CANCELED"
                rec["order"]["status"] = "CANCELED"
                rec["sim"]["cancelDueAt"] = None
                self.emit_order(rec)
            elif kind == "activate" and status == "CONFIRMED":
                self.activate_numbers(rec, self.groups_of(rec)[group], at, user=SINCH)
                self.check_completed(rec)
        finally:
            self.now = saved

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward and run the simulation up to the new time."""
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward with advance; use set_clock")
        self.tick(self.now + delta)
        self.touch()

    def set_clock(self, moment: datetime) -> None:
        """Set the clock (forward runs the simulation; backward just moves the clock)."""
        if moment.tzinfo is None:
            raise ValueError("set_clock needs an aware datetime")
        if moment >= self.now:
            self.tick(moment)
        self.now = moment.astimezone(UTC)
        self.touch()
