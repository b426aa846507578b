"""Which files are specs, and which repository each one belongs to.

Every `*.yaml`/`*.yml` below the given paths is a spec (hidden files and directories are
skipped: editors and tools keep their own YAML there). Document and `${file:...}` paths must
stay inside the repository, which is the git work tree of the spec, or, outside git, the
common root of the paths given on the command line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

SPEC_SUFFIXES = (".yaml", ".yml")


def discover_spec_files(paths: Sequence[Path]) -> list[tuple[str, Path]]:
    """`(display name, path)` of every spec file: given files, and `*.yaml`/`*.yml` below
    given directories (hidden directories skipped), in the given order, each once."""
    found: list[tuple[str, Path]] = []
    seen: set[Path] = set()
    for given in paths:
        if not given.exists():
            raise FileNotFoundError(str(given))
        candidates = [given] if given.is_file() else sorted(_walk(given))
        for path in candidates:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                found.append((str(path), path))
    return found


def _walk(directory: Path) -> Iterator[Path]:
    for root, dirs, names in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.endswith(SPEC_SUFFIXES) and not name.startswith("."):
                yield Path(root, name)


def common_root(paths: Sequence[Path]) -> Path:
    """The deepest directory holding every given path (a file counts as its directory)."""
    dirs = [p.resolve() if p.is_dir() else p.resolve().parent for p in paths if p.exists()]
    return Path(os.path.commonpath(dirs)) if dirs else Path.cwd()


def repo_root(directory: Path, fallback: Path) -> Path:
    """The git work tree holding `directory`, else `fallback` (the given paths' common root)."""
    return _git_root(directory.resolve()) or fallback


@lru_cache(maxsize=1024)
def _git_root(start: Path) -> Path | None:
    return next((p for p in (start, *start.parents) if (p / ".git").exists()), None)
