"""Which files are specs, which repository each one belongs to, and reading one safely.

Every `*.yaml`/`*.yml` below the given paths is a spec (hidden files and directories are
skipped: editors and tools keep their own YAML there). Discovery never skips silently what it
cannot read or does not understand: a directory it cannot list, a broken link or symlink loop,
a FIFO or device, or a symlink leading outside the repository is a problem naming the path,
and any problem fails the load (so `--prune` never runs on a partial view of the specs).
Symlinked directories and files are followed while their target stays inside the repository
(which is the git work tree of the spec, or, outside git, the common root of the paths given on
the command line), and refused otherwise, like document and `${file:...}` paths. Nothing is
read from inside `.git/`.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

SPEC_SUFFIXES = (".yaml", ".yml")
MAX_SPEC_BYTES = 5 * 1024 * 1024
"""A spec file larger than this (5 MiB) is refused unread: no real spec comes near it."""


class SpecFileError(Exception):
    """A spec path that cannot be used; the message says why (it never quotes the content)."""


@dataclass
class Discovery:
    """The spec files found (display name, path) and the problems met finding them."""

    files: list[tuple[str, Path]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    """(display name, message) for every path that could not be used."""
    resolved: set[Path] = field(default_factory=set)
    """The real paths of `files` (so that callers need not resolve 10,000 paths again)."""


def discover_spec_files(paths: Sequence[Path]) -> Discovery:
    """Every spec file: given files, and `*.yaml`/`*.yml` below given directories (hidden
    entries skipped), in the given order, each once; plus a problem for every path discovery
    could not follow. Raises `FileNotFoundError` for a given path that does not exist."""
    found = Discovery()
    fallback = common_root(paths)
    for given in paths:
        if not os.path.lexists(given):
            raise FileNotFoundError(str(given))
        root = repo_root(_parent(given), fallback)
        _visit(given, root=root, found=found, ancestors=frozenset(), explicit=True)
    return found


def _parent(path: Path) -> Path:
    return path if path.is_dir() and not path.is_symlink() else path.parent


def _visit(
    path: Path,
    *,
    root: Path,
    found: Discovery,
    ancestors: frozenset[Path],
    explicit: bool = False,
) -> None:
    """Add `path` (a given path, or a symlink met while walking) to `found`."""
    display = str(path)
    problem = _link_problem(path, root)
    if problem:
        found.problems.append((display, problem))
        return
    try:
        info = path.stat()
    except OSError as exc:
        found.problems.append((display, f"cannot be read: {_reason(exc)}"))
        return
    resolved = path.resolve()
    if stat.S_ISDIR(info.st_mode):
        if resolved in ancestors:
            found.problems.append((display, "is a symlink loop (it leads back to a parent)"))
            return
        _walk(path, resolved, root=root, found=found, ancestors=ancestors | {resolved})
        return
    if not explicit and not path.name.endswith(SPEC_SUFFIXES):
        return
    if not stat.S_ISREG(info.st_mode):
        found.problems.append((display, f"is not a regular file ({_file_type(info.st_mode)})"))
        return
    _add(found, display, path, resolved)


def _add(found: Discovery, display: str, path: Path, resolved: Path) -> None:
    if resolved not in found.resolved:
        found.resolved.add(resolved)
        found.files.append((display, path))


def _walk(
    directory: Path,
    real: Path,
    *,
    root: Path,
    found: Discovery,
    ancestors: frozenset[Path],
) -> None:
    """Visit the entries of `directory`, whose real path `real` is inside `root`.

    An entry that is not a symlink is what `scandir` says it is (no system call on Linux) and
    its real path is `real / name`, inside `root` as well and never in `.git/` (hidden names
    are skipped): only symlinks take `_visit`'s three path resolutions, which were most of a
    warm `validate` of 10,000 files.
    """
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError as exc:
        found.problems.append((str(directory), f"cannot be listed: {_reason(exc)}"))
        return
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        path = directory / name
        try:
            plain = not entry.is_symlink()
            is_dir = plain and entry.is_dir(follow_symlinks=False)
            is_file = plain and entry.is_file(follow_symlinks=False)
        except OSError:
            plain = False
        if not plain:
            _visit(path, root=root, found=found, ancestors=ancestors)
        elif is_dir:
            inner = real / name
            _walk(path, inner, root=root, found=found, ancestors=ancestors | {inner})
        elif not name.endswith(SPEC_SUFFIXES):
            continue
        elif is_file:
            _add(found, str(path), path, real / name)
        else:
            _visit(path, root=root, found=found, ancestors=ancestors)  # a FIFO, a device...


def _link_problem(path: Path, root: Path) -> str | None:
    """Why a path that is (or passes through) a symlink cannot be followed, or None."""
    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        return "is a broken symlink (its target does not exist)" if path.is_symlink() else None
    except (OSError, RuntimeError) as exc:
        if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP:
            return "is a symlink loop"
        return None  # reported by stat with its reason
    place = out_of_bounds(resolved, root)
    if place == "outside":
        return f"leads outside the repository ({root}); symlinks must stay inside it"
    if place == ".git":
        return "is inside .git/; specs are never read from there"
    return None


def out_of_bounds(resolved: Path, root: Path) -> Literal["outside", ".git"] | None:
    """Where a resolved path that specs read from (a spec through a symlink, a document, a
    secret file) must not be: "outside" the repository `root`, or in its ".git" directory (a
    hook or an object is no spec input); None when the path is fine. The one rule for all
    three; each caller says it in its own words."""
    if not resolved.is_relative_to(root):
        return "outside"
    if ".git" in resolved.relative_to(root).parts:
        return ".git"
    return None


def _file_type(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a directory" if stat.S_ISDIR(mode) else "not a file"


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    return exc.strerror or type(exc).__name__


def read_spec_file(path: Path, *, limit: int = MAX_SPEC_BYTES) -> bytes:
    """The bytes of a spec file, checked on the open file itself: a regular file (never a
    FIFO or device, which could block or never end) of at most `limit` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise SpecFileError(f"cannot be read: {_reason(exc)}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SpecFileError(f"is not a regular file ({_file_type(info.st_mode)})")
        if info.st_size > limit:
            raise SpecFileError(_too_big(info.st_size, limit))
        chunks: list[bytes] = []
        size = 0
        while size <= limit and (chunk := os.read(fd, 1024 * 1024)):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise SpecFileError(f"cannot be read: {_reason(exc)}") from None
    finally:
        os.close(fd)
    if size > limit:
        raise SpecFileError(_too_big(size, limit))
    return b"".join(chunks)


def _too_big(size: int, limit: int) -> str:
    return f"is {size} bytes; spec files are at most {limit // (1024 * 1024)} MiB"


def common_root(paths: Sequence[Path]) -> Path:
    """The deepest directory holding every given path (a file counts as its directory; a
    symlink is not followed here, so a link cannot widen the repository to its target)."""
    dirs = [_parent(p).resolve() for p in paths if os.path.lexists(p)]
    return Path(os.path.commonpath(dirs)) if dirs else Path.cwd()


def repo_root(directory: Path, fallback: Path) -> Path:
    """The git work tree holding `directory`, else `fallback` (the given paths' common root)."""
    return _git_root(directory.resolve()) or fallback


@lru_cache(maxsize=1024)
def _git_root(start: Path) -> Path | None:
    return next((p for p in (start, *start.parents) if (p / ".git").exists()), None)
