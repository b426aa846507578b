"""A plan whose orders are built by worker processes while it reads the API (issue 12)
prints the same plan, with the same calls, as one that built them first; and still calls
nothing when a spec has a problem.

The pool is forced on small worlds by lowering its threshold, as in `tests/spec/test_parallel`.
"""

from __future__ import annotations

import json

import pytest

from reconciler.spec import parallel
from tests.plan.conftest import PlanWorld
from tests.plan.test_cli import _busy_world


@pytest.mark.parametrize(
    "args",
    [
        ["--prune", "--stats"],
        ["--format", "text", "--stats"],
        ["--selector", "customer=acme", "--stats"],
        ["--secrets", "skip"],
    ],
)
def test_the_plan_and_its_calls_are_those_of_a_serial_load(
    world: PlanWorld, maps: list[str], monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    _busy_world(world)
    maps.clear()  # the world's setup loaded the specs too
    world.emu.request_log.clear()
    early = world.plan_served(*args, "--out", str(world.root / "early.json"))
    early_calls = [(r.method, r.path) for r in world.emu.request_log]
    assert maps == ["_first_look", "_order_of"], "the orders were not built by the workers"
    monkeypatch.setattr(parallel, "POOL_THRESHOLD", 10**9)
    world.emu.request_log.clear()
    serial = world.plan_served(*args, "--out", str(world.root / "serial.json"))
    serial_calls = [(r.method, r.path) for r in world.emu.request_log]

    assert maps == ["_first_look", "_order_of"]
    assert (early.code, early.out) == (serial.code, serial.out)
    assert sorted(early_calls) == sorted(serial_calls)
    saved = [json.loads((world.root / f"{n}.json").read_text()) for n in ("early", "serial")]
    assert saved[0]["specDigest"] == saved[1]["specDigest"]
    assert saved[0] == saved[1]
    assert parallel._work == {}, "the workers were not stopped"


def test_spec_problems_call_no_api_with_the_pool(world: PlanWorld, maps: list[str]) -> None:
    _busy_world(world)
    (world.specs / "broken.yaml").write_text("apiVersion: portctl/v1\nkind: PortIn\n", "utf-8")
    maps.clear()
    world.emu.request_log.clear()
    result = world.plan_served()

    assert result.code == 1
    assert "broken.yaml" in result.err
    assert world.emu.request_log == []
    assert maps == ["_first_look"]
    assert parallel._work == {}
