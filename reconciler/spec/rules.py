"""Rules of one PortIn spec that span several fields (DESIGN §1), checked after the models.

Each rule reports at the place a user has to edit: the offending key, the number, or, when
every number lacks the same merged field, once under `spec.defaults`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from reconciler.spec.document import LoadedDocument
from reconciler.spec.effective import deep_merge, defaults_of, overrides_of
from reconciler.spec.issues import SpecIssue
from reconciler.spec.phone import check_portable_e164
from reconciler.spec.strict_yaml import Loc
from reconciler.spec.v1 import PortIn

END_USER_REQUIRED = ("name", "streetNum", "streetName", "city", "state", "zipCode")
E911_REQUIRED = ("name", "streetNum", "streetInfo", "city", "state", "postalCode")


class _Reporter:
    """Collects the issues of one file (positioned through the file's source map)."""

    def __init__(self, doc: LoadedDocument) -> None:
        self.doc = doc
        self.issues: list[SpecIssue] = []

    def add(self, loc: Loc, message: str, *, at: Loc | None = None) -> None:
        self.issues.append(self.doc.issue(loc, message, at=at))


def check_port_in(
    document: PortIn, *, doc: LoadedDocument, spec_dir: Path, repo_root: Path
) -> list[SpecIssue]:
    """Every cross-field problem of one PortIn spec (`document`, the model of `doc`)."""
    report = _Reporter(doc)
    _check_activation(document, report)
    _check_numbers(document, report)
    _check_merged_fields(document, report)
    _check_notes_and_documents(document, report, spec_dir=spec_dir, repo_root=repo_root)
    return report.issues


def _check_activation(document: PortIn, report: _Reporter) -> None:
    activation = document.spec.activation
    base: Loc = ("spec", "activation")
    if activation.mode != "on-demand":
        if activation.when is not None:
            report.add((*base, "when"), "only allowed with mode: on-demand")
        if activation.groups is not None:
            report.add((*base, "groups"), "only allowed with mode: on-demand")
    elif activation.when == "ready" and activation.groups is not None:
        report.add(
            (*base, "groups"),
            "only allowed with when: manual (when: ready activates every offered group)",
        )


def _check_numbers(document: PortIn, report: _Reporter) -> None:
    first_seen: dict[str, int] = {}
    canadian: int | None = None
    for index, number in enumerate(_numbers(document)):
        loc: Loc = ("spec", "phoneNumbers", index)
        if number in first_seen:
            report.add(
                loc, f"{number} is listed twice (first at spec.phoneNumbers[{first_seen[number]}])"
            )
            continue
        first_seen[number] = index
        if canadian is None and check_portable_e164(number) == "CA":
            canadian = index
    if canadian is not None and document.spec.resellerName is None:
        number = _numbers(document)[canadian]
        report.add(
            ("spec", "resellerName"),
            f"required because spec.phoneNumbers[{canadian}] ({number}) is a Canadian number",
            at=("spec", "phoneNumbers", canadian),
        )


def _numbers(document: PortIn) -> list[str]:
    return [n if isinstance(n, str) else n.number for n in document.spec.phoneNumbers]


def _check_merged_fields(document: PortIn, report: _Reporter) -> None:
    """After merging `defaults`, every number needs a full endUser, a portOutInfo and, when it
    has an e911 feature, a full e911 address."""
    defaults = defaults_of(document.spec)
    from_defaults = list(_missing_fields(defaults))
    items = document.spec.phoneNumbers
    missing: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        if isinstance(item, str):
            fields = from_defaults
        else:
            fields = list(_missing_fields(deep_merge(defaults, overrides_of(item))))
        for field in fields:
            missing.setdefault(field, []).append(index)
    for field, indexes in missing.items():
        if len(indexes) == len(items) and len(items) > 1:
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


def _missing_fields(number: Mapping[str, object]) -> Iterator[str]:
    end_user = number.get("endUser")
    if not isinstance(end_user, dict):
        yield "endUser"
    else:
        yield from (f"endUser.{key}" for key in END_USER_REQUIRED if key not in end_user)
    if not number.get("portOutInfo"):
        yield "portOutInfo"
    features = number.get("features")
    e911 = features.get("e911") if isinstance(features, dict) else None
    if isinstance(e911, dict):
        yield from (f"features.e911.{key}" for key in E911_REQUIRED if key not in e911)


def _check_notes_and_documents(
    document: PortIn, report: _Reporter, *, spec_dir: Path, repo_root: Path
) -> None:
    seen_notes: set[str] = set()
    for index, note in enumerate(document.spec.notes):
        if note in seen_notes:
            report.add(("spec", "notes", index), "duplicate note (notes are matched by exact text)")
        seen_notes.add(note)
    seen_names: set[str] = set()
    for index, doc in enumerate(document.spec.documents):
        loc: Loc = ("spec", "documents", index)
        if doc.name in seen_names:
            report.add((*loc, "name"), f"duplicate document name {doc.name!r}")
        seen_names.add(doc.name)
        problem = document_problem(doc.path, spec_dir=spec_dir, repo_root=repo_root)
        if problem:
            report.add((*loc, "path"), problem)


def document_problem(path: str, *, spec_dir: Path, repo_root: Path) -> str | None:
    """Why a document path is unusable (absolute, outside the repository, missing), or None."""
    if Path(path).is_absolute():
        return f"{path} must be relative to the spec file"
    resolved = (spec_dir / path).resolve()
    if not resolved.is_relative_to(repo_root):
        return f"{path} points outside the repository"
    if not resolved.is_file():
        return f"{path} does not exist (paths are relative to the spec file)"
    return None
