"""Rules of one PortIn spec that span several fields (docs/design.md#domain-rules).

Each rule reports at the place a user has to edit: the offending key, the number, or, when
every number lacks the same merged field, once under `spec.defaults`.

The rules read the document's data, not its model, so that they also run on a file the model
refused somewhere else: one run shows the wrong value *and* the missing `resellerName`. Each
rule reads only values that are valid on their own (`reconciler.spec.partial`) and skips a value
of the wrong shape, so it never reports a field the model already reported.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from reconciler.spec.discovery import out_of_bounds
from reconciler.spec.document import LoadedDocument
from reconciler.spec.effective import deep_merge
from reconciler.spec.issues import SpecIssue
from reconciler.spec.partial import INVALID, field_value, is_text, mapping
from reconciler.spec.phone import PhoneNumberError, Region, check_portable_e164
from reconciler.spec.strict_yaml import Loc
from reconciler.spec.v1 import Activation, Document

END_USER_REQUIRED = ("name", "streetNum", "streetName", "city", "state", "zipCode")
E911_REQUIRED = ("name", "streetNum", "streetInfo", "city", "state", "postalCode")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
"""Largest document portctl uploads (10 MiB of file, before base64). Sinch publishes no limit
(docs/api-notes.md#unknowns); this is the emulator's `max_document_bytes`, checked at validate
time so that a too-large LOA fails in review, not halfway through an apply."""


class _Reporter:
    """Collects the issues of one file (positioned through the file's source map)."""

    def __init__(self, doc: LoadedDocument) -> None:
        self.doc = doc
        self.issues: list[SpecIssue] = []

    def add(self, loc: Loc, message: str, *, at: Loc | None = None) -> None:
        self.issues.append(self.doc.issue(loc, message, at=at))


def check_port_in(doc: LoadedDocument, *, spec_dir: Path, repo_root: Path) -> list[SpecIssue]:
    """Every cross-field problem of the PortIn spec `doc`, valid or not."""
    spec = mapping(doc.latest_data, "spec")
    if spec is None:
        return []
    report = _Reporter(doc)
    _check_activation(spec, report)
    _check_numbers(spec, report)
    _check_merged_fields(spec, report)
    _check_notes(spec, report)
    _check_documents(spec, report, spec_dir=spec_dir, repo_root=repo_root)
    return report.issues


def _check_activation(spec: Mapping[str, Any], report: _Reporter) -> None:
    activation = spec.get("activation", {})
    mode = field_value(Activation, "mode", activation)
    if mode is INVALID:
        return
    when = field_value(Activation, "when", activation)
    groups = field_value(Activation, "groups", activation)
    base: Loc = ("spec", "activation")
    if mode != "on-demand":
        if when not in (None, INVALID):
            report.add((*base, "when"), "only allowed with mode: on-demand")
        if groups not in (None, INVALID):
            report.add((*base, "groups"), "only allowed with mode: on-demand")
    elif when == "ready" and groups not in (None, INVALID):
        report.add(
            (*base, "groups"),
            "only allowed with when: manual (when: ready activates every offered group)",
        )


def portable_numbers(spec: Mapping[str, Any]) -> Iterator[tuple[int, str, Region]]:
    """`(index, number, region)` of every valid number of `spec.phoneNumbers` (short or long
    form); the invalid ones are the model's to report."""
    items = spec.get("phoneNumbers")
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        number = item.get("number") if isinstance(item, Mapping) else item
        if not isinstance(number, str):
            continue
        try:
            region = check_portable_e164(number)
        except PhoneNumberError:
            continue
        yield index, number, region


def _check_numbers(spec: Mapping[str, Any], report: _Reporter) -> None:
    first_seen: dict[str, int] = {}
    canadian: tuple[int, str] | None = None
    for index, number, region in portable_numbers(spec):
        if number in first_seen:
            report.add(
                ("spec", "phoneNumbers", index),
                f"{number} is listed twice (first at spec.phoneNumbers[{first_seen[number]}])",
            )
            continue
        first_seen[number] = index
        if canadian is None and region == "CA":
            canadian = index, number
    if canadian is not None and spec.get("resellerName") is None:
        index, number = canadian
        report.add(
            ("spec", "resellerName"),
            f"required because spec.phoneNumbers[{index}] ({number}) is a Canadian number",
            at=("spec", "phoneNumbers", index),
        )


def _check_merged_fields(spec: Mapping[str, Any], report: _Reporter) -> None:
    """After merging `defaults`, every number needs a full endUser, a portOutInfo and, when it
    has an e911 feature, a full e911 address."""
    raw_defaults = spec.get("defaults")
    items = spec.get("phoneNumbers")
    if raw_defaults is not None and not isinstance(raw_defaults, Mapping):
        return
    if not isinstance(items, list):
        return
    defaults = _without_nulls(raw_defaults or {})
    from_defaults = list(_missing_fields(defaults))
    missing: dict[str, list[int]] = {}
    checked = 0
    for index, item in enumerate(items):
        if isinstance(item, str):
            fields = from_defaults
        elif isinstance(item, Mapping):
            fields = list(_missing_fields(deep_merge(defaults, _without_nulls(item))))
        else:
            continue
        checked += 1
        for field in fields:
            missing.setdefault(field, []).append(index)
    for field, indexes in missing.items():
        if len(indexes) == checked and checked > 1:
            report.add(
                ("spec", "defaults", *field.split(".")),
                "required: no number sets it; add it to spec.defaults or to every number",
            )
            continue
        for index in indexes:
            report.add(
                ("spec", "phoneNumbers", index, *field.split(".")),
                "required: set it on this number or in spec.defaults",
            )


def _without_nulls(data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` without its null values, at every depth: an empty key is an unset field."""
    return {
        key: _without_nulls(value) if isinstance(value, Mapping) else value
        for key, value in data.items()
        if value is not None
    }


def _missing_fields(number: Mapping[str, Any]) -> Iterator[str]:
    """The required fields a merged number lacks (a value of the wrong shape is not missing:
    the model reports it)."""
    end_user = number.get("endUser")
    if end_user is None:
        yield "endUser"
    elif isinstance(end_user, Mapping):
        yield from (f"endUser.{key}" for key in END_USER_REQUIRED if key not in end_user)
    if number.get("portOutInfo") in (None, {}):
        yield "portOutInfo"
    e911 = mapping(number.get("features"), "e911")
    if e911 is not None:
        yield from (f"features.e911.{key}" for key in E911_REQUIRED if key not in e911)


def _check_notes(spec: Mapping[str, Any], report: _Reporter) -> None:
    notes = spec.get("notes", [])
    if not isinstance(notes, list):
        return
    seen: set[str] = set()
    for index, note in enumerate(notes):
        if not is_text(note):
            continue
        if note in seen:
            report.add(("spec", "notes", index), "duplicate note (notes are matched by exact text)")
        seen.add(note)


def _check_documents(
    spec: Mapping[str, Any], report: _Reporter, *, spec_dir: Path, repo_root: Path
) -> None:
    documents = spec.get("documents", [])
    if not isinstance(documents, list):
        return
    seen_names: set[str] = set()
    for index, item in enumerate(documents):
        loc: Loc = ("spec", "documents", index)
        name = field_value(Document, "name", item)
        if name is not INVALID:
            if name in seen_names:
                report.add((*loc, "name"), f"duplicate document name {name!r}")
            seen_names.add(name)
        path = field_value(Document, "path", item)
        if path is INVALID:
            continue
        problem = document_problem(path, spec_dir=spec_dir, repo_root=repo_root)
        if problem:
            report.add((*loc, "path"), problem)


def document_problem(path: str, *, spec_dir: Path, repo_root: Path) -> str | None:
    """Why a document path is unusable (absolute, outside the repository or inside `.git/`,
    missing, not a regular file, larger than the API takes), or None."""
    if Path(path).is_absolute():
        return f"{path} must be relative to the spec file"
    resolved = (spec_dir / path).resolve()
    place = out_of_bounds(resolved, repo_root)
    if place == "outside":
        return f"{path} points outside the repository"
    if place == ".git":
        return f"{path} is inside .git/; documents are never read from there"
    try:
        info = resolved.stat()
    except OSError:
        return f"{path} does not exist (paths are relative to the spec file)"
    if not stat.S_ISREG(info.st_mode):
        return f"{path} is not a regular file"
    if info.st_size > MAX_DOCUMENT_BYTES:
        return (
            f"{path} is {info.st_size} bytes; a document is at most "
            f"{MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB"
        )
    return None
