"""The crash sweep of `test_crash` with orders applied side by side (`--parallelism 2`).

Which request is the k-th now depends on how the two workers interleave, so the sweep cuts the
run at k for every k without knowing which item that hits, and asserts only what must hold
whatever was cut: the process died at its k-th request, a rerun converges (exit 0, exactly one
order per spec, notes and documents once) and a third run changes nothing.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from tests.apply.conftest import ENV, mutating, write_settings
from tests.apply.conftest import write_spec as spec
from tests.apply.test_crash import KillingEmulator, _forked, _run_in_process, _served, _world

CREATES = ("alpha", "beta", "epsilon", "zeta")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six orders, more than the two workers: four creates (one with a note, one with a
    document), one update, one cancel."""
    root = tmp_path_factory.mktemp("crash-parallel")
    specs = root / "specs"
    (specs / "docs").mkdir(parents=True)
    (specs / "docs" / "loa.pdf").write_bytes(b"%PDF-1.4 fake LOA\n")
    write_settings(specs)
    setup = root / "setup"
    setup.mkdir()
    write_settings(setup)
    spec(setup, "gamma", ["+13125550161"])
    spec(setup, "delta", ["+13125550171"])
    spec(specs, "gamma", ["+13125550161"], city="Springfield")
    spec(specs, "delta", ["+13125550171"], state="canceled")
    spec(specs, "alpha", ["+13125550141", "+13125550142"], notes=["LOA signed"])
    spec(specs, "beta", ["+13125550151"], documents=True)
    spec(specs, "epsilon", ["+13125550181"])
    spec(specs, "zeta", ["+13125550191", "+13125550192"])
    (root / "apply.env").write_text("".join(f"{k}={v}\n" for k, v in ENV.items()), "utf-8")
    return root


def _argv(project: Path) -> list[str]:
    return [
        "apply",
        str(project / "specs"),
        "--env-file",
        str(project / "apply.env"),
        "--auto-approve",
        "--max-cancels",
        "1",
        "--parallelism",
        "2",
    ]


def _orders(emu: KillingEmulator, reference: str) -> list[dict[str, Any]]:
    return [
        r["order"]
        for r in emu.world.orders.values()
        if r["order"]["customerOrderReference"] == reference
    ]


def _check_converges(
    emu: KillingEmulator, argv: list[str], capsys: pytest.CaptureFixture[str], k: int
) -> None:
    emu.victim = None
    assert _run_in_process(argv, capsys) == 0, f"rerun after a kill at request {k}"
    every = sorted(r["order"]["customerOrderReference"] for r in emu.world.orders.values())
    names = sorted((*CREATES, "delta", "gamma"))
    assert every == [f"gitops/{n}" for n in names], f"one order per spec (k={k})"
    emu.request_log.clear()
    assert _run_in_process(argv, capsys) == 0
    assert mutating(emu.request_log) == [], f"third run mutated (k={k})"
    (alpha,) = _orders(emu, "gitops/alpha")
    assert [n["note"] for n in alpha["notes"]] == ["LOA signed"], f"note once (k={k})"
    (beta,) = _orders(emu, "gitops/beta")
    assert [d["documentName"] for d in beta["documents"]] == ["loa.pdf"]


@pytest.mark.slow
def test_killed_after_every_request_with_orders_side_by_side_converges(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = _argv(project)
    with _served(monkeypatch) as server:
        emu = _world(project)
        server.target = emu
        assert _run_in_process(argv, capsys) == 0
        total = emu.api_requests
        assert total >= 20
        for k in range(1, total + 1):
            emu = _world(project)
            server.target = emu
            emu.kill_after = k
            pid, go = _forked(argv)
            emu.victim = pid
            go()
            _, status = os.waitpid(pid, 0)
            assert os.WIFSIGNALED(status), (k, status, emu.api_requests)
            assert os.WTERMSIG(status) == signal.SIGKILL
            assert emu.api_requests == k
            _check_converges(emu, argv, capsys, k)
