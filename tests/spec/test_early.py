"""A state handed over early (`load_project(early=True)`, issue 12) is the state a serial
load builds, whether its files were checked and its orders built by worker processes or not.

The pool is forced on small sets of files by lowering its threshold, as in `test_parallel`.
"""

from __future__ import annotations

import os
import shutil
import signal
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from reconciler.desired import DesiredState
from reconciler.essence import numbers_digest
from reconciler.spec import load_env, load_project, parallel
from reconciler.spec.project import LoadResult
from tests.spec.conftest import CORPUS, SPECS

TODAY_OF_EXAMPLES = "2026-11-26"


def _load(path: Path, **options: Any) -> LoadResult:
    env = load_env(SPECS / "demo.env", {})
    today = date.fromisoformat(TODAY_OF_EXAMPLES)
    return load_project([path], today=today, env=env, resolve_secrets=True, **options)


def _serial(path: Path, monkeypatch: pytest.MonkeyPatch) -> DesiredState:
    with monkeypatch.context() as serial:
        serial.setattr(parallel, "POOL_THRESHOLD", 10**9)
        state = _load(path).state
    assert state is not None
    return state


def test_early_state_is_the_serial_state(maps: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _serial(SPECS, monkeypatch)
    result = _load(SPECS, early=True)

    assert result.state is None
    assert result.pending is not None
    sketch = result.pending.sketch
    assert [(o.name, o.reference, o.state, o.labels) for o in sketch.orders] == [
        (o.name, o.reference, o.state, o.labels) for o in expected.orders
    ]
    assert (sketch.reference_prefix, sketch.whole_project) == (
        expected.reference_prefix,
        expected.whole_project,
    )
    assert all(not o.body for o in sketch.orders)
    state = result.pending.result()
    result.pending.close()

    assert state == expected
    assert maps == ["_first_look", "_order_of"]
    # Each order came with its numbers digest, worked out in its worker (issue 12).
    assert state.orders
    for order in state.orders:
        assert ("numbers_digest" in vars(order)) == (order.state == "active")
        assert order.numbers_digest == numbers_digest(order.body)


def test_workers_work_out_the_numbers_digests_of_active_specs_only(
    tmp_path: Path, maps: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A canceled spec's order is never compared, so its worker leaves the digest out; the
    state is still the serial one, and the digest is worked out when asked for."""
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    spec = specs / "acme-hq-main-lines.yaml"
    spec.write_text(spec.read_text().replace("\nspec:\n", "\nspec:\n  state: canceled\n", 1))
    expected = _serial(specs, monkeypatch)
    result = _load(specs, early=True)
    assert result.pending is not None
    state = result.pending.result()
    result.pending.close()

    assert state == expected
    states = {order.state: order for order in state.orders}
    assert set(states) == {"active", "canceled"}
    assert "numbers_digest" in vars(states["active"])
    assert "numbers_digest" not in vars(states["canceled"])
    assert states["canceled"].numbers_digest == numbers_digest(states["canceled"].body)


def test_one_pass_in_workers_builds_the_serial_state(
    maps: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _serial(SPECS, monkeypatch)

    assert _load(SPECS).state == expected
    assert maps == ["_check_and_build"]


def test_a_settings_file_not_found_by_its_bytes_rebuilds_the_orders(
    tmp_path: Path, maps: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Orders built in the workers with another prefix than the Settings in use are built
    again here (a kind spelled with an escape does not contain the bytes `Settings`)."""
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    settings = specs / "portctl.yaml"
    text = settings.read_text()
    assert "kind: Settings" in text
    settings.write_text(text.replace("kind: Settings", 'kind: "Setting\\x73"'))
    expected = _serial(specs, monkeypatch)
    assert expected.reference_prefix

    assert _load(specs).state == expected
    assert maps == ["_check_and_build"]


def test_early_issues_are_the_serial_issues_and_no_state_is_pending(
    tmp_path: Path, maps: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    shutil.copytree(CORPUS, tmp_path / "specs" / "corpus")
    with monkeypatch.context() as serial:
        serial.setattr(parallel, "POOL_THRESHOLD", 10**9)
        expected = _load(tmp_path / "specs")
    result = _load(tmp_path / "specs", early=True)

    assert result.pending is None
    assert result.state is None
    assert result.issues == expected.issues
    assert len(expected.issues) > 100
    assert maps == ["_first_look"]
    assert parallel._work == {}, "the workers were not stopped"


def _interrupt_handler(item: int, shared: None) -> object:
    return signal.getsignal(signal.SIGINT)


def test_workers_leave_ctrl_c_to_the_parent(maps: list[str]) -> None:
    """A terminal's Ctrl-C reaches every process of the group: workers ignore it (no
    traceback of theirs), and the parent stops them and exits 130."""
    workers = parallel.Workers([1, 2], None, 2)
    try:
        assert workers.map(_interrupt_handler) == [signal.SIG_IGN, signal.SIG_IGN]
    finally:
        workers.close()
    assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN


def _priority(item: int, shared: None) -> int:
    return os.getpriority(os.PRIO_PROCESS, 0)


def test_background_work_yields_the_cores_to_the_parent(maps: list[str]) -> None:
    """A plan's bodies are built while it reads the API: its workers then run at a lower
    priority, so each answer is taken as soon as it comes."""
    own = os.getpriority(os.PRIO_PROCESS, 0)
    workers = parallel.Workers([1, 2], None, 2)
    try:
        urgent = workers.map(_priority)
        background = workers.map(_priority, background=True)
    finally:
        workers.close()
    assert urgent == [own, own]
    assert background == [max(own, parallel.BACKGROUND_NICENESS)] * 2
    assert os.getpriority(os.PRIO_PROCESS, 0) == own
