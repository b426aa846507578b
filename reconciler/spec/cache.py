"""A content-addressed cache of `validate` verdicts: unchanged specs are not validated again.

The key is a sha256 over portctl's version, the validation settings (the day, which the date
rules depend on) and every loaded file's name and bytes, so the same files give the same key in
any checkout (CI restores `.portctl/cache/` with `actions/cache`). The entry is the verdict of a
clean run: the files, the counts, the names of the secret variables referenced (names only:
an entry never holds a secret value; runs that resolve secrets or allow literal ones are never
cached) and the document files the specs attach, which must still pass the documents rule
(exist, stay in the repository, not too large) for the entry to be used: they are outside the
key. Runs with problems are never cached: their messages always come from a real validation.
The directory is safe to delete, ignored by git (`.portctl/`), and
`validate --no-cache` neither reads nor writes it. Writing is best effort: a read-only or full
disk costs speed, never a verdict.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reconciler import __version__
from reconciler.spec.discovery import common_root, repo_root
from reconciler.spec.rules import document_problem
from reconciler.spec.settings_file import nearest_settings

CACHE_DIR = Path(".portctl") / "cache"
FORMAT = 1
"""Bumped when an entry's shape changes (old entries are then simply not found)."""


def cache_directory(paths: Sequence[Path]) -> Path:
    """`.portctl/cache` of the workspace of `paths`: the git work tree, else beside the nearest
    `portctl.yaml`, else the paths' common directory (where the apply lock lives too)."""
    common = common_root(paths)
    settings = nearest_settings(common)
    fallback = settings.resolve().parent if settings is not None else common
    return repo_root(common, fallback) / CACHE_DIR


@dataclass(frozen=True)
class Verdict:
    """A clean validation: what `validate` prints about it."""

    files: tuple[str, ...]
    orders: int
    numbers: int
    secret_variables: tuple[str, ...]
    documents: tuple[tuple[str, str, str], ...]
    """(path as written, spec folder, repository root) of each attached document: outside the
    key, so the rule on documents runs again before the entry is used."""


@dataclass(frozen=True)
class VerdictCache:
    """The verdicts under `directory`, one JSON file per key."""

    directory: Path

    @staticmethod
    def key(*, today: date, files: Sequence[tuple[str, bytes]]) -> str:
        """The content address of a run over `files` (display name, bytes) on `today`."""
        digest = hashlib.sha256(f"portctl {__version__} cache {FORMAT} {today}\0".encode())
        for name, data in files:
            digest.update(f"{name}\0{len(data)}\0".encode())
            digest.update(data)
        return digest.hexdigest()

    def get(self, key: str) -> Verdict | None:
        """The verdict stored under `key`, if any and still true of the attached documents."""
        try:
            data: dict[str, Any] = json.loads((self.directory / f"{key}.json").read_text())
            verdict = Verdict(
                files=tuple(data["files"]),
                orders=int(data["orders"]),
                numbers=int(data["numbers"]),
                secret_variables=tuple(data["secret_variables"]),
                documents=tuple((str(p), str(d), str(r)) for p, d, r in data["documents"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        for path, spec_dir, root in verdict.documents:
            if document_problem(path, spec_dir=Path(spec_dir), repo_root=Path(root)):
                return None  # a document moved, grew or vanished: validate for the message
        return verdict

    def put(self, key: str, verdict: Verdict) -> None:
        """Store `verdict` under `key` (atomically; silently skipped when it cannot be)."""
        text = json.dumps(
            {
                "files": verdict.files,
                "orders": verdict.orders,
                "numbers": verdict.numbers,
                "secret_variables": verdict.secret_variables,
                "documents": verdict.documents,
            }
        )
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(fd, "w") as handle:
                handle.write(text)
            Path(temporary).replace(self.directory / f"{key}.json")
        except OSError:
            return
