"""Keep secret values (PINs, account numbers) out of every output.

Secret values enter the process only through spec secret references (`${NAME}`,
`${file:path}`). Whoever resolves one registers the value here; every renderer, log line and
error message that could echo request data passes through `scrub`. No hashes are kept or shown:
a hash of a 4-digit PIN is as good as the PIN.
"""

from __future__ import annotations

import threading

REDACTED = "***"

_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(value: str) -> None:
    """Remember a resolved secret value so that `scrub` can remove it from any text."""
    if value:
        with _lock:
            _secrets.add(value)


def scrub(text: str) -> str:
    """Replace every registered secret value in `text` by `***` (longest values first)."""
    with _lock:
        values = sorted(_secrets, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, REDACTED)
    return text


def forget_all() -> None:
    """Drop every registered value (tests use it to keep one case from leaking into another)."""
    with _lock:
        _secrets.clear()
