"""Variables for `${NAME}` secret references: a dotenv file overlaid by the environment."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values


def load_env(env_file: Path | None, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables a run resolves secrets from; the real environment wins over the file.

    Variables declared without a value in the file (`NAME` alone) are left out, so they read as
    "not set" rather than as an empty secret.
    """
    values: dict[str, str] = {}
    if env_file is not None:
        values.update(
            (key, value)
            for key, value in dotenv_values(env_file, interpolate=False).items()
            if value is not None
        )
    values.update(environ)
    return values
