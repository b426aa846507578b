"""Keep secret values (PINs, account numbers) and control characters out of every output.

Secret values enter the process only through spec secret references (`${NAME}`,
`${file:path}`) and credentials. Whoever resolves one registers the value here; every renderer,
log line and error message that could echo request data passes through `scrub`. No hashes are
kept or shown: a hash of a 4-digit PIN is as good as the PIN.

Short values (PINs like `1234`) are replaced only where they stand as a value of their own, not
where their characters happen to occur inside a longer one: with PIN `1234`, `PIN 1234 invalid`
becomes `PIN *** invalid`, but `+13125551234` and `2026-12-34` stay readable (a phone number or
a date is not the PIN). A short value "stands on its own" when an edge that is a digit has no
digit next to it (nor a digit joined by `-`, `/`, `.` or `:`), and an edge that is a letter has
no letter next to it. Long values (tokens, key secrets, most account numbers) cannot collide with
unrelated text by chance and are replaced wherever they occur.
"""

from __future__ import annotations

import re
import threading

REDACTED = "***"
LONG_SECRET = 8
"""Values at least this long are replaced anywhere, even inside longer text."""

_lock = threading.Lock()
_secrets: dict[str, re.Pattern[str]] = {}


def _pattern(value: str) -> re.Pattern[str]:
    """Where `value` occurs as a value of its own (see the module docstring).

    The value comes first and what may not stand before it is looked behind from its end
    (`1234(?<!\\d1234)`, not `(?<!\\d)1234`): a pattern that starts with its literal text is
    searched for as text, one that starts with a look-behind is tried at every position, 25 ms
    per PIN over the 900 KB plan of 10,000 specs (issue 12)."""
    body = re.escape(value)
    if len(value) >= LONG_SECRET:
        return re.compile(body)
    before = after = ""
    if value[0].isdigit():
        before = rf"(?<!\d{body})(?<!\d[-/.:]{body})"
    elif value[0].isalpha():
        before = rf"(?<![^\W\d_]{body})"
    if value[-1].isdigit():
        after = r"(?!\d)(?![-/.:]\d)"
    elif value[-1].isalpha():
        after = r"(?![^\W\d_])"
    return re.compile(body + before + after)


def register_secret(value: str) -> None:
    """Remember a resolved secret value so that `scrub` can remove it from any text."""
    if value:
        with _lock:
            if value not in _secrets:
                _secrets[value] = _pattern(value)


def scrub(text: str) -> str:
    """Replace every registered secret value in `text` by `***` (longest values first)."""
    with _lock:
        found = [(v, p) for v, p in _secrets.items() if v in text]
    for _, pattern in sorted(found, key=lambda item: len(item[0]), reverse=True):
        text = pattern.sub(REDACTED, text)
    return text


def forget_all() -> None:
    """Drop every registered value (tests use it to keep one case from leaking into another)."""
    with _lock:
        _secrets.clear()


def _picture(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": newline shows as U+240A
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


_PICTURES = {
    code: _picture(chr(code)) for code in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)
}
"""Every character that breaks a line or steers a terminal: C0 and C1 controls (newline, carriage
return, escape, NEL...), DEL, and the Unicode line and paragraph separators."""


def printable(text: str) -> str:
    """`text` with each control character shown as a visible symbol (newline as U+240A, escape
    as U+241B, C1 controls and line separators as U+FFFD).

    A value from a spec or from the API (a note, an end user's name, an error message) can then
    never start a line of its own in a terminal or a CI log: a note saying
    `"ok\n::error::deploy failed"` cannot inject a workflow command or a fake log line, and an
    escape sequence cannot recolour or erase what was printed before.
    """
    return text.translate(_PICTURES)
