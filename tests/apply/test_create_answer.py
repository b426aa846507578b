"""A create is verified from the POST's own answer (issue 12: at most 2 calls per create).

The answer is trusted only when it shows the spec; otherwise the order is re-read. Nothing of
the answer becomes the order's expected fingerprint, so the next item on the new order (a
note) is never refused because a GET shows more than the POST's answer did.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from reconciler.apply import Outcome
from tests.apply.conftest import ApplyWorld, mutating, references

NUMBERS = [f"+1312555{n:04d}" for n in range(140, 152)]


def _is_create(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path.endswith("/orders/portIns")


def _rewriting_create_answers(world: ApplyWorld, rewrite: Any) -> Any:
    """A handler in front of the emulator that passes `rewrite(order)` off as a create's answer."""

    def handler(request: httpx.Request) -> httpx.Response:
        response = world.emu.handle(request)
        if not _is_create(request) or response.status_code != 201:
            return response
        order = rewrite(json.loads(response.content))
        return httpx.Response(201, json=order, headers={"Content-Type": "application/json"})

    return handler


def test_creates_take_one_post_each_plus_one_shared_look(world: ApplyWorld) -> None:
    for index, number in enumerate(NUMBERS):
        world.spec(f"order-{index:02d}", [number])
    after_plan: list[int] = []
    report = world.execute(between=lambda _: after_plan.append(len(world.emu.request_log)))
    assert {r.outcome for r in report.results} == {Outcome.APPLIED}
    applying = world.emu.request_log[after_plan[0] :]
    creates = len(NUMBERS)
    # one order list, one portability batch, and one POST per create: nothing else
    assert len(applying) == creates + 2
    assert len(applying) / creates <= 2
    assert len(mutating(applying)) == creates
    assert references(world.emu) == sorted(f"gitops/order-{i:02d}" for i in range(creates))


def test_an_answer_that_does_not_show_the_spec_is_checked_by_a_re_read(
    world: ApplyWorld,
) -> None:
    world.spec("alpha", NUMBERS[:2], notes=["LOA signed"])

    def other_city(order: dict[str, Any]) -> dict[str, Any]:
        for number in order["phoneNumbers"]:
            assert number["endUser"]["city"] == "Chicago"
            number["endUser"]["city"] = "Elsewhere"
        return order

    report = world.execute(handler=_rewriting_create_answers(world, other_city))
    create, note = report.results
    assert create.outcome is Outcome.APPLIED, create.message
    assert [c.operation for c in create.calls][-2:] == ["create_order", "get_order"]
    assert note.outcome is Outcome.APPLIED, note.message
    assert world.plan().actions == ()


def test_an_answer_showing_less_than_a_get_does_not_make_the_next_item_see_a_move(
    world: ApplyWorld,
) -> None:
    world.spec("alpha", NUMBERS[:2], notes=["LOA signed"], documents=True)

    def bare(order: dict[str, Any]) -> dict[str, Any]:
        # what only a read would show: number statuses, notes, documents, the creation date
        order.pop("notes", None)
        order.pop("documents", None)
        order.pop("createdDate", None)
        for number in order.get("phoneNumbers") or ():
            number.pop("status", None)
        return order

    report = world.execute(handler=_rewriting_create_answers(world, bare))
    assert [(r.action, r.outcome) for r in report.results] == [
        ("create", Outcome.APPLIED),
        ("add-note", Outcome.APPLIED),
        ("upload-document", Outcome.APPLIED),
    ], [r.message for r in report.results]
    assert "get_order" not in [c.operation for c in report.results[0].calls]
    assert world.plan().actions == ()
