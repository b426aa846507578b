"""What every apply step shares: the API client, the specs, and what it expects.

A step never trusts the plan's view of an order: it re-reads it (`reread`), decides whether
the wanted state is already there (`matches_spec`, a note by its text and a document by its name,
both up to server normalisation),
and only then checks the precondition for acting (`precondition`: the status allows it and the
order's fingerprint is still the one the plan was made from). After each of its own verified
mutations the step records the order's new fingerprint (`expect`), so that the next item on
the same order compares against what this run left behind, not against the plan.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from time import monotonic
from time import sleep as real_sleep
from typing import Any

from reconciler.api import PortingClient
from reconciler.compare import Comparison, compare_order
from reconciler.desired import DesiredOrder, DesiredState
from reconciler.diff import diff_essence
from reconciler.essence import IgnoreRules, PortDefaults, configuration_essence
from reconciler.lifecycle import OrderStatus, is_open, order_status
from reconciler.live import LiveSnapshot
from reconciler.savedplan import fingerprint

MAX_SENDS = 2
"""A mutation is sent at most this often per item, each re-send only after a re-read."""
REPLAN = (
    "re-run `portctl apply` (or `portctl plan --out` for a new saved plan): it plans "
    "against the order as it is now and does only what is still needed"
)
"""What to do when an order moved under a plan: a fresh plan sees the order as it is now."""
RELOOK_DELAYS: tuple[float, ...] = (1.0, 3.0)
"""Pauses (seconds) before looking again for a lost create that a lookup did not find.

