"""`portctl validate` on paths a careless or hostile user hands it (issue 10 points 2, 5, 6).

Nothing is skipped silently and nothing is an "internal error": an unlistable directory, a
symlink leading out of the repository, a FIFO or device, a symlink loop, an oversized or
absurdly nested file each end in a one-line problem naming the path, and exit 1. Symlinks that
stay inside the repository are followed (README "Spec files and symlinks").
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.core.builders import port_in_document, write_yaml
from tests.spec.conftest import RunValidate

NUMBERS = {"alpha": ["+13125550141"], "beta": ["+13125550151"], "gamma": ["+13125550161"]}


def _spec(directory: Path, name: str) -> Path:
    document = port_in_document(name, NUMBERS[name], pin="${PIN}", account="${ACCOUNT}")
    path = directory / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_yaml(path, document)
    return path


def _refused(run_validate: RunValidate, *args: str) -> str:
    result = run_validate(*args)
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
    assert "OK" not in result.stdout
    return result.output


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git work tree (the repository boundary) holding specs/."""
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    _spec(tmp_path / "repo" / "specs", "alpha")
    return tmp_path / "repo"


def test_an_unlistable_directory_is_a_problem(
    repo: Path, run_validate: RunValidate, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = repo / "specs" / "locked"
    _spec(locked, "beta")
    real_scandir = os.scandir

    def scandir(path: object) -> object:  # the tests run as root, where chmod 000 still lists
        if Path(str(path)) == locked:
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)  # type: ignore[call-overload]

    monkeypatch.setattr("reconciler.spec.discovery.os.scandir", scandir)
    output = _refused(run_validate, str(repo / "specs"))
    assert f"{locked}:1:1: <document>: cannot be listed: Permission denied" in output


def test_symlinked_directories_are_followed_inside_the_repository_only(
    repo: Path, tmp_path: Path, run_validate: RunValidate
) -> None:
    _spec(repo / "shared", "beta")
    (repo / "specs" / "inside").symlink_to(repo / "shared")
    result = run_validate(str(repo / "specs"))
    assert result.exit_code == 0, result.output
    assert "OK: 2 file(s), 2 order(s)" in result.stdout

    _spec(tmp_path / "elsewhere", "gamma")
    (repo / "specs" / "outside").symlink_to(tmp_path / "elsewhere")
    output = _refused(run_validate, str(repo / "specs"))
    assert "specs/outside:1:1: <document>: leads outside the repository" in output


def test_fifo_device_and_dev_zero_link_are_refused_unread(
    repo: Path, run_validate: RunValidate
) -> None:
    fifo = repo / "specs" / "pipe.yaml"
    os.mkfifo(fifo)
    assert "is not a regular file (a FIFO)" in _refused(run_validate, str(fifo))
    assert "is not a regular file (a FIFO)" in _refused(run_validate, str(repo / "specs"))
    fifo.unlink()
    assert "is not a regular file (a device)" in _refused(run_validate, "/dev/zero")
    (repo / "specs" / "zero.yaml").symlink_to("/dev/zero")
    assert "zero.yaml:1:1: <document>: leads outside the repository" in _refused(
        run_validate, str(repo / "specs")
    )


def test_spec_file_symlinked_to_outside_the_repository_is_refused(
    repo: Path, tmp_path: Path, run_validate: RunValidate
) -> None:
    target = _spec(tmp_path / "elsewhere", "beta")
    (repo / "specs" / "beta.yaml").symlink_to(target)
    assert "beta.yaml:1:1: <document>: leads outside the repository" in _refused(
        run_validate, str(repo / "specs")
    )


def test_symlink_loops_name_the_file(repo: Path, run_validate: RunValidate) -> None:
    specs = repo / "specs"
    (specs / "one.yaml").symlink_to(specs / "two.yaml")
    (specs / "two.yaml").symlink_to(specs / "one.yaml")
    (specs / "again").symlink_to(specs)
    output = _refused(run_validate, str(specs))
    assert "one.yaml:1:1: <document>: is a symlink loop" in output
    assert "specs/again:1:1: <document>: is a symlink loop" in output


def test_loops_and_links_below_plain_directories_are_seen(
    repo: Path, run_validate: RunValidate
) -> None:
    """Plain entries take discovery's short path (no resolution): a symlink below them back to
    an ancestor is still a loop, and a link to a spec already found is loaded once."""
    specs = repo / "specs"
    _spec(specs / "a" / "b", "beta")
    (specs / "a" / "b" / "beta-again.yaml").symlink_to(specs / "a" / "b" / "beta.yaml")
    result = run_validate(str(specs))
    assert result.exit_code == 0, result.output
    assert "OK: 2 file(s), 2 order(s)" in result.stdout
    (specs / "a" / "b" / "up").symlink_to(specs / "a")
    output = _refused(run_validate, str(specs))
    assert "specs/a/b/up:1:1: <document>: is a symlink loop" in output


def test_an_oversized_spec_is_refused_unparsed(repo: Path, run_validate: RunValidate) -> None:
    big = repo / "specs" / "big.yaml"
    big.write_bytes(b"# padding\n" * (600 * 1024))
    assert "spec files are at most 5 MiB" in _refused(run_validate, str(big))


def test_deep_nesting_is_a_problem_of_the_file(repo: Path, run_validate: RunValidate) -> None:
    deep = repo / "specs" / "deep.yaml"
    lines = [f"{'  ' * level}a{level}:" for level in range(600)]
    deep.write_text("\n".join(lines) + f"\n{'  ' * 600}b: 1\n", "utf-8")
    assert "deep.yaml:1:1: <document>: nested too deeply" in _refused(run_validate, str(deep))


def test_errors_are_capped_per_file(repo: Path, run_validate: RunValidate) -> None:
    noisy = repo / "specs" / "noisy.yaml"
    noisy.write_text("".join(f"k{i}: 1\nk{i}: 2\n" for i in range(300)), "utf-8")
    output = _refused(run_validate, str(noisy))
    assert sum("noisy.yaml:" in line for line in output.splitlines()) == 101
    assert "... and 201 more problem(s) in this file (only the first 100 are shown)" in output


def test_documents_and_secret_files_inside_git_or_too_large_are_refused(
    repo: Path, run_validate: RunValidate
) -> None:
    specs = repo / "specs"
    (repo / ".git" / "config").write_text("[core]\n", "utf-8")
    (specs / "docs").mkdir()
    (specs / "docs" / "loa.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    text = (specs / "alpha.yaml").read_text("utf-8")
    text = text.replace("${PIN}", "${file:../.git/config}")
    text += "  documents:\n    - name: loa\n      path: docs/loa.pdf\n"
    text += "    - name: git\n      path: ../.git/config\n"
    (specs / "alpha.yaml").write_text(text, "utf-8")
    output = _refused(run_validate, "--require-secrets", str(specs))
    assert "docs/loa.pdf is 10485769 bytes; a document is at most 10 MiB" in output
    assert "../.git/config is inside .git/; documents are never read from there" in output
    assert "secret file ../.git/config is inside .git/" in output
    assert "[core]" not in output
