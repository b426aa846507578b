"""Variables for `${NAME}` secret references: a dotenv file overlaid by the environment."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values
from dotenv.parser import parse_stream


class EnvFileError(ValueError):
    """The `--env-file` cannot be read, or has lines dotenv cannot parse.

    Refused rather than skipped: a silently dropped line is a secret that goes missing. The
    message names the file and line numbers only, never a line's text (it may hold a secret).
    """


def read_env_file(env_file: Path) -> dict[str, str]:
    """The variables the dotenv file sets; `NAME` alone (no value) is left out."""
    try:
        text = env_file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise EnvFileError(f"{env_file}: not a dotenv file (not UTF-8 text)") from None
    except OSError as exc:
        raise EnvFileError(f"{env_file}: cannot read: {exc.strerror or exc}") from None
    bad = [b.original.line for b in parse_stream(io.StringIO(text)) if b.error]
    if bad:
        also = f" (also line {', '.join(map(str, bad[1:]))})" if len(bad) > 1 else ""
        raise EnvFileError(f"{env_file}:{bad[0]}: not a NAME=value line (dotenv syntax){also}")
    values = dotenv_values(stream=io.StringIO(text), interpolate=False)
    return {key: value for key, value in values.items() if value is not None}


def load_env(env_file: Path | None, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables a run resolves secrets from; the real environment wins over the file.

    Variables declared without a value in the file (`NAME` alone) are left out, so they read as
    "not set" rather than as an empty secret. Raises `EnvFileError` for an unusable file.
    """
    values = read_env_file(env_file) if env_file is not None else {}
    values.update(environ)
    return values