The list endpoint behind the lookup may lag a fresh write (read-after-write on a search
index); a create is re-sent only when the order is still missing after these looks. A lag
longer than their sum could still let the one re-send duplicate the order: the next plan
then shows both orders as a `conflict` (blocked), never guessing which one to keep.
"""
CHECKS_FRESH_S = 5.0
"""How long (seconds) the batched pre-create look (`CreateChecks`) is trusted; a create whose
POST comes later than that looks again first (one batch again, for the creates still to come)."""


@dataclass(frozen=True)
class CreateChecks:
    """What a create looks at before its POST, read once for the creates still to come.

    Per create that look was two calls (a list by reference, a portability check); batched it
    is one list and one portability batch, re-taken when older than `CHECKS_FRESH_S`, so
    what a POST relies on is never older than that. The plan that apply has just made is the
    first such look (`from_plan`): its order list and portability batch are the ones issue 12
    counts once per apply. Only the look before a POST is batched: after a lost answer a
    create still looks up its own reference and number (`_find_created`).
    """

    taken_at: float
    """`monotonic()` before the calls were sent (the look is as old as its oldest call)."""
    open_orders: Mapping[str, tuple[int, ...]]
    """Ids of the open orders, by exact reference."""
    asked: frozenset[str]
    """The numbers the portability batch asked about (the creates still to come)."""
    portability: Mapping[str, tuple[bool, str]]
    """The answers, by number: (portable, reason)."""

    @classmethod
    def from_plan(cls, live: LiveSnapshot) -> CreateChecks | None:
        """The look the plan took, if it says when its list was read: its open orders of the
        specs' references (all a create reads) and its portability answers (for the numbers
        of the orders it plans to create)."""
        if live.listed_at is None:
            return None
        return cls(
            taken_at=live.listed_at,
            open_orders={
                reference: tuple(row.id for row in rows if row.is_open)
                for reference, rows in live.managed.items()
            },
            asked=frozenset(live.portability),
            portability=live.portability,
        )


def status_of(order: Mapping[str, Any]) -> OrderStatus | str:
    """The status of an order dict (`reconciler.lifecycle.order_status`)."""
    return order_status(order.get("status"))


class StepError(Exception):
    """A step cannot go on; `unknown` says a mutation may have happened (else nothing did)."""

    def __init__(self, message: str, *, unknown: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.unknown = unknown


@dataclass
class StepContext:
    """The state one apply run threads through its steps."""

    client: PortingClient
    desired: DesiredState
    defaults: PortDefaults
    expected: dict[int, str] = field(default_factory=dict)
    """order id -> fingerprint the next mutation of that order must find."""
    created: dict[str, int] = field(default_factory=dict)
    """spec name -> id of the order this run created or found for it."""
    sleep: Callable[[float], None] = real_sleep
    """Waits between looks (`RELOOK_DELAYS`); injected so tests never sleep for real."""
    monotonic: Callable[[], float] = monotonic
    """The clock `CreateChecks` are aged by; injected so tests can age them."""

    def __post_init__(self) -> None:
        self.ignore = IgnoreRules(self.desired.ignore_fields)
        self._orders = {o.name: o for o in self.desired.orders}
        self._checks: CreateChecks | None = None
        self._checks_lock = threading.Lock()
        self._still_to_look: dict[str, None] = {}

    def begin(self, creates: tuple[str, ...], first_look: CreateChecks | None = None) -> None:
        """Start a run of a plan whose creates are `creates`: no look of an earlier run counts,
        only `first_look` (the plan's own, `CreateChecks.from_plan`) while it is fresh."""
        self._checks = first_look
        self._still_to_look = dict.fromkeys(creates)

    def create_checks(self, spec: DesiredOrder) -> CreateChecks:
        """The look before `spec`'s POST: the batch when fresh and covering it, else a new one.

        Creates running side by side share it: one takes a new look at a time (under a lock,
        the others wait for it and then use it). That keeps the guarantee of the serial run,
        because each create reads only its own reference and numbers in it, and whichever
        thread took it, it was taken before this create's POST (which only this create sends:
        no two specs share a reference). Other creates' orders may or may not be in it; nothing
        reads them. After a lost answer each create still looks up its own reference alone
        (`steps._find_created`)."""
        with self._checks_lock:
            checks = self._checks
            if (
                checks is None
                or self.monotonic() - checks.taken_at > CHECKS_FRESH_S
                or not checks.asked.issuperset(spec.phone_numbers)
            ):
                checks = self._checks = self._look_before_creates(spec)
            self._still_to_look.pop(spec.name, None)
            return checks

    def _look_before_creates(self, spec: DesiredOrder) -> CreateChecks:
        """One list of every order and one portability batch for `spec` and the creates that
        have not looked yet (the API has no filter for several references, so the whole list
        is read)."""
        names = [n for n in self._still_to_look if n != spec.name]
        specs = [spec, *(self._orders[n] for n in names if n in self._orders)]
        numbers = sorted({n for s in specs for n in s.phone_numbers})
        taken_at = self.monotonic()
        open_orders: dict[str, list[int]] = {}
        for row in self.client.list_orders():
            if is_open(row.status) and row.customer_order_reference is not None:
                open_orders.setdefault(row.customer_order_reference, []).append(row.id)
        answers = self.client.check_portability(numbers)
        return CreateChecks(
            taken_at=taken_at,
            open_orders={ref: tuple(ids) for ref, ids in open_orders.items()},
            asked=frozenset(numbers),
            portability={a.phone_number: (a.portable, a.reason or "") for a in answers},
        )

    def order_spec(self, name: str) -> DesiredOrder:
        """The spec an item names (a saved plan's names are checked by the stale check)."""
        try:
            return self._orders[name]
        except KeyError:
            raise StepError(f"no spec named {name!r} among the loaded specs") from None

    def reread(self, order_id: int) -> dict[str, Any]:
        """The order as the API shows it now."""
        return self.client.get_order(order_id).raw

    def compare(self, spec: DesiredOrder, live: Mapping[str, Any]) -> Comparison:
        """The spec against the live order, by the rules plan uses (`reconciler.compare`)."""
        return compare_order(spec.body, live, defaults=self.defaults, ignore=self.ignore)

    def matches_spec(self, spec: DesiredOrder, live: Mapping[str, Any]) -> bool:
        """Whether the live order already is what the spec asks for (same rules as plan):
        secrets the API hides and server-normalised texts do not count as differences."""
        return not self.compare(spec, live).changes

    def configuration_matches(self, live: Mapping[str, Any] | None) -> bool:
        """Whether the live project configuration is what the PortingDefaults spec asks for."""
        if live is None or self.desired.configuration is None:
            return False
        wanted = configuration_essence(self.desired.configuration.body, ignore=self.ignore)
        return not diff_essence(wanted, configuration_essence(live, ignore=self.ignore))

    def precondition(
        self, order_id: int, live: Mapping[str, Any], allowed: Collection[str], action: str
    ) -> None:
        """Refuse to act unless the status allows `action` and the order did not move."""
        status = status_of(live)
        if status not in allowed:
            wanted = " or ".join(sorted(allowed))
            raise StepError(f"order is {status} now; {action} needs {wanted}; {REPLAN}")
        if not self.unmoved(order_id, live):
            raise StepError(
                f"order {order_id} changed since the plan was made (it is {status} now; a "
                "carrier update, another apply or an edit outside portctl moved it); nothing "
                f"was sent for this item; {REPLAN}"
            )

    def unmoved(self, order_id: int, live: Mapping[str, Any]) -> bool:
        """Whether the order is still in the state this run expects (plan or own last change)."""
        expected = self.expected.get(order_id)
        return expected is None or fingerprint(live) == expected

    def expect(self, order_id: int, live: Mapping[str, Any]) -> None:
        """Remember the order's state after this run's own verified change."""
        self.expected[order_id] = fingerprint(live)

    def order_id_for(self, name: str, planned: int | None) -> int:
        """The order an attachment goes on: the planned one, or the one created this run."""
        if planned is not None:
            return planned
        created = self.created.get(name)
        if created is None:
            raise StepError("not attempted: the order was not created in this run")
        return created
