"""The data of the emulated porting world and the helpers every operation shares.

Everything is plain JSON-safe dicts (the wire shape of each order plus a private `sim` record
with carrier timers and stored files), so saving and loading a state with a thousand orders is
one `json` call. All time comes from the virtual clock `now`.
"""

from __future__ import annotations

import copy
import functools
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.errors import ErrorAnswer
from reconciler.emulator.validation import SYSTEM_PORT_TIME, SYSTEM_PORT_ZONE

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


@functools.lru_cache(maxsize=1 << 17)
def _parsed(text: str) -> datetime:
    return from_iso(text)


def created_at(rec: dict[str, Any]) -> datetime:
    """When an order was created (`from_iso`, remembered: listing compares every order's, and
    most orders are listed again and again)."""
    return _parsed(rec["sim"]["createdAt"])


def ny_date(moment: datetime) -> date:
    """The calendar date in New York, where Sinch's porting desk works."""
    return moment.astimezone(NEW_YORK).date()


class WorldState:
    """Orders, configuration, ids and the webhook outbox; shared helpers, no behaviour."""

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
        self._visible: tuple[tuple[int, datetime], list[int]] | None = None
        """The latest `visible_ids`, with what it was computed for (derived, not saved)."""

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
        self._visible = None
        for oid, rec in self.orders.items():
            self.index_numbers(oid, rec["order"]["phoneNumbers"])

    def visible_ids(self, visible_from: datetime) -> list[int]:
        """Ids of the orders created by `visible_from`, ascending: the unfiltered order list,
        which each of its pages asks for again (10,000 orders filtered per page otherwise).

        Kept while no order is added and `visible_from` stays: orders are never removed and
        their creation time never changes. Read-only for callers."""
        key = (len(self.orders), visible_from)
        if self._visible is None or self._visible[0] != key:
            orders = self.orders
            ids = [k for k in sorted(orders) if created_at(orders[k]) <= visible_from]
            self._visible = (key, ids)
        return self._visible[1]

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

    def record(self, order_id: str | int) -> dict[str, Any]:
        """The stored record of an order, or 404."""
        try:
            key = int(str(order_id))
        except ValueError:
            key = -1
        rec = self.orders.get(key)
        if rec is None:
            raise ErrorAnswer(404, f"Order {order_id} not found")
        return rec

    def defaults(self) -> dict[str, str]:
        """Project defaults for the port schedule (empty when no configuration)."""
        return dict(self.configuration or {})

    def render(self, rec: dict[str, Any]) -> dict[str, Any]:
        """The order as GET shows it, as a copy of its own (webhook payloads are sent after
        the lock is released, while later requests change the stored order)."""
        return copy.deepcopy(self.view(rec))

    def view(self, rec: dict[str, Any]) -> dict[str, Any]:
        """The order as GET shows it (schedule defaults filled when configured), sharing all
        but its top level and schedule with the stored order: for an answer encoded before the
        world changes again, never kept or changed (the deep copy was two thirds of the
        emulator's time per GET, issue 12)."""
        order = dict(rec["order"])
        if self.config.fill_default_schedule:
            sched = order["desiredPortSchedule"] = dict(order["desiredPortSchedule"])
            fallback = self.defaults()
            sched.setdefault("desiredPortTime", fallback.get("defaultPortTime", SYSTEM_PORT_TIME))
            sched.setdefault(
                "desiredPortTimeZone", fallback.get("defaultPortTimeZone", SYSTEM_PORT_ZONE)
            )
        return order

    def foc_text(self, foc: date) -> str:
        """focDate on the wire: OpenAPI date-time by default, the skill's plain date if set."""
        as_datetime = self.config.foc_as_datetime and self.config.variant("foc-date") != "date"
        return f"{foc.isoformat()}T00:00:00Z" if as_datetime else foc.isoformat()

    @staticmethod
    def foc_of(number: dict[str, Any]) -> date | None:
        """A number's FOC as a date (either wire form)."""
        text = number.get("focDate")
        return None if text is None else date.fromisoformat(str(text)[:10])

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

    def groups_of(self, rec: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        """Numbers by group, groups in order of first appearance."""
        out: dict[str, list[dict[str, Any]]] = {}
        for n in rec["order"]["phoneNumbers"]:
            out.setdefault(n["phoneNumberGroup"], []).append(n)
        return out

    def put_note(self, rec: dict[str, Any], text: str, *, author: str) -> int:
        """Append a note to the order and fire NEW_ORDER_NOTE."""
        note_id = self.next_note_id
        self.next_note_id += 1
        rec["order"]["notes"].append(
            {"note": text, "createdTime": iso(self.now), "createdBy": author}
        )
        self.emit({"type": "NEW_ORDER_NOTE", "orderId": str(rec["order"]["id"]), "note": text})
        return note_id
