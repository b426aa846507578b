"""The cache of `validate` (issue 12): unchanged specs are not validated again.

Whole runs (`<key>.json`) here; single files (`files.json`) in test_file_cache.py.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from reconciler.spec import document
from tests.spec.conftest import SPECS, TODAY, RunValidate


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the example specs in a git work tree of its own (the cache lives there)."""
    (tmp_path / ".git").mkdir()
    shutil.copytree(SPECS, tmp_path / "specs")
    return tmp_path / "specs"


def _entries(repo: Path) -> list[Path]:
    """The verdicts of whole runs (`files.json` holds the facts of single files)."""
    return sorted(
        p for p in (repo.parent / ".portctl" / "cache").glob("*.json") if p != _files(repo)
    )


def _files(repo: Path) -> Path:
    return repo.parent / ".portctl" / "cache" / "files.json"


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the cached verdict should have been used")

    monkeypatch.setattr(document, "_load_document", refuse)


def test_a_clean_verdict_is_kept_and_used_with_the_same_output(
    run_validate: RunValidate, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_validate(str(repo))
    assert first.exit_code == 0, first.output
    assert len(_entries(repo)) == 1
    entry = _entries(repo)[0].read_text()
    lines = (repo / "demo.env").read_text().splitlines()
    values = [line.split("=", 1)[1] for line in lines if "=" in line and not line.startswith("#")]
    assert not [v for v in values if v and v in entry], "no secret value is ever cached"

    _no_parsing(monkeypatch)
    again = run_validate(str(repo))

    assert again.exit_code == 0
    assert again.output == first.output


def test_a_changed_file_is_validated_again(run_validate: RunValidate, repo: Path) -> None:
    assert run_validate(str(repo)).exit_code == 0
    spec = next(p for p in sorted(repo.glob("*.yaml")) if "kind: PortIn" in p.read_text())
    spec.write_text(spec.read_text() + "unknownField: 1\n")

    result = run_validate(str(repo))

    assert result.exit_code == 1
    assert "unknownField" in result.output
    assert len(_entries(repo)) == 1, "a run with problems is never cached"


def test_no_cache_neither_reads_nor_writes(
    run_validate: RunValidate, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_validate(str(repo), "--no-cache").exit_code == 0
    assert _entries(repo) == []
    assert not _files(repo).exists()
    assert run_validate(str(repo)).exit_code == 0

    _no_parsing(monkeypatch)
    result = run_validate(str(repo), "--no-cache")
    assert isinstance(result.exception, AssertionError), "--no-cache validated from the cache"


def test_runs_that_resolve_secrets_are_not_cached(run_validate: RunValidate, repo: Path) -> None:
    env_file = repo / "demo.env"
    result = run_validate(str(repo), "--require-secrets", "--env-file", str(env_file))

    assert result.exit_code == 0, result.output
    assert _entries(repo) == []


def test_a_document_that_vanished_is_found_although_the_specs_did_not_change(
    run_validate: RunValidate, repo: Path
) -> None:
    assert run_validate(str(repo)).exit_code == 0
    attached = sorted((repo / "docs").iterdir())
    assert attached, "the example specs attach documents"
    for attachment in attached:
        attachment.unlink()

    result = run_validate(str(repo))

    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_verdicts_of_other_days_are_dropped(
    run_validate: RunValidate, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A verdict's key holds its day: one of another day can never be used again, so the
    cache (kept by CI between runs) does not grow with every day's verdicts."""
    assert run_validate(str(repo)).exit_code == 0
    (yesterday,) = _entries(repo)
    monkeypatch.setenv("PORTCTL_TODAY", (TODAY + timedelta(days=1)).isoformat())

    assert run_validate(str(repo)).exit_code == 0

    (today,) = _entries(repo)
    assert today != yesterday
    assert today.name.startswith((TODAY + timedelta(days=1)).isoformat())
    assert _files(repo).exists()
