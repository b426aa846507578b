"""Read one spec file into a validated, latest-version model, collecting every issue.

The steps never stop at the first problem: YAML structure problems (duplicate keys, anchors,
several documents) are recorded and the data still goes through the models, so one run shows
everything that is wrong with a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from reconciler.spec.issues import SpecIssue, format_path
from reconciler.spec.locate import issues_from_validation, known_field_names
from reconciler.spec.strict_yaml import Loc, SourceMap, parse_document
from reconciler.spec.versions import LATEST, REGISTRY, supported_versions

_FIELD_NAMES = known_field_names(
    model for version in REGISTRY.values() for model in version.kinds.values()
)


@dataclass
class LoadedDocument:
    """One spec file after parsing and model validation."""

    file: str
    data: Any
    source: SourceMap
    kind: str | None = None
    """The document's `kind` once it names a known model, even when validation failed."""
    model: BaseModel | None = None
    issues: list[SpecIssue] = field(default_factory=list)

    @property
    def latest_data(self) -> Any:
        """The document as latest-version data, for the checks that also run on a document the
        model refused: the raw data (whose locations match the file) when it is written in the
        latest apiVersion, the migrated model's data otherwise, None when neither exists."""
        if isinstance(self.data, dict) and self.data.get("apiVersion") == LATEST:
            return self.data
        return self.model.model_dump(exclude_none=True) if self.model is not None else None

    def issue(self, loc: Loc, message: str, *, at: Loc | None = None) -> SpecIssue:
        """An issue about the field at `loc`, positioned at the value `at` (default: `loc`),
        or at its nearest ancestor present in the file."""
        line, col = self.source.value_position(loc if at is None else at)
        return SpecIssue(self.file, line, col, format_path(loc), message)


def load_document(file: str, raw: bytes, *, context: Mapping[str, Any]) -> LoadedDocument:
    """Parse and validate one spec file; `file` is how messages name it.

    A document nested hundreds of levels deep exhausts the parser's recursion: that is the
    file's problem, reported against it, not an internal error.
    """
    try:
        return _load_document(file, raw, context=context)
    except RecursionError:
        message = "nested too deeply to read (hundreds of levels); a spec is a few levels deep"
        return LoadedDocument(file, None, SourceMap(), issues=[SpecIssue(file, 1, 1, "", message)])


def _load_document(file: str, raw: bytes, *, context: Mapping[str, Any]) -> LoadedDocument:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        issue = SpecIssue(file, 1, 1, "", f"not UTF-8 text (byte {exc.start})")
        return LoadedDocument(file, None, SourceMap(), issues=[issue])
    parsed = parse_document(text)
    doc = LoadedDocument(file, parsed.data, parsed.source)
    doc.issues.extend(SpecIssue(file, p.line, p.col, p.path, p.message) for p in parsed.problems)
    if parsed.data is None and parsed.problems:
        return doc
    model_type = _select_model(doc)
    if model_type is None:
        return doc
    doc.kind = parsed.data["kind"]
    try:
        model = model_type.model_validate(parsed.data, context=dict(context))
    except ValidationError as exc:
        doc.issues.extend(
            issues_from_validation(
                exc, file=file, source=parsed.source, model=model_type, field_names=_FIELD_NAMES
            )
        )
        return doc
    version = REGISTRY[parsed.data["apiVersion"]]
    doc.model = version.migrate(model)
    return doc


def _select_model(doc: LoadedDocument) -> type[BaseModel] | None:
    """The model for the document's apiVersion and kind, or None after recording why not."""
    data = doc.data
    if not isinstance(data, dict):
        doc.issues.append(doc.issue((), "a spec must be a mapping with apiVersion and kind"))
        return None
    api_version = data.get("apiVersion")
    version = REGISTRY.get(api_version) if isinstance(api_version, str) else None
    if version is None:
        found = "is missing" if api_version is None else f"{api_version!r} is not supported"
        message = f"apiVersion {found}; supported versions: {supported_versions()}"
        doc.issues.append(doc.issue(("apiVersion",), message))
        return None
    kind = data.get("kind")
    model = version.kinds.get(kind) if isinstance(kind, str) else None
    if model is None:
        found = "is missing" if kind is None else f"{kind!r} is unknown"
        message = f"kind {found}; {api_version} has {', '.join(sorted(version.kinds))}"
        doc.issues.append(doc.issue(("kind",), message))
    return model
