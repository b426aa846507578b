"""`--parallelism N` (issue 12): the most requests in flight at once, like Terraform's flag."""

from __future__ import annotations

import pytest

from reconciler.api import concurrency
from tests.apply.conftest import ApplyWorld, references

A = ["+13125550141", "+13125550142"]
B = ["+13125550151"]


@pytest.fixture
def ceilings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ceiling of every adaptive limit a client is made with, in order."""
    made: list[int] = []
    original = concurrency.AdaptiveLimit.__init__

    def recording(self: concurrency.AdaptiveLimit, ceiling: int = 8, **options: int) -> None:
        made.append(ceiling)
        original(self, ceiling, **options)

    monkeypatch.setattr(concurrency.AdaptiveLimit, "__init__", recording)
    return made


def test_parallelism_is_accepted_by_plan_and_apply(world: ApplyWorld, ceilings: list[int]) -> None:
    world.spec("alpha", A)
    world.spec("beta", B)

    planned = world.cli("--parallelism", "3", command="plan")
    assert planned.code == 0
    assert "Plan: 2 to create" in planned.out
    assert world.cli("--auto-approve", "--parallelism", "1").code == 0
    assert references(world.emu) == ["gitops/alpha", "gitops/beta"]
    assert ceilings == [3, 1]


def test_a_valid_environment_value_is_the_ceiling(world: ApplyWorld, ceilings: list[int]) -> None:
    world.spec("alpha", A)
    world.monkeypatch.setenv("PORTCTL_PARALLELISM", "2")

    assert world.cli(command="plan").code == 0
    assert ceilings == [2]


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
