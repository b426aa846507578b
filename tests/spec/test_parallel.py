"""Files checked in worker processes give exactly what a serial run gives (issue 12).

The pool is forced on small sets of files by lowering its threshold; every case compares the
whole output of `portctl validate` (every message, file, line, column) with the serial run.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from reconciler.spec import parallel
from reconciler.spec.facts import CheckOptions, FileJob
from tests.spec.conftest import CORPUS, SPECS, RunValidate
from tests.spec.test_corpus import LITERAL_SECRETS


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of files of each run that took the pool (pool on from the first file)."""
    used: list[int] = []
    start = parallel.Workers.start

    def counting(items: Sequence[Any], shared: Any) -> parallel.Workers | None:
        workers = start(items, shared)
        if workers is not None:
            used.append(len(items))
        return workers

    monkeypatch.setattr(parallel.Workers, "start", counting)
    monkeypatch.setattr(parallel, "POOL_THRESHOLD", 1)
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    # a thread another test left running (the runner's own) would keep the pool off
    monkeypatch.setattr("threading.active_count", lambda: 1)
    return used


def _serial(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "POOL_THRESHOLD", 10**9)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Every corpus case and companion (many clash with each other across files) and the
    example specs, in one git work tree."""
    (tmp_path / ".git").mkdir()
    shutil.copytree(CORPUS, tmp_path / "specs" / "corpus")
    shutil.copytree(SPECS, tmp_path / "specs" / "examples")
    return tmp_path / "specs"


@pytest.mark.parametrize("args", [[], ["--allow-plaintext-secrets"], ["--require-secrets"]])
def test_pool_and_serial_report_the_same_issues(
    run_validate: RunValidate,
    corpus: Path,
    pools: list[int],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
) -> None:
    env = {"PIN": "4821"}
    pooled = run_validate("--format", "json", *args, "--no-cache", str(corpus), env=env)
    assert pools == [len(list(corpus.rglob("*.yaml")))], "the pool was not used"
    _serial(monkeypatch)
    serial = run_validate("--format", "json", *args, "--no-cache", str(corpus), env=env)

    assert pooled.exit_code == serial.exit_code == 1
    assert pooled.output == serial.output
    issues = json.loads(serial.stdout)
    assert len(issues) > 100
    assert any("is already in active spec" in issue["message"] for issue in issues)
    assert any("only one Settings is allowed" in issue["message"] for issue in issues)
    for secret in LITERAL_SECRETS:
        assert secret not in pooled.output


def test_a_clean_run_counts_the_same(
    run_validate: RunValidate, pools: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    pooled = run_validate("--no-cache", str(SPECS))
    assert pools, "the pool was not used"
    _serial(monkeypatch)
    serial = run_validate("--no-cache", str(SPECS))

    assert pooled.exit_code == serial.exit_code == 0
    assert pooled.output == serial.output
    assert "order(s)" in serial.output


def test_a_broken_pool_costs_time_never_a_result(
    run_validate: RunValidate, corpus: Path, pools: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that dies (killed for memory) breaks the pool: the files are checked here."""
    parent = os.getpid()
    check_file = parallel.check_file  # type: ignore[attr-defined]

    def dying(job: FileJob, options: CheckOptions) -> object:
        if os.getpid() != parent:
            os._exit(9)
        return check_file(job, options)

    monkeypatch.setattr(parallel, "check_file", dying)
    broken = run_validate("--format", "json", "--no-cache", str(corpus))
    assert pools, "the pool was not tried"
    _serial(monkeypatch)
    serial = run_validate("--format", "json", "--no-cache", str(corpus))

    assert broken.exit_code == serial.exit_code == 1
    assert broken.output == serial.output


@pytest.mark.parametrize(
    "why", ["below the threshold", "one usable core", "no fork", "not Linux", "another thread"]
)
def test_serial_where_a_pool_would_not_pay_or_is_unsafe(
    run_validate: RunValidate, pools: list[int], monkeypatch: pytest.MonkeyPatch, why: str
) -> None:
    if why == "below the threshold":
        monkeypatch.setattr(parallel, "POOL_THRESHOLD", 100)
    elif why == "one usable core":
        monkeypatch.setattr(parallel, "usable_cores", lambda: 1)
    elif why == "no fork":
        monkeypatch.setattr("multiprocessing.get_all_start_methods", lambda: ["spawn"])
    elif why == "not Linux":
        monkeypatch.setattr(parallel, "FORK_SAFE", False)
    else:
        monkeypatch.setattr("threading.active_count", lambda: 2)

    result = run_validate("--no-cache", str(SPECS))

    assert result.exit_code == 0, result.output
    assert pools == []


def test_usable_cores_follow_the_affinity_mask() -> None:
    """`taskset -c 0 portctl validate` must not fork workers that share one core."""
    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("no affinity mask on this platform")
    assert parallel.usable_cores() == len(os.sched_getaffinity(0))


def test_a_clash_after_an_invalid_number_is_at_its_own_index(
    run_validate: RunValidate, tmp_path: Path, pools: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The facts keep the indexes of the valid numbers when an invalid one comes first."""
    (tmp_path / ".git").mkdir()
    base = (CORPUS / "_companions" / "base-order.yaml").read_text()
    (tmp_path / "a-base.yaml").write_text(base)
    clashing = base.replace("corpus-base", "corpus-clash").replace(
        '    - "+13125550190"', '    - "+0123"\n    - "+13125550191"\n    - "+13125550190"'
    )
    (tmp_path / "b-clash.yaml").write_text(clashing)
    pooled = run_validate("--format", "json", "--no-cache", str(tmp_path))
    assert pools, "the pool was not used"
    _serial(monkeypatch)
    serial = run_validate("--format", "json", "--no-cache", str(tmp_path))

    assert pooled.output == serial.output
    clashes = [i for i in json.loads(serial.stdout) if "already in active" in i["message"]]
    assert [(i["path"], i["line"]) for i in clashes] == [("spec.phoneNumbers[2]", 15)]
