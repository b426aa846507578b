"""Create numbers on other orders are found without reading every open order, under every
reading of the portability check (docs/design.md#decision-table, reconciler/planning/taken.py).

The world: orders of other systems (references outside the specs' prefix) in every open and
canceling status, a few of them holding numbers new specs want. Whatever the emulator's
`portability-open-orders` reading, the plan must decide the same items; what differs is what
it reads: under the default reading (the check reports numbers on open orders) only one probe
order per status and the holders themselves are read, never an unrelated open order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest

from reconciler.api import Order
from reconciler.emulator.routes import OrderFilter
from reconciler.emulator.world import World
from reconciler.planning.taken import HOLDER_LOOKUPS
from tests.plan.conftest import PlanResult, PlanWorld

_ORDER_PATH = re.compile(r"/orders/portIns/(\d+)$")


def number(i: int) -> str:
    return f"+1312555{i:04d}"


@dataclass(frozen=True)
class Others:
    """Orders of another system, by name (created in this order, so ids ascend)."""

    orders: dict[str, Order]

    def id(self, name: str) -> int:
        return self.orders[name].id

    def ids(self, *names: str) -> set[int]:
        return {self.orders[n].id for n in names}


def other_order(world: PlanWorld, name: str, numbers: list[str]) -> Order:
    """An order of another system (reference `legacy-crm/NAME`); its spec file is removed."""
    world.spec(name, numbers)
    made = world.create(name, reference=f"legacy-crm/{name}")
    (world.specs / f"{name}.yaml").unlink()
    return made


def others(world: PlanWorld) -> Others:
    """Three PENDING, three CONFIRMED, two canceling orders; `pending-3` has a REJECTED
    number (its list row says so, so it is read whatever the check sees)."""
    made = {
        name: other_order(world, name, [number(100 + i)])
        for i, name in enumerate(
            (
                "pending-1",
                "pending-2",
                "pending-3",
                "confirmed-1",
                "confirmed-2",
                "confirmed-3",
                "canceling-1",
                "canceling-2",
            )
        )
    }
    for name in ("confirmed-1", "confirmed-2", "confirmed-3"):
        world.confirm(made[name])
    group = world.groups(made["pending-3"])[0]
    world.emu.reject_group(made["pending-3"].id, group, "Invalid port-out PIN")
    with world.client() as client:
        for name in ("canceling-1", "canceling-2"):
            client.cancel_order(made[name].id)
    return Others(made)


def new_specs(world: PlanWorld) -> None:
    """A number on pending-2, on confirmed-3, on canceling-2, the REJECTED one of pending-3,
    and a free one."""
    world.spec("on-pending", [number(101)])
    world.spec("on-confirmed", [number(105)])
    world.spec("on-canceling", [number(107)])
    world.spec("on-rejected", [number(102)])
    world.spec("free", [number(900)])


def planned(world: PlanWorld, reading: str) -> tuple[PlanResult, set[int], int]:
    """The plan under `reading`, the order ids it read in full, and its list calls."""
    world.emu.set_variants({"portability-open-orders": reading})
    world.emu.request_log.clear()
    result = world.plan_served()
    gets = [r for r in world.emu.request_log if r.method == "GET"]
    read = {int(m[1]) for r in gets if (m := _ORDER_PATH.search(r.path))}
    lists = sum(1 for r in gets if r.path.endswith("/orders/portIns"))
    return result, read, lists


def decisions(result: PlanResult) -> dict[str, tuple[str, str, str]]:
    return {
        i["name"]: (i["kind"], i["reasonCode"], i["reason"])
        for i in result.document["items"]
        if i["kind"] not in ("add-note", "upload-document")
    }


@pytest.mark.parametrize("reading", ["report", "ignore", "ignore-canceling", "waiting-only"])
def test_the_same_items_under_every_reading_of_the_check(world: PlanWorld, reading: str) -> None:
    o = others(world)
    new_specs(world)
    result, _, _ = planned(world, reading)
    items = decisions(result)
    assert items["free"][0] == "create"
    kind, code, reason = items["on-pending"]
    assert (kind, code) == ("blocked", "numbers_on_open_order")
    assert f"order {o.id('pending-2')} (legacy-crm/pending-2, PENDING)" in reason
    kind, code, reason = items["on-confirmed"]
    assert (kind, code) == ("blocked", "numbers_on_open_order")
    assert f"order {o.id('confirmed-3')} (legacy-crm/confirmed-3, CONFIRMED)" in reason
    kind, code, reason = items["on-rejected"]
    assert (kind, code) == ("blocked", "numbers_on_open_order")
    assert f"order {o.id('pending-3')} (legacy-crm/pending-3, PENDING)" in reason
    kind, code, reason = items["on-canceling"]
    assert (kind, code) == ("wait", "numbers_held_by_cancelation")
    assert f"id {o.id('canceling-2')}" in reason


def test_a_check_that_reports_open_orders_reads_only_probes_and_holders(world: PlanWorld) -> None:
    o = others(world)
    new_specs(world)
    _, read, lists = planned(world, "report")
    # pending-3 (its row counts a REJECTED number); one probe per status (the lowest id of
    # each); the holders the lookups name. Never confirmed-2, the one unrelated order.
    assert read == o.ids(
        "pending-3",
        "pending-1",
        "confirmed-1",
        "canceling-1",
        "pending-2",
        "confirmed-3",
        "canceling-2",
    )
    # the order list, and one lookup per number answered not portable that no order read
    # holds (pending-2's, confirmed-3's and canceling-2's; pending-3 was read up front)
    assert lists == 1 + 3


def test_a_check_blind_to_open_orders_falls_back_to_reading_them(world: PlanWorld) -> None:
    o = others(world)
    new_specs(world)
    _, read, lists = planned(world, "ignore")
    assert read == set(o.ids(*o.orders))
    assert lists == 1  # every probe answered portable: nothing is left to look up


def test_a_check_blind_to_canceling_orders_reads_those_only(world: PlanWorld) -> None:
    o = others(world)
    new_specs(world)
    _, read, _ = planned(world, "ignore-canceling")
    assert o.ids("canceling-1", "canceling-2") <= read
    assert o.id("confirmed-2") not in read


def test_a_plan_that_creates_nothing_reads_no_other_order(world: PlanWorld) -> None:
    others(world)
    _, read, lists = planned(world, "report")
    assert (read, lists) == (set(), 1)


def test_a_clean_create_costs_the_probes_and_one_check(world: PlanWorld) -> None:
    o = others(world)
    world.spec("free", [number(900)])
    world.emu.request_log.clear()
    result, read, lists = planned(world, "report")
    assert decisions(result)["free"][0] == "create"
    assert read == o.ids("pending-3", "pending-1", "confirmed-1", "canceling-1")
    posts = [r.path for r in world.emu.request_log if r.method == "POST"]
    assert lists == 1
    assert [p.rsplit("/", 1)[-1] for p in posts] == ["portabilityChecks"]


def test_the_plan_is_the_same_twice(world: PlanWorld) -> None:
    others(world)
    new_specs(world)
    first, read_first, _ = planned(world, "report")
    second, read_second, _ = planned(world, "report")
    assert first.out == second.out
    assert read_first == read_second


def test_holder_lookups_are_capped_and_the_rest_counted(world: PlanWorld) -> None:
    other_order(world, "pending-1", [number(100)])
    other_order(world, "pending-2", [number(101)])
    many = [number(200 + i) for i in range(HOLDER_LOOKUPS + 1)]
    world.emu.mark_nonportable(many)
    world.spec("many", many)
    result, _, lists = planned(world, "report")
    item = result.item("many")
    assert (item["kind"], item["reasonCode"]) == ("blocked", "number_not_portable")
    assert "whether an open order has 1 of them was not looked up" in item["reason"]
    assert lists == 1 + HOLDER_LOOKUPS


def test_a_create_taking_freed_numbers_still_has_its_other_numbers_found(
    world: PlanWorld,
) -> None:
    """A number an update of this plan frees does not hide the create's other numbers:
    one of them on an order of another system still blocks it."""
    world.spec("first", [number(300), number(301)])
    world.create("first")
    world.spec("first", [number(300)])
    other = other_order(world, "elsewhere", [number(302)])
    world.spec("second", [number(301), number(302)])
    result, read, _ = planned(world, "report")
    assert result.item("first")["kind"] == "update"
    item = result.item("second")
    assert (item["kind"], item["reasonCode"]) == ("blocked", "numbers_on_open_order")
    assert f"order {other.id} (legacy-crm/elsewhere, PENDING)" in item["reason"]
    assert item["numbers"] == [number(302)]
    assert other.id in read  # named by the lookup of 302, confirmed by its details


def _ignore_the_number_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the emulator's order list ignore `phoneNumber=`, as an API might."""
    ignoring = OrderFilter.from_call

    def without_number(call: Any, *, substring: bool = False) -> OrderFilter:
        return replace(ignoring(call, substring=substring), number=None)

    monkeypatch.setattr(OrderFilter, "from_call", staticmethod(without_number))


