"""The emulated porting world as the API routes see it: orders, notes, documents, settings.

`World` adds the request-driven operations (create, full PUT, cancel, list, notes, documents,
portability checks, project configuration) to the carrier simulation of
`reconciler.emulator.simulation`, whose module docstring describes how orders move on the
virtual clock.
"""

from __future__ import annotations

import base64
import binascii
import copy
import mimetypes
import sys
from dataclasses import replace
from datetime import timedelta
from typing import Any

from reconciler.emulator.carrier import assign_groups, carrier_for
from reconciler.emulator.errors import ErrorAnswer, FieldViolation, invalid
from reconciler.emulator.readings import check_sees, normalise_text, store_numbers
from reconciler.emulator.simulation import Simulation
from reconciler.emulator.state import DEAD_NUMBER, TERMINAL, WorldState, from_iso, iso, ny_date
from reconciler.emulator.validation import (
    E164_SHAPE,
    number_region,
    validate_configuration,
    validate_order,
)

__all__ = ["World", "WorldState", "from_iso", "iso", "ny_date"]


class World(Simulation):
    """The whole emulated world: state, carrier simulation and the API operations."""

    def validate(self, body: Any, *, own_id: int | None) -> dict[str, Any]:
        """Validate a create/PUT body incl. portability and numbers held by other live orders."""
        config = self.config
        if config.variant("reference-length") == "unlimited":
            config = replace(config, max_reference_length=sys.maxsize)
        clean, violations = validate_order(body, today=ny_date(self.now), config=config)
        zone = (clean.get("desiredPortSchedule") or {}).get("desiredPortTimeZone")
        if zone == "GMT" and self.config.variant("time-zones") == "us-only":
            violations.append(
                FieldViolation(
                    "desiredPortSchedule.desiredPortTimeZone",
                    "must be one of US/Eastern, US/Central, US/Mountain, US/Pacific",
                )
            )
        for i, entry in enumerate(clean.get("phoneNumbers", [])):
            number = entry.get("phoneNumber")
            if number is None:
                continue
            path = f"phoneNumbers[{i}].phoneNumber"
            if number in self.nonportable:
                violations.append(FieldViolation(path, f"{number} is not portable"))
            holder = self.holder(number, own_id=own_id)
            if holder is not None:
                violations.append(FieldViolation(path, self.held_reason(number, holder)))
        if violations:
            raise invalid(violations)
        store_numbers(clean.get("phoneNumbers", []), self.config.variant("normalise"))
        return clean

    def holder(self, number: str, *, own_id: int | None = None) -> int | None:
        """The live order (lowest id, not `own_id`) that still has `number`, if any."""
        return min(
            (
                oid
                for oid in self.number_index.get(number, ())
                if oid != own_id and self.holds(self.orders[oid]["order"], number)
            ),
            default=None,
        )

    def seen_holder(self, number: str) -> int | None:
        """The holder the portability check reports (`holder`, as the variant
        `portability-open-orders` lets the check see it)."""
        mode = self.config.variant("portability-open-orders")
        return min(
            (
                oid
                for oid in self.number_index.get(number, ())
                if self.holds(self.orders[oid]["order"], number)
                and check_sees(self.orders[oid]["order"], number, mode)
            ),
            default=None,
        )

    def held_reason(self, number: str, holder: int) -> str:
        """Why `number` cannot go on a new order: the create's 422 and the portability
        check say the same (docs/api-notes.md#emulator-choices)."""
        return f"{number} is already on order {holder} ({self.orders[holder]['order']['status']})"

    @staticmethod
    def holds(order: dict[str, Any], number: str) -> bool:
        """Whether a non-terminal order still has `number` (not excluded from it)."""
        return order["status"] not in TERMINAL and any(
            n["phoneNumber"] == number and n["status"] not in DEAD_NUMBER
            for n in order["phoneNumbers"]
        )

    def group_numbers(self, numbers: list[dict[str, Any]]) -> None:
        """Set `phoneNumberGroup` on each number (deterministic carrier groups)."""
        groups = assign_groups(
            ((n["phoneNumber"], n["countryCode"]) for n in numbers),
            seed=self.seed,
            group_size=self.config.group_size,
        )
        for n in numbers:
            n["phoneNumberGroup"] = groups[n["phoneNumber"]]

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
            raise ErrorAnswer(
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
                    "exclusionDate",
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
            raise ErrorAnswer(
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

    def add_note(self, order_id: str, body: Any, *, author: str) -> dict[str, Any]:
        """POST notes: `{"note"}` -> `{"id", "note"}`; NEW_ORDER_NOTE fires."""
        rec = self.record(order_id)
        text = body.get("note") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise invalid([FieldViolation("note", "is required and must be a non-empty string")])
        if rec["order"]["status"] == "CANCELED":
            raise ErrorAnswer(400, f"Order {rec['order']['id']} is CANCELED; notes are closed")
        text = normalise_text(text, self.config.variant("normalise"))
        note_id = self.put_note(rec, text, author=author)
        self.touch()
        return {"id": note_id, "note": text}

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
            raise ErrorAnswer(400, f"Order {rec['order']['id']} is CANCELED; documents are closed")
        doc_id = self.next_document_id
        self.next_document_id += 1
        name = normalise_text(str(name), self.config.variant("normalise"))
        meta = {"id": doc_id, "documentName": name, "description": str(description)}
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
            raise ErrorAnswer(404, f"Document {document_id} not found on order {order_id}")
        return {"documentId": meta["id"], **meta, **stored}

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
            elif (holder := self.seen_holder(number)) is not None:
                item.update(
                    portable=False,
                    carrier=carrier_for(number, region, self.seed),
                    reason=self.held_reason(number, holder),
                )
            else:
                item.update(portable=True, carrier=carrier_for(number, region, self.seed))
            out.append(item)
        return {"phoneNumbers": out}

    def set_configuration(self, body: Any, *, create: bool) -> dict[str, Any]:
        """POST (create) / PUT (full replace) of the project configuration."""
        clean, violations = validate_configuration(body)
        if violations:
            raise invalid(violations)
        if create and self.configuration is not None and self.config.configuration_post_conflicts:
            raise ErrorAnswer(409, "The project configuration already exists; use PUT to update it")
        if not create and self.configuration is None:
            raise ErrorAnswer(404, "No project configuration yet; create it with POST")
        self.configuration = clean
        self.touch()
        return copy.deepcopy(clean)

    def get_configuration(self) -> dict[str, Any]:
        """GET configuration, 404 before one was created."""
        if self.configuration is None:
            raise ErrorAnswer(404, "No project configuration has been created")
        return copy.deepcopy(self.configuration)
