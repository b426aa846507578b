"""Citations of the design documents point at headings that exist.

Code, tests and the README cite `docs/design.md#<anchor>` and `docs/api-notes.md#<anchor>`; a
renamed heading would silently orphan them. Anchors are computed the way GitHub renders
headings (lower case, punctuation dropped, spaces to hyphens). Old citations of documents
outside the repository (by section sign, or a path under shared/) must not come back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = ("docs/design.md", "docs/api-notes.md")
CITATION = re.compile(r"(docs/(?:design|api-notes)\.md)#([a-z0-9-]+)")
OUTSIDE = re.compile("|".join(("DESIGN" + " §", "reference" + " §", "shared" + "/guides")))
"""Spelled in pieces so that this file does not match its own pattern."""


def _anchors(doc: str) -> set[str]:
    headings = re.findall(r"^#{1,6} (.+)$", (REPO / doc).read_text(encoding="utf-8"), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def _cited_files() -> list[Path]:
    files = [REPO / "README.md", *(REPO / "docs").glob("*.md")]
    for folder in ("reconciler", "tests"):
        files.extend((REPO / folder).rglob("*.py"))
    return sorted(files)


def test_every_citation_names_an_existing_heading() -> None:
    anchors = {doc: _anchors(doc) for doc in DOCS}
    broken = [
        f"{path.relative_to(REPO)}: {doc}#{anchor}"
        for path in _cited_files()
        for doc, anchor in CITATION.findall(path.read_text(encoding="utf-8"))
        if anchor not in anchors[doc]
    ]
    assert broken == []


@pytest.mark.parametrize(
    "anchor",
    [
        "domain-rules",
        "spec-format",
        "decision-table",
        "cli",
        "exit-codes",
        "apply-semantics",
        "saved-plans",
        "audit-log",
        "safety-rules",
        "architecture",
        "emulator-control",
    ],
)
def test_design_has_the_agreed_anchors(anchor: str) -> None:
    assert anchor in _anchors("docs/design.md")


@pytest.mark.parametrize(
    "anchor",
    [
        "auth",
        "endpoints",
        "data-model",
        "statuses",
        "webhooks",
        "errors",
        "validation-rules",
        "document-conflicts",
        "unknowns",
        "emulator-choices",
    ],
)
def test_api_notes_have_the_agreed_anchors(anchor: str) -> None:
    assert anchor in _anchors("docs/api-notes.md")


def test_nothing_cites_documents_outside_the_repository() -> None:
    stale = [
        f"{path.relative_to(REPO)}:{number}"
        for path in _cited_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert stale == []
