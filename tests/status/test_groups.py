"""Issue 11 point 7: activation groups are discoverable (status lists them with status, FOC
and whether offered), a spec naming an unknown group is an error naming the real ones, and
`emulator confirm` with a wrong group lists the order's groups."""

from __future__ import annotations

from typing import Any

import yaml

from reconciler.cli.exits import EXIT_OK
from tests.drift.world import ReportWorld

NUMBERS = ["+13125550141", "+14155550111"]


def _on_demand(world: ReportWorld, name: str, groups: list[str] | None) -> None:
    """Rewrite spec `name` as on-demand: `when: ready`, or manual with `groups`."""
    path = world.specs / f"{name}.yaml"
    document = yaml.safe_load(path.read_text("utf-8"))
    activation = {"mode": "on-demand", "when": "ready" if groups is None else "manual"}
    if groups is not None:
        activation["groups"] = groups  # type: ignore[assignment]
    document["spec"]["activation"] = activation
    world.write(f"{name}.yaml", document)


def test_status_lists_each_orders_groups_with_status_foc_and_offered(world: ReportWorld) -> None:
    world.spec("alpha", NUMBERS, on_demand=True)
    order = world.create("alpha")
    first, second = world.groups(order)
    world.emu.confirm_group(order.id, first, "2026-11-26")
    world.emu.confirm_group(order.id, second, "2026-12-04")
    _on_demand(world, "alpha", [first])
    run = world.report("status")
    assert run.code == EXIT_OK, run.err
    (row,) = run.document["orders"]
    assert row["groups"] == [
        {
            "name": first,
            "numbersByStatus": {"CONFIRMED": 1},
            "focDate": "2026-11-26",
            "offered": True,
            "approved": True,
        },
        {
            "name": second,
            "numbersByStatus": {"CONFIRMED": 1},
            "focDate": "2026-12-04",
            "offered": False,
            "approved": False,
        },
    ]
    text = world.report("status", "--format", "text").out
    assert f"{first}: 1 CONFIRMED, FOC 2026-11-26, offered, approved" in text
    assert f"{second}: 1 CONFIRMED, FOC 2026-12-04, not offered, not approved" in text


def _plan_item(world: ReportWorld, name: str) -> dict[str, Any]:
    """The json plan's one item for spec `name`."""
    args = ["--emulator", "--env-file", str(world.env_file), "--format", "json"]
    run = world.cli("plan", str(world.specs), *args)
    items: list[dict[str, Any]] = [i for i in run.document["items"] if i["name"] == name]
    (item,) = items
    return item


def test_a_spec_naming_an_unknown_group_is_blocked_naming_the_real_ones(
    world: ReportWorld,
) -> None:
    world.spec("alpha", NUMBERS)
    order = world.create("alpha", onDemandActivation=True)
    first, second = world.groups(order)
    _on_demand(world, "alpha", ["GW Verizon Grp9"])
    item = _plan_item(world, "alpha")
    assert [n["code"] for n in item["notices"]] == ["unknown_activation_group"]
    for group in (first, second):
        world.emu.confirm_group(order.id, group, "2026-11-26")
    item = _plan_item(world, "alpha")
    assert item["kind"] == "blocked"
    assert item["reasonCode"] == "unknown_activation_group"
    assert "'GW Verizon Grp9'" in item["reason"]
    assert f"its groups: {first!r}, {second!r}" in item["reason"]
    assert "portctl status" in item["remedy"]


def test_emulator_confirm_with_a_wrong_group_lists_the_groups(world: ReportWorld) -> None:
    world.spec("alpha", NUMBERS)
    order = world.create("alpha")
    first, second = world.groups(order)
    run = world.cli("emulator", "confirm", str(order.id), "GW Nope", "--state", str(world.state))
    assert run.code == 1
    assert f"its groups: {first!r}, {second!r}" in run.err
