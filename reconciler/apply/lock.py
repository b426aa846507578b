"""One apply at a time per workspace: an `fcntl` lock on `.portctl/apply.lock`.

Two applies over the same specs at once (a laptop and a CI runner on one machine, two
terminals) would both see a note missing and both post it. The lock makes the second one refuse
to start, naming the holder's pid. It is an advisory `flock` on an open file: the kernel drops
it when the holder exits, however it exits, so a crashed apply never leaves a stale lock to
clean up (the file itself stays; its content only says who held it last).

It covers one machine and one workspace. Applies from different machines (two CI runners, a
laptop and CI) need the CI concurrency group / GitLab `resource_group` (README); the fingerprint
re-check before every mutation and the duplicate check after posting notes and documents
(`reconciler.apply.steps`) are what is left between them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from reconciler.spec.discovery import common_root, repo_root
from reconciler.spec.settings_file import nearest_settings

LOCK_NAME = Path(".portctl") / "apply.lock"


class ApplyLocked(Exception):
    """Another apply holds the workspace's lock; the message names it."""


def lock_path(paths: Sequence[Path]) -> Path:
    """The lock of the workspace the spec `paths` belong to: `.portctl/apply.lock` in the git
    work tree, else beside the nearest `portctl.yaml`, else in the paths' common directory."""
    common = common_root(paths)
    settings = nearest_settings(common)
    fallback = settings.resolve().parent if settings is not None else common
    return repo_root(common, fallback) / LOCK_NAME


@contextlib.contextmanager
def apply_lock(path: Path) -> Iterator[None]:
    """Hold the apply lock at `path` for the block; `ApplyLocked` if another process has it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ApplyLocked(
                f"another portctl apply is running on these specs ({_holder(fd)}; lock {path}); "
                "wait for it to finish and run apply again; nothing was sent to the API"
            ) from None
        started = datetime.now(UTC).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()} since {started}\n".encode())
        yield
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    """Who holds the lock, as the holder wrote it (`pid N on HOST since TIME`)."""
    text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else "holder unknown"
