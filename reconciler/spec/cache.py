"""A content-addressed cache for `validate`: unchanged specs are not validated again.

Two levels, both in `.portctl/cache/`:

* the verdict of a clean run (`<key>.json`), keyed by a sha256 over the validation settings
  (`SETTINGS`) and every loaded file's name and content digest, so the same files give the same
  key in any checkout (CI restores `.portctl/cache/` with `actions/cache`). The entry holds the
  files, the counts, the names of the secret variables referenced and the document files the
  specs attach;
* the facts of every clean file (`files.json`, `reconciler.spec.facts.FileFacts`), keyed by the
  sha256 of the file's bytes, under a header of the same settings: a run where one file of
  10,000 changed checks that file only. The rules across files (duplicate references, a number
  in two active specs, one Settings) run over the facts of all files every time.

What a verdict depends on besides the bytes is in the key: portctl's version, the version of
the phone number metadata, and the day (the date rules move with it). What lies outside the
file, the documents a spec attaches, is checked again before an entry is used: a document that
vanished, moved out of the repository or grew too large sends the file through a real check. A
file is cached only when it has no issue of its own, and never in a run that resolves secret
references (`--require-secrets`: the referenced variables and files are outside the key) or
accepts literal secrets: an entry holds names of secret variables, never a value. Entries of
another day can never be used again and are dropped when today's are written, so the directory
(which CI keeps from run to run) holds one day's entries at most. Messages
always come from a real validation. The directory is safe to delete, ignored by git
(`.portctl/`), and `validate --no-cache` neither reads nor writes it. Writing is best effort: a
read-only or full disk costs speed, never a verdict.
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

import phonenumbers

from reconciler import __version__
from reconciler.spec.discovery import common_root, repo_root
from reconciler.spec.facts import FileFacts
from reconciler.spec.rules import document_problem
from reconciler.spec.settings_file import nearest_settings

CACHE_DIR = Path(".portctl") / "cache"
FORMAT = 2
"""Bumped when an entry's shape changes (old entries are then simply not found)."""
FILES = "files.json"
"""The facts of clean files, by content digest."""


def settings(today: date) -> str:
    """What every entry depends on besides the files (see the module docstring)."""
    return f"portctl {__version__} phonenumbers {phonenumbers.__version__} {FORMAT} {today}"


def file_digest(raw: bytes) -> str:
    """The content address of one file."""
    return hashlib.sha256(raw).hexdigest()


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
    def key(*, today: date, files: Sequence[tuple[str, str]]) -> str:
        """The content address of a run over `files` (display name, `file_digest`) on `today`,
        after the day itself (`put` drops the verdicts of other days: they can never match)."""
        digest = hashlib.sha256(f"{settings(today)}\0".encode())
        for name, content in files:
            digest.update(f"{name}\0{content}\0".encode())
        return f"{today.isoformat()}-{digest.hexdigest()}"

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
        self._write(f"{key}.json", text)
        today = key.rsplit("-", 1)[0] + "-"
        try:
            for entry in self.directory.glob("*.json"):
                if entry.name != FILES and not entry.name.startswith(today):
                    entry.unlink(missing_ok=True)  # another day's verdict: never used again
        except OSError:
            return

    def known_files(self, *, today: date) -> dict[str, FileFacts]:
        """The facts of the clean files kept under the same settings, by `file_digest`."""
        try:
            data: dict[str, Any] = json.loads((self.directory / FILES).read_text())
            if data.get("settings") != settings(today):
                return {}
            return {digest: _decoded(entry) for digest, entry in data["files"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def keep_files(
        self, *, today: date, known: dict[str, FileFacts], files: dict[str, FileFacts]
    ) -> None:
        """Keep the facts of `files` (by `file_digest`) beside the `known` ones (what
        `known_files` gave this run: the entries of the same day stay). Only clean facts
        without secrets are kept; nothing is written when nothing is new."""
        entries = {
            digest: facts
            for digest, facts in files.items()
            if digest not in known and cacheable(facts)
        }
        if not entries:
            return
        encoded = {digest: _encoded(facts) for digest, facts in {**known, **entries}.items()}
        self._write(FILES, json.dumps({"settings": settings(today), "files": encoded}))

    def _write(self, name: str, text: str) -> None:
        """Replace `name` by `text` atomically (silently skipped when it cannot be)."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(fd, "w") as handle:
                handle.write(text)
            Path(temporary).replace(self.directory / name)
        except OSError:
            return


def cacheable(facts: FileFacts) -> bool:
    """Whether `facts` may be kept: a clean file, no secret value, numbers all valid (so that
    their indexes are 0, 1, 2..., which an entry leaves out)."""
    return facts.clean and not facts.secrets and facts.number_indexes is None


def _encoded(facts: FileFacts) -> list[Any]:
    """An entry of `files.json`: a list (the numbers one string), cheap to read back."""
    numbers = None if facts.numbers is None else " ".join(facts.numbers)
    return [
        facts.kind,
        facts.name,
        numbers,
        facts.reference_prefix,
        facts.order_numbers,
        list(facts.documents),
        list(facts.variables),
    ]


def _decoded(entry: list[Any]) -> FileFacts:
    """The facts of an entry (`TypeError`/`ValueError` when it is not one)."""
    kind, name, numbers, prefix, order_numbers, documents, variables = entry
    optional = (kind, name, numbers)
    if not all(isinstance(value, str | None) for value in optional) or not isinstance(prefix, str):
        raise TypeError("not an entry")
    if not isinstance(order_numbers, int | None):
        raise TypeError("not an entry")
    return FileFacts(
        kind=kind,
        name=name,
        numbers=None if numbers is None else tuple(numbers.split()),
        reference_prefix=prefix,
        order_numbers=order_numbers,
        documents=tuple(map(_text, documents)),
        variables=tuple(map(_text, variables)),
    )


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not an entry")
    return value