def test_a_phone_number_filter_that_does_not_filter_stops_the_lookups(
    world: PlanWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An API that ignored `phoneNumber=` would list every order for each lookup: the first
    lookup naming more orders than one number can be on stops them (nothing more is read),
    and the create stays blocked by the check's own answer."""
    made = [other_order(world, f"pending-{i}", [number(400 + i)]) for i in range(8)]
    world.spec("dup", [number(405)])
    world.spec("dup-2", [number(406)])
    _ignore_the_number_filter(monkeypatch)
    result, read, lists = planned(world, "report")
    assert read == {made[0].id}  # the PENDING probe only
    assert lists == 2  # the order list and one lookup
    for name in ("dup", "dup-2"):
        item = result.item(name)
        assert (item["kind"], item["reasonCode"]) == ("blocked", "number_not_portable")
    assert "whether an open order has 1 of them was not looked up" in result.item("dup")["reason"]


def test_holders_named_by_a_filter_that_does_not_filter_are_confirmed_by_their_numbers(
    world: PlanWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With few orders unread, an ignored `phoneNumber=` names them all; reading them shows
    which one has the number, and once every order is read no further lookup is made."""
    made = [other_order(world, f"pending-{i}", [number(500 + i)]) for i in range(3)]
    world.spec("dup-1", [number(501)])
    world.spec("dup-2", [number(502)])
    world.emu.mark_nonportable([number(600)])
    world.spec("carrier", [number(600)])
    _ignore_the_number_filter(monkeypatch)
    result, read, lists = planned(world, "report")
    assert read == {m.id for m in made}
    assert lists == 2  # the order list and the one lookup that named every unread order:
    # the carrier's number is known to be on no order without a lookup
    for i, other in ((1, 2), (2, 1)):
        item = result.item(f"dup-{i}")
        assert (item["kind"], item["reasonCode"]) == ("blocked", "numbers_on_open_order")
        assert f"order {made[i].id} (legacy-crm/pending-{i}, PENDING)" in item["reason"]
        assert f"order {made[other].id}" not in item["reason"]
    item = result.item("carrier")
    assert (item["kind"], item["reasonCode"]) == ("blocked", "number_not_portable")
    assert "looked up" not in item["reason"]


def test_rows_that_do_not_count_rejected_numbers_are_read(
    world: PlanWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list row without `rejectedQuantity`/`activatedQuantity` may hide numbers a probe
    cannot speak for: such orders are read in full, as before the calibration."""
    o = others(world)
    new_specs(world)
    listed = World.list_item

    def without_counts(rec: dict[str, Any]) -> dict[str, Any]:
        row = listed(rec)
        return {k: v for k, v in row.items() if k not in ("rejectedQuantity", "activatedQuantity")}

    monkeypatch.setattr(World, "list_item", staticmethod(without_counts))
    result, read, lists = planned(world, "report")
    assert read == set(o.ids(*o.orders))
    assert lists == 1
    assert decisions(result)["on-rejected"][1] == "numbers_on_open_order"


def test_a_plan_whose_specs_without_an_open_order_are_ported_reads_no_other_order(
    world: PlanWorld,
) -> None:
    """A spec whose order COMPLETED creates nothing, so no holder of its numbers is looked
    for: not even pending-3, whose row counts a REJECTED number, is read, and no number is
    checked (issue 12: a mature repository is mostly such specs)."""
    o = others(world)
    world.spec("done", [number(950)])
    done = world.create("done")
    world.confirm(done, foc="2026-11-27")
    world.emu.advance(timedelta(days=3))
    result, read, lists = planned(world, "report")

    assert decisions(result)["done"][:2] == ("noop", "order_completed")
    assert o.id("pending-3") not in read
    assert read == set()
    assert lists == 1
    assert not [r for r in world.emu.request_log if r.method == "POST"]
