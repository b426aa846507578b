"""Secret references in specs: `${NAME}` (environment) and `${file:relative/path}`.

PINs and account numbers must not live in git, so the three secret fields of a spec hold
references. `validate` only needs their names; `plan`/`apply` resolve them, and every resolved
value is registered with `reconciler.redact` before anything could print it. Error messages
here name the reference, never a value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reconciler.redact import register_secret
from reconciler.spec.discovery import SpecFileError, out_of_bounds, read_spec_file

MAX_SECRET_BYTES = 64 * 1024
"""A `${file:...}` secret is a PIN or an account number: a larger file is a mistake."""
_REFERENCE = re.compile(r"\$\{(?:file:(?P<file>[^}]+)|(?P<env>[A-Za-z_][A-Za-z0-9_]*))\}")


class SecretError(ValueError):
    """A reference that cannot be resolved; the message names the reference only."""


@dataclass(frozen=True)
class SecretReference:
    """A parsed `${...}` reference: an environment variable or a file relative to the spec."""

    kind: Literal["env", "file"]
    target: str


def parse_reference(value: str) -> SecretReference | None:
    """The reference `value` spells, or None for a literal."""
    match = _REFERENCE.fullmatch(value)
    if match is None:
        return None
    if match.group("env") is not None:
        return SecretReference("env", match.group("env"))
    return SecretReference("file", match.group("file"))


def is_reference(value: str) -> bool:
    """Whether `value` is a `${NAME}` or `${file:path}` reference."""
    return _REFERENCE.fullmatch(value) is not None


def resolve(
    ref: SecretReference, *, env: Mapping[str, str], spec_dir: Path, repo_root: Path
) -> str:
    """The value behind `ref` (registered for redaction), or `SecretError` saying what is wrong.

    An unset or empty variable is an error, never "": an empty PIN would be sent to the carrier.
    A file's trailing newline is dropped (editors add one).
    """
    if ref.kind == "env":
        value = env.get(ref.target, "")
        if not value:
            state = "empty" if ref.target in env else "not set"
            raise SecretError(f"environment variable {ref.target} is {state}")
    else:
        value = _read_secret_file(ref.target, spec_dir=spec_dir, repo_root=repo_root)
    register_secret(value)
    return value


def _read_secret_file(target: str, *, spec_dir: Path, repo_root: Path) -> str:
    """The text of a `${file:...}` secret; errors say what to fix and never quote the content
    (a decoding error's message would carry the file's bytes)."""
    where = f"secret file {target} (relative to the spec file)"
    path = (spec_dir / target).resolve()
    place = out_of_bounds(path, repo_root)
    if place == "outside":
        raise SecretError(f"secret file {target} is outside the repository")
    if place == ".git":
        raise SecretError(f"secret file {target} is inside .git/; secrets are never read there")
    if not path.exists():
        raise SecretError(f"{where} does not exist")
    if not path.is_file():
        raise SecretError(f"{where} is not a regular file")
    try:
        raw = read_spec_file(path, limit=MAX_SECRET_BYTES)
    except SpecFileError as exc:
        raise SecretError(f"{where} {exc}") from None
    try:
        value = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise SecretError(f"{where} is not UTF-8 text") from None
    if not value:
        raise SecretError(f"{where} is empty")
    return value
