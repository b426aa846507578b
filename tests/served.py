"""`portctl emulator serve` as a real process on a free port, for end-to-end tests.

One place starts it, reads the URL from its banner and stops it, for every test that needs the
served emulator as a separate process (the CLI lifecycle, `doctor --api`, `portctl watch`).
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PORTCTL = str(Path(sys.executable).with_name("portctl"))


@dataclass(frozen=True)
class Served:
    """A running served emulator: its base URL and the banner line it printed."""

    url: str
    banner: str


@contextlib.contextmanager
def served_emulator(*args: str) -> Iterator[Served]:
    """`portctl emulator serve --port 0 ARGS…`, stopped (and its pipe closed) on exit."""
    process = subprocess.Popen(
        [PORTCTL, "emulator", "serve", "--port", "0", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        banner = process.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", banner)
        assert match, banner
        yield Served(url=match.group(0), banner=banner)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
