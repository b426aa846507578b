"""The spec digest names each file relative to its repository (`project._relative`), on
strings for speed (issue 12): the same names as the `Path` rule it replaced."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.spec.project import _relative


def _path_rule(path: Path, root: Path) -> str:
    resolved = path.resolve()
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(path)


def test_names_are_those_of_the_path_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path.resolve()
    (root / "a").mkdir()
    (root / "a" / "f.yaml").write_text("x", "utf-8")
    (root / "ab").mkdir()
    (root / "ab" / "g.yaml").write_text("x", "utf-8")
    (root / "link.yaml").symlink_to(root / "a" / "f.yaml")
    monkeypatch.chdir(root)
    cases = [
        (root / "a" / "f.yaml", root),
        (root / "link.yaml", root),  # a link is named by its target
        (root / "a" / "f.yaml", root / "a"),
        (root / "ab" / "g.yaml", root / "a"),  # a sibling sharing a prefix is outside
        (root, root),
        (root / "a" / ".." / "a" / "f.yaml", root),
        (root / "a" / "f.yaml", Path("/")),
        (Path("a/f.yaml"), root),  # relative to the working folder
        (Path("link.yaml"), root / "a"),
        (Path("/etc/hostname"), root),
    ]
    for path, base in cases:
        assert _relative(path, base) == _path_rule(path, base), (path, base)
        if path.exists():  # the loader passes a file's folder, resolved, when it has it
            folder = path.parent.resolve()
            assert _relative(path, base, folder) == _path_rule(path, base), (path, base)
