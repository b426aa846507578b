"""The per-file cache of `validate` (issue 12): a run where one file changed checks that file.

Every case compares the output with a `--no-cache` run of the same files: the cache may only
save time, never change a message, a position or a verdict. Which files were really checked is
seen through `reconciler.spec.parallel.check_file`, which checks each file that is not taken
from the cache.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import Result

from reconciler.spec import cache
from reconciler.spec.facts import Checked, CheckOptions, FileJob, check_file
from tests.spec.conftest import SPECS, TODAY, RunValidate


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the example specs in a git work tree of its own (the cache lives there)."""
    (tmp_path / ".git").mkdir()
    shutil.copytree(SPECS, tmp_path / "specs")
    return tmp_path / "specs"


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files really checked (not taken from the cache), run after run."""
    names: list[str] = []
    real = "reconciler.spec.parallel.check_file"

    def recording(job: FileJob, options: CheckOptions) -> Checked:
        names.append(Path(job.file).name)
        return check_file(job, options)

    monkeypatch.setattr(real, recording)
    return names


def _forget_runs(repo: Path) -> None:
    """Drop the verdicts of whole runs, so that only the facts of single files remain."""
    for entry in (repo.parent / ".portctl" / "cache").glob("*.json"):
        if entry.name != cache.FILES:
            entry.unlink()


def _same_as_uncached(run_validate: RunValidate, repo: Path, *args: str) -> Result:
    """Run with the cache, compare with `--no-cache`, return the cached run."""
    cached = run_validate("--format", "json", *args, str(repo))
    uncached = run_validate("--format", "json", "--no-cache", *args, str(repo))
    assert cached.output == uncached.output
    assert cached.exit_code == uncached.exit_code
    return cached


def _specs(repo: Path) -> list[Path]:
    return sorted(p for p in repo.glob("*.yaml") if "kind: PortIn" in p.read_text())


def test_one_changed_file_is_the_only_one_checked(
    run_validate: RunValidate, repo: Path, checked: list[str]
) -> None:
    assert run_validate(str(repo)).exit_code == 0
    assert len(checked) == len(list(repo.glob("*.yaml")))
    spec = _specs(repo)[0]
    spec.write_text(spec.read_text() + "# reviewed\n")
    checked.clear()

    result = run_validate(str(repo))

    assert result.exit_code == 0, result.output
    assert checked == [spec.name]
    assert "4 order(s)" in result.output


def test_a_changed_file_with_an_error_is_reported_exactly(
    run_validate: RunValidate, repo: Path, checked: list[str]
) -> None:
    assert run_validate(str(repo)).exit_code == 0
    spec = _specs(repo)[1]
    spec.write_text(spec.read_text().replace('"+1', '"+0', 1))
    checked.clear()

    result = _same_as_uncached(run_validate, repo)

    assert result.exit_code == 1
    assert checked[0] == spec.name
    assert [issue["file"] for issue in json.loads(result.stdout)] == [str(spec)]


def test_numbers_and_names_are_compared_across_all_files_every_time(
    run_validate: RunValidate, repo: Path, checked: list[str]
) -> None:
    """A changed file clashing with cached ones: the rules across files see every file, and
    the positions in the cached files (not parsed this run) are exact."""
    assert run_validate(str(repo)).exit_code == 0
    first, second, *_ = _specs(repo)
    number = re.search(r'- "(\+1\d{10})"', second.read_text())
    name = re.search(r"\n  name: (.+)\n", second.read_text())
    assert number is not None
    assert name is not None
    text = first.read_text()
    with_number = text.replace("  phoneNumbers:\n", f'  phoneNumbers:\n    - "{number[1]}"\n')
    first.write_text(with_number)
    checked.clear()

    result = _same_as_uncached(run_validate, repo)

    assert checked[0] == first.name
    clashes = [i for i in json.loads(result.stdout) if "is already in active" in i["message"]]
    assert [issue["file"] for issue in clashes] == [str(second)], "reported in the cached file"

    first.write_text(re.sub(r"\n  name: .+\n", f"\n  name: {name[1]}\n", text, count=1))
    result = _same_as_uncached(run_validate, repo)

    duplicates = [i for i in json.loads(result.stdout) if "duplicate name" in i["message"]]
    assert [issue["file"] for issue in duplicates] == [str(second)]


def test_a_changed_settings_file_is_applied_to_cached_specs(
    run_validate: RunValidate, repo: Path, checked: list[str]
) -> None:
    """The reference prefix is read from the Settings every run: a cached spec whose reference
    becomes too long with a longer prefix is reported, at its exact position."""
    spec = _specs(repo)[0]
    spec.write_text(re.sub(r"\n  name: .+\n", f"\n  name: {'n' * 60}\n", spec.read_text(), count=1))
    assert run_validate(str(repo)).exit_code == 0
    _forget_runs(repo)
    settings = repo / "portctl.yaml"
    settings.write_text(settings.read_text().replace("gitops/", "g" * 45 + "/"))
    checked.clear()

    result = _same_as_uncached(run_validate, repo)

    assert result.exit_code == 1
    too_long = [i for i in json.loads(result.stdout) if "order reference" in i["message"]]
    assert [(issue["file"], issue["line"]) for issue in too_long] == [(str(spec), 7)]
    files = len(list(repo.glob("*.yaml")))
    assert checked == ["portctl.yaml", *checked[1:]]
    assert len(checked) == 1 + files, "only the Settings was checked again (then --no-cache)"


def test_a_vanished_document_sends_its_spec_through_a_real_check(
    run_validate: RunValidate, repo: Path, checked: list[str]
) -> None:
    assert run_validate(str(repo)).exit_code == 0
    _forget_runs(repo)
    for attachment in (repo / "docs").iterdir():
        attachment.unlink()
    checked.clear()

    result = _same_as_uncached(run_validate, repo)

    assert result.exit_code == 1
    assert "does not exist" in result.output
    assert checked[0] == "initech-branch-overrides.yaml"


def test_required_secrets_are_always_resolved(run_validate: RunValidate, repo: Path) -> None:
    """`--require-secrets` reads variables and files outside the key: never from the cache."""
    assert run_validate(str(repo)).exit_code == 0
    _forget_runs(repo)

    result = run_validate("--require-secrets", str(repo), env={"PORTCTL_NOTHING": "1"})

    assert result.exit_code == 1
    assert "is not set" in result.output


@pytest.mark.parametrize("change", ["day", "portctl version", "phone metadata", "corrupt"])
def test_entries_of_other_settings_or_unreadable_are_not_used(
    run_validate: RunValidate,
    repo: Path,
    checked: list[str],
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    assert run_validate(str(repo)).exit_code == 0
    _forget_runs(repo)
    if change == "day":
        monkeypatch.setenv("PORTCTL_TODAY", (TODAY + timedelta(days=1)).isoformat())
    elif change == "portctl version":
        monkeypatch.setattr(cache, "__version__", "0.0.0-other")
    elif change == "phone metadata":
        monkeypatch.setattr("phonenumbers.__version__", "0.0.0-other")
    else:
        path = repo.parent / ".portctl" / "cache" / cache.FILES
        data = json.loads(path.read_text())
        data["files"] = {digest: ["PortIn", 7] for digest in data["files"]}
        path.write_text(json.dumps(data))
    checked.clear()

    result = run_validate(str(repo))

    assert result.exit_code == 0, result.output
    assert len(checked) == len(list(repo.glob("*.yaml")))


def test_the_file_cache_holds_no_secret_value_and_no_unclean_file(
    run_validate: RunValidate, repo: Path
) -> None:
    spec = _specs(repo)[0]
    spec.write_text(spec.read_text().replace('"+1', '"+0', 1))
    assert run_validate(str(repo)).exit_code == 1
    assert run_validate("--allow-plaintext-secrets", str(repo)).exit_code == 1
    entries = json.loads((repo.parent / ".portctl" / "cache" / cache.FILES).read_text())

    assert len(entries["files"]) == len(list(repo.glob("*.yaml"))) - 1
    assert cache.file_digest(spec.read_bytes()) not in entries["files"]
    lines = (repo / "demo.env").read_text().splitlines()
    values = [line.split("=", 1)[1] for line in lines if "=" in line and not line.startswith("#")]
    text = json.dumps(entries)
    assert not [value for value in values if value and value in text]
