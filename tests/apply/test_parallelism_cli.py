"""`--parallelism N` (issue 12): the most requests in flight at once, like Terraform's flag."""

from __future__ import annotations

from tests.apply.conftest import ApplyWorld, references

A = ["+13125550141", "+13125550142"]
B = ["+13125550151"]


def test_parallelism_is_accepted_by_plan_and_apply(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    world.spec("beta", B)

    planned = world.cli("--parallelism", "3", command="plan")
    assert planned.code == 0
    assert "Plan: 2 to create" in planned.out
    assert world.cli("--auto-approve", "--parallelism", "1").code == 0
    assert references(world.emu) == ["gitops/alpha", "gitops/beta"]


def test_parallelism_below_one_is_a_usage_error(world: ApplyWorld) -> None:
    world.spec("alpha", A)

    result = world.cli("--parallelism", "0", command="plan")

    assert result.code == 64
    assert "--parallelism" in result.err
    assert world.emu.request_log == []


def test_the_environment_sets_it_too(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    world.monkeypatch.setenv("PORTCTL_PARALLELISM", "abc")

    assert world.cli("--auto-approve").code == 64
