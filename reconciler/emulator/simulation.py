"""The carrier simulation on the virtual clock, and what it enables (activation).

`tick` replays every carrier event that fell due, in time order, each stamped with its own due
time (not the time the clock was moved to). Deterministic; the knobs are in `EmulatorConfig`:

* Numbers are grouped per fake losing carrier (derived from the NPA and the seed) into groups of
  at most `group_size`, named `GW <carrier> Grp<n>`.
* Each group is "submitted" at creation; `confirm_after_business_days` weekdays (Monday to
  Friday; no holidays are modelled; plus
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
  carrier answer now. `exclude_number` is the only way a number becomes EXCLUDED (Sinch
  documents no rule for it): the number leaves the order with `exclusionReason` and
  `exclusionDate`, no longer counts towards confirmation or completion, and no longer blocks
  other orders; the last live number of an order cannot be excluded (cancel the order instead).
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

from reconciler.emulator.carrier import add_business_days, port_moment
from reconciler.emulator.errors import ErrorAnswer, FieldViolation, invalid
from reconciler.emulator.state import (
    DEAD_NUMBER,
    SINCH,
    TERMINAL,
    WorldState,
    from_iso,
    iso,
    ny_date,
)
from reconciler.emulator.validation import parse_date


class Simulation(WorldState):
    """Carrier answers, scheduled completion, cancellation and on-demand activation."""

    def due_time(self) -> str:
        """When a group submitted now gets its carrier answer."""
        due = add_business_days(self.now, self.config.confirm_after_business_days)
        return iso(due + timedelta(hours=self.config.confirm_after_hours))

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
            raise ErrorAnswer(400, f"Order {order['id']} is not an on-demand order")
        if order["status"] != "CONFIRMED":
            raise ErrorAnswer(
                400,
                f"Order {order['id']} is {order['status']}; only CONFIRMED orders can be activated",
            )
        offered = self.offered(rec)
        wanted = list(offered) if groups is None else groups
        if not wanted:
            raise ErrorAnswer(
                400, f"Order {order['id']} has no activation group ready (FOC not reached)"
            )
        missing = [g for g in wanted if g not in offered]
        if missing:
            raise ErrorAnswer(
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

    def exclude_number(self, order_id: str, number: str, reason: str) -> dict[str, Any]:
        """Control: drop one number from a PENDING or CONFIRMED order (EXCLUDED)."""
        rec = self.record(order_id)
        order = rec["order"]
        if order["status"] not in ("PENDING", "CONFIRMED"):
            raise ErrorAnswer(
                400, f"Order {order_id} is {order['status']}, not PENDING or CONFIRMED"
            )
        entry = next((n for n in order["phoneNumbers"] if n["phoneNumber"] == number), None)
        if entry is None:
            raise ErrorAnswer(404, f"Order {order_id} has no number {number}")
        if not reason.strip():
            raise invalid([FieldViolation("reason", "is required")])
        if entry["status"] not in ("PENDING", "CONFIRMED", "REJECTED"):
            raise ErrorAnswer(400, f"{number} is {entry['status']} and cannot be excluded")
        live = [n for n in order["phoneNumbers"] if n["status"] not in DEAD_NUMBER]
        if live == [entry]:
            raise ErrorAnswer(400, f"{number} is the last number of order {order_id}; cancel it")
        for key in ("focDate", "confirmedDate", "rejectReason"):
            entry.pop(key, None)
        entry.update(status="EXCLUDED", exclusionReason=reason, exclusionDate=iso(self.now))
        self.emit_order(rec)
        self.check_confirmed(rec, self.now)
        self.check_completed(rec)
        self.touch()
        self.tick(self.now, only=order["id"])
        return self.render(rec)

    def group_record(self, order_id: str, group: str) -> dict[str, Any]:
        """The record of a PENDING order that has `group`, else 404/400."""
        rec = self.record(order_id)
        groups = self.groups_of(rec)
        if group not in groups:
            named = ", ".join(repr(g) for g in sorted(groups)) or "none"
            raise ErrorAnswer(404, f"Order {order_id} has no group {group!r}; its groups: {named}")
        if rec["order"]["status"] != "PENDING":
            raise ErrorAnswer(400, f"Order {order_id} is {rec['order']['status']}, not PENDING")
        return rec

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
