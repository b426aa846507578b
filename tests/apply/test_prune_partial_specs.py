"""`apply --prune` never runs on a partial view of the specs (issue 10 point 2).

A spec discovery could not read used to vanish silently, so its live order looked like an
orphan and `--prune` cancelled it. Now any spec path that fails to load stops apply before a
single call that changes anything.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.apply.conftest import ApplyWorld, mutating

A = ["+13125550141", "+13125550142"]
B = ["+13125550151"]
PRUNE = ("--auto-approve", "--prune", "--max-cancels", "1", "--max-prune", "1")


def _applied(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    world.spec("beta", B)
    assert world.cli("--auto-approve").code == 0
    world.emu.request_log.clear()


def _statuses(world: ApplyWorld) -> dict[str, str]:
    return {
        rec["order"]["customerOrderReference"]: rec["order"]["status"]
        for rec in world.emu.world.orders.values()
    }


def _refused(world: ApplyWorld, *args: str) -> str:
    result = world.cli(*args)
    assert result.code == 1, result.out + result.err
    assert "nothing was sent to the API" in result.err
    assert mutating(world.emu.request_log) == []
    assert _statuses(world) == {"gitops/alpha": "PENDING", "gitops/beta": "PENDING"}
    return result.err


def test_spec_moved_behind_a_symlink_out_of_the_repository(world: ApplyWorld) -> None:
    _applied(world)
    elsewhere = world.root / "elsewhere"
    elsewhere.mkdir()
    (world.specs / "alpha.yaml").rename(elsewhere / "alpha.yaml")
    (world.specs / "linked").symlink_to(elsewhere)
    assert "leads outside the repository" in _refused(world, *PRUNE)


def test_spec_in_an_unlistable_directory(
    world: ApplyWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    _applied(world)
    locked = world.specs / "locked"
    locked.mkdir()
    (world.specs / "alpha.yaml").rename(locked / "alpha.yaml")
    real_scandir = os.scandir

    def scandir(path: object) -> object:  # tests run as root, where chmod 000 still lists
        if Path(str(path)) == locked:
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)  # type: ignore[call-overload]

    monkeypatch.setattr("reconciler.spec.discovery.os.scandir", scandir)
    assert "cannot be listed: Permission denied" in _refused(world, *PRUNE)


def test_a_fifo_given_as_the_path(world: ApplyWorld) -> None:
    _applied(world)
    fifo = world.root / "specs.fifo"
    os.mkfifo(fifo)
    assert "is not a regular file (a FIFO)" in _refused(world, str(fifo), *PRUNE)
