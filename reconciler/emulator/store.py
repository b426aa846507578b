"""Emulator state files: atomic saves, cross-process locking, and cheap reloads.

One JSON file is the whole emulated world. Writers take an exclusive `fcntl` lock on a sibling
`.lock` file, and saves go to a temporary file in the same directory that is fsynced and then
`os.replace`d, so a reader never sees half a state and a crash never loses the old one. A
`StateFile` keeps the last loaded emulator and reloads only when the file changed on disk
(another process wrote it), which keeps a thousand-order world fast.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from reconciler.emulator.core import Emulator, WebhookSender

Stamp = tuple[int, int, int]


def _stamp(path: Path) -> Stamp | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `<path>.lock` (blocks until other processes let go)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with Path(f"{path}.lock").open("a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def save(emulator: Emulator, path: Path) -> None:
    """Write the full state atomically (temp file + fsync + `os.replace`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(emulator.to_dict(), separators=(",", ":")).encode()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class StateFileError(ValueError):
    """A state file that is not one `save` wrote (corrupt, truncated, another format).

    Raised instead of starting afresh, which would overwrite (lose) whatever the file held.
    """


def load(path: Path, *, webhook_sender: WebhookSender | None = None) -> Emulator:
    """Read a state file written by `save`; anything else raises `StateFileError`."""
    try:
        data = json.loads(path.read_bytes())
        if not isinstance(data, dict):
            raise TypeError("not a JSON object")
        return Emulator.from_dict(data, webhook_sender=webhook_sender)
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise StateFileError(
            f"{path}: not a readable emulator state file ({exc}); it was "
            "left untouched: move it away (or point PORTCTL_EMULATOR_STATE elsewhere) to start "
            "a fresh emulator"
        ) from None


class StateFile:
    """An emulator bound to a file: `current()` reloads on outside change, `commit()` saves.

    Callers hold `file_lock(path)` around `current()` ... `commit()`.
    """

    def __init__(
        self, path: Path, *, project_id: str = "demo", webhook_sender: WebhookSender | None = None
    ) -> None:
        self.path = path
        self.project_id = project_id
        self.webhook_sender = webhook_sender
        self._emulator: Emulator | None = None
        self._stamp: Stamp | None = None
        self._revision = -1

    def current(self) -> Emulator:
        """The emulator as the file has it now (created, and saved, if the file is missing)."""
        stamp = _stamp(self.path)
        if stamp is None:
            self._emulator = Emulator(
                project_id=self.project_id, webhook_sender=self.webhook_sender
            )
            self._save(self._emulator)
        elif self._emulator is None or stamp != self._stamp:
            self._emulator = load(self.path, webhook_sender=self.webhook_sender)
            self._stamp = stamp
            self._revision = self._emulator.revision
        return self._emulator

    def commit(self) -> bool:
        """Save if the emulator changed since it was loaded or last saved; True when saved."""
        emu = self._emulator
        if emu is None or emu.revision == self._revision:
            return False
        self._save(emu)
        return True

    def _save(self, emu: Emulator) -> None:
        save(emu, self.path)
        self._stamp = _stamp(self.path)
        self._revision = emu.revision
