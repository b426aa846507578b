"""Numbers of orders to create that another live order has: which reads find them, cheaply.

The API refuses a create whose numbers are on an open or PENDING_CANCELATION order of any
reference (docs/design.md#decision-table, `numbers_on_open_order`), and list rows carry no
numbers. Reading every such order finds them, at one GET per open order of the account (2,000
at issue 12's 10,000 orders, for a plan that creates one order). The portability check the
plan makes anyway for the creates' numbers may already know: the emulator answers
`portable: false` for a number on an open order, but the reference does not say whether Sinch
does (docs/api-notes.md#emulator-choices). So the plan calibrates the check on the spot,
in the same batch: it also asks about one *probe* number of one order of each open or
canceling status present, a number still waiting at its carrier (PENDING or CONFIRMED on that
order), taken from orders read anyway or else from one GET per status.

* Every probe of a status answers not portable: the check sees orders of that status, so a
  create number it answers portable is on none of them, and nothing more is read for it.
* A probe answers portable (the check does not look at orders of that status), has no answer,
  or no probe number exists: every unread order of that status is read, as before.
* A create number answered not portable is looked up by the list's `phoneNumber` filter
  (`HOLDER_LOOKUPS` per plan), and the open or canceling orders listed are read to confirm
  it is on one; if none has it, it stays an ordinary non-portable number.

A probe answering `false` for another reason (its carrier stopped allowing ports after the order
was placed) would make a blind check look calibrated; it is unlikely, since the order's numbers
were portable when it was created, and the cost of that mistake is a create the API refuses
with its 422 at apply, never a second order. A REJECTED or ACTIVATED number tells nothing as a
probe (it may answer `false` for its own reason), so orders whose list row counts such numbers,
or does not say, are read in full: the check cannot be calibrated for those numbers.
Pure: decides from the listing, the orders read so far and the check's answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from reconciler.lifecycle import NumberStatus, is_terminal, number_status, order_status
from reconciler.live import Listing, LiveOrderSummary

HOLDER_LOOKUPS = 20
"""Create numbers answered not portable whose holder is looked up per plan; the rest are
reported by count (each lookup is one list call, plus a GET of a holder not read yet)."""

PROBE_NUMBER_STATUSES = frozenset({NumberStatus.PENDING, NumberStatus.CONFIRMED})
"""A probe number still waits at its carrier: its only reason not to be portable is the order."""


def may_hold(status: object) -> bool:
    """An order in this status keeps its numbers from a new order (open or being canceled: any
    status but a terminal one, since `is_open` is neither terminal nor canceling)."""
    return not is_terminal(status)


def calibratable(row: LiveOrderSummary) -> bool:
    """Whether the list row says the order has no REJECTED or ACTIVATED number, the numbers
    a probe cannot speak for; a row that does not say counts as having some."""
    return row.rejected == 0 and row.activated == 0


def probe_number(order: Mapping[str, Any]) -> str | None:
    """The lowest number of `order` still waiting at its carrier, if any."""
    return min(
        (
            str(n.get("phoneNumber"))
            for n in order.get("phoneNumbers") or ()
            if number_status(n.get("status")) in PROBE_NUMBER_STATUSES
        ),
        default=None,
    )


@dataclass(frozen=True)
class TakenNumbers:
    """How a plan that may create finds the create numbers other orders have
    (`reconciler.live.TakenCheck`, carried out by `reconciler.live.fetch_live`)."""

    listing: Listing
    lookup_cap: int = HOLDER_LOOKUPS

    @cached_property
    def _holding(self) -> tuple[LiveOrderSummary, ...]:
        """The listed open or canceling orders, by id: sorted once, since the listing does not
        change while the questions below are asked (seven times in a plan; issue 12)."""
        holding = (s for s in self.listing.rows if may_hold(s.status))
        return tuple(sorted(holding, key=lambda s: s.id))

    def _unread(self, details: Mapping[int, Any]) -> list[LiveOrderSummary]:
        """Open or canceling orders whose numbers are not known: the check must speak for them."""
        return [s for s in self._holding if s.id not in details]

    def probes(self, details: Mapping[int, Mapping[str, Any]]) -> dict[str, str]:
        """Status -> probe number, for each status of an unread order that a read order of
        the same status (the lowest id with a probe number) can speak for."""
        statuses = {str(s.status) for s in self._unread(details)}
        found: dict[str, str] = {}
        for order_id in sorted(details):
            status = str(order_status(details[order_id].get("status")))
            if status in statuses and status not in found:
                number = probe_number(details[order_id])
                if number is not None:
                    found[status] = number
        return found

    def probe_orders(self, details: Mapping[int, Mapping[str, Any]]) -> list[int]:
        """One unread order (the lowest id) of each status no order read so far can probe."""
        probed = self.probes(details)
        first: dict[str, int] = {}
        for row in self._unread(details):
            first.setdefault(str(row.status), row.id)
        return sorted(i for status, i in first.items() if status not in probed)

    def unseen(
        self, details: Mapping[int, Mapping[str, Any]], answers: Mapping[str, bool]
    ) -> list[int]:
        """Unread orders of each status the check did not show it sees (its probe answered
        portable, was not answered, or there was none): they are read in full."""
        probed = self.probes(details)
        return [
            s.id
            for s in self._unread(details)
            if answers.get(probed.get(str(s.status), ""), True) is not False
        ]

    def suspects(
        self, details: Mapping[int, Mapping[str, Any]], answers: Mapping[str, bool]
    ) -> list[str]:
        """Numbers answered not portable, in order: an unread order may have them (looked
        up). None when every open or canceling order is read: its numbers are known."""
        if not self._unread(details):
            return []
        return sorted(n for n, portable in answers.items() if not portable)
