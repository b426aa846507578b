"""Hypothesis properties of the pure core: convergence, order-independence, no secret leaks."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from reconciler.desired import DesiredOrder, DesiredState
from reconciler.live import LiveSnapshot
from reconciler.planning import Kind, build_plan
from tests.core.builders import TODAY, desired, live_order, number, render, summary

CANARY = "CANARY-9f3b-PIN"

e164 = st.builds(
    "+1{}5550{:03d}".format,
    st.sampled_from([206, 212, 303, 312, 404, 415, 617, 713]),
    st.integers(100, 199),
)
"""Valid US numbers (555-01xx lines) that the emulator's phonenumbers check accepts."""
cities = st.sampled_from(["Anytown", "Springfield", "Shelbyville", "O'Fallon [x]"])


@st.composite
def orders(draw: st.DrawFn) -> tuple[DesiredOrder, ...]:
    """Up to four specs with distinct names and distinct numbers."""
    names = draw(
        st.lists(
            st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    numbers = draw(st.lists(e164, min_size=len(names) * 3, max_size=len(names) * 3, unique=True))
    result = []
    for index, name in enumerate(names):
        mine = numbers[index * 3 : index * 3 + draw(st.integers(1, 3))]
        result.append(
            desired(
                name,
                [number(n, city=draw(cities), pin=CANARY) for n in mine],
                notes=tuple(
                    draw(st.lists(st.sampled_from(["LOA signed", "call first"]), unique=True))
                ),
                documents=tuple(
                    draw(st.lists(st.sampled_from(["loa.pdf", "bill.pdf"]), unique=True))
                ),
                mode=draw(st.sampled_from(["scheduled", "on-demand"])),
                when="ready",
            )
        )
    return tuple(result)


def _applied(state: DesiredState) -> LiveSnapshot:
    """The live world right after a successful apply of `state`."""
    lives = [
        live_order(1000 + i, o.body, notes=o.notes, documents=[d.name for d in o.documents])
        for i, o in enumerate(state.orders)
    ]
    return LiveSnapshot(
        managed={o["customerOrderReference"]: (summary(o),) for o in lives},
        details={int(o["id"]): o for o in lives},
    )


def _shuffled(value: Any, rng: random.Random) -> Any:
    """Same data, other dict key order and other phone-number order."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {k: _shuffled(value[k], rng) for k in keys}
    if isinstance(value, list):
        items = [_shuffled(v, rng) for v in value]
        rng.shuffle(items)
        return items
    return value


@given(orders())
def test_desired_state_as_applied_plans_empty(specs: tuple[DesiredOrder, ...]) -> None:
    state = DesiredState(orders=specs, reference_prefix="gitops/")
    plan = build_plan(state, _applied(state), today=TODAY)
    assert not plan.has_changes
    assert {i.kind for i in plan.items} == {Kind.NOOP}


@given(orders(), st.randoms(use_true_random=False), st.sampled_from(["PENDING", "CONFIRMED"]))
def test_shuffling_files_numbers_and_keys_changes_nothing(
    specs: tuple[DesiredOrder, ...], rng: random.Random, status: str
) -> None:
    changed = tuple(
        replace(o, body={**o.body, "loaUploadedBy": "Jane"}) if i % 2 else o
        for i, o in enumerate(specs)
    )
    lives = [live_order(1000 + i, o.body, status=status) for i, o in enumerate(specs)]
    snapshot = LiveSnapshot(
        managed={o["customerOrderReference"]: (summary(o),) for o in lives},
        details={int(o["id"]): o for o in lives},
    )
    plan = build_plan(DesiredState(orders=changed), snapshot, today=TODAY)
    shuffled_orders = [replace(o, body=_shuffled(dict(o.body), rng)) for o in changed]
    rng.shuffle(shuffled_orders)
    shuffled_live = LiveSnapshot(
        managed=snapshot.managed,
        details={k: _shuffled(dict(v), rng) for k, v in snapshot.details.items()},
    )
    again = build_plan(DesiredState(orders=tuple(shuffled_orders)), shuffled_live, today=TODAY)
    assert again == plan
    assert again.checksum() == plan.checksum()
    assert render(again, "json") == render(plan, "json")


live_statuses = st.sampled_from(
    [None, "PENDING", "CONFIRMED", "COMPLETED", "CANCELED", "PENDING_CANCELATION", "ODD"]
)


@given(
    orders(),
    st.lists(live_statuses, min_size=4, max_size=4),
    st.lists(cities, min_size=4, max_size=4),
    st.booleans(),
)
def test_canary_secret_never_appears_in_any_rendering(
    specs: tuple[DesiredOrder, ...], statuses: list[str | None], live_cities: list[str], prune: bool
) -> None:
    lives = []
    for i, (spec, status) in enumerate(zip(specs, statuses, strict=False)):
        if status is None:
            continue
        numbers = [
            number(str(n["phoneNumber"]), city=live_cities[i], pin=f"{CANARY}-old-{i}")
            for n in spec.body["phoneNumbers"]
        ]
        lives.append(live_order(1000 + i, {**spec.body, "phoneNumbers": numbers}, status=status))
    snapshot = LiveSnapshot(
        managed={o["customerOrderReference"]: (summary(o),) for o in lives},
        details={int(o["id"]): o for o in lives},
        portability={
            n: (i % 2 == 0, "not portable") for i, o in enumerate(specs) for n in o.phone_numbers
        },
        available_activations={1000 + i: ("GW Verizon Grp1",) for i in range(4)},
    )
    plan = build_plan(
        DesiredState(orders=specs, reference_prefix="gitops/"), snapshot, today=TODAY, prune=prune
    )
    for fmt in ("text", "markdown", "json"):
        assert CANARY not in render(plan, fmt)
    assert CANARY not in str(plan.to_dicts())
