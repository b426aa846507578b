"""Load every spec under the given paths into one `DesiredState`, or into the list of issues.

This is the loader's entry point (`load_project`): it finds the files, validates each one,
applies the rules that span files (names, references and numbers must be unique, at most one
PortingDefaults and one Settings), lists and optionally resolves secret references, and only
when nothing at all is wrong builds the desired state the planner works from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from reconciler.desired import (
    SECRET_FIELDS,
    DesiredConfiguration,
    DesiredDocument,
    DesiredOrder,
    DesiredState,
    SafetyBudgets,
    SourceLocation,
)
from reconciler.redact import register_secret
from reconciler.spec.discovery import common_root, discover_spec_files, repo_root
from reconciler.spec.document import LoadedDocument, load_document
from reconciler.spec.effective import order_body
from reconciler.spec.fields import validation_context
from reconciler.spec.issues import SpecIssue
from reconciler.spec.rules import check_port_in
from reconciler.spec.secrets import SecretError, parse_reference, resolve
from reconciler.spec.strict_yaml import Loc
from reconciler.spec.v1 import PortIn, PortingDefaults, Settings
from reconciler.spec.versions import LATEST

MAX_REFERENCE_LENGTH = 100


@dataclass(frozen=True)
class LoadResult:
    """What loading the specs found: every issue, the secret variables used, and the state.

    `state` is built only when `issues` is empty.
    """

    issues: list[SpecIssue]
    secret_variables: list[str]
    state: DesiredState | None
    files: tuple[str, ...] = ()


@dataclass
class _Spec:
    """One loaded file with what the project-level steps need to know about it."""

    doc: LoadedDocument
    path: Path
    raw: bytes
    repo_root: Path
    secrets: dict[str, str] = field(default_factory=dict)


def load_project(
    paths: Sequence[Path],
    *,
    today: date,
    env: Mapping[str, str],
    allow_plaintext_secrets: bool = False,
    resolve_secrets: bool = False,
) -> LoadResult:
    """Validate the specs under `paths` (files or directories) and build the desired state.

    Raises `FileNotFoundError` for a path that does not exist; everything else wrong with the
    specs is returned as issues, all of them, sorted by file, line and column.
    """
    files = discover_spec_files(paths)
    fallback_root = common_root(paths)
    context = validation_context(today=today, allow_plaintext_secrets=allow_plaintext_secrets)
    specs: list[_Spec] = []
    issues: list[SpecIssue] = []
    for display, path in files:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            issues.append(SpecIssue(display, 1, 1, "", f"cannot be read: {reason}"))
            continue
        doc = load_document(display, raw, context=context)
        specs.append(_Spec(doc, path, raw, repo_root(path.parent, fallback_root)))

    issues += [issue for spec in specs for issue in spec.doc.issues]
    for spec in specs:
        if isinstance(spec.doc.model, PortIn):
            issues += check_port_in(
                spec.doc.model,
                doc=spec.doc,
                spec_dir=spec.path.parent.resolve(),
                repo_root=spec.repo_root,
            )
    variables: set[str] = set()
    for spec in specs:
        issues += _secrets(spec, env=env, resolve_secrets=resolve_secrets, variables=variables)
    settings = _single(specs, Settings, issues)
    defaults = _single(specs, PortingDefaults, issues)
    prefix = settings.spec.referencePrefix if settings else ""
    issues += _cross_file(specs, prefix)
    result_files = tuple(display for display, _ in files)
    if issues:
        return LoadResult(sorted(issues), sorted(variables), None, result_files)
    state = _build_state(specs, settings=settings, defaults=defaults)
    return LoadResult([], sorted(variables), state, result_files)


def _secret_fields(data: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """`(location, text)` of every secret field in a document's raw data."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in SECRET_FIELDS and isinstance(value, str):
                yield (*loc, key), value
            else:
                yield from _secret_fields(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _secret_fields(value, (*loc, index))


def _latest_data(doc: LoadedDocument) -> Any:
    """The document as latest-version data: the raw data (whose locations match the file)
    unless it was migrated from an older apiVersion."""
    raw_version = doc.data.get("apiVersion") if isinstance(doc.data, dict) else None
    if doc.model is not None and raw_version != LATEST:
        return doc.model.model_dump(exclude_none=True)
    return doc.data


def _secrets(
    spec: _Spec, *, env: Mapping[str, str], resolve_secrets: bool, variables: set[str]
) -> list[SpecIssue]:
    """Note the variables a spec references; resolve them when asked (issues for failures)."""
    issues: list[SpecIssue] = []
    failed: set[str] = set()
    for loc, text in _secret_fields(_latest_data(spec.doc)):
        ref = parse_reference(text)
        if ref is None:
            register_secret(text)
            spec.secrets[text] = text
            continue
        if ref.kind == "env":
            variables.add(ref.target)
        if not resolve_secrets or text in spec.secrets or text in failed:
            continue
        try:
            spec.secrets[text] = resolve(
                ref, env=env, spec_dir=spec.path.parent.resolve(), repo_root=spec.repo_root
            )
        except SecretError as exc:
            failed.add(text)
            issues.append(spec.doc.issue(loc, str(exc)))
    return issues


_Kind = TypeVar("_Kind", Settings, PortingDefaults)


def _single(specs: list[_Spec], kind: type[_Kind], issues: list[SpecIssue]) -> _Kind | None:
    """The one document of `kind`, recording an issue for every extra one."""
    first: _Spec | None = None
    for spec in specs:
        if not isinstance(spec.doc.model, kind):
            continue
        if first is None:
            first = spec
            continue
        message = f"only one {kind.__name__} is allowed; another one is in {first.doc.file}"
        issues.append(spec.doc.issue(("kind",), message))
    return first.doc.model if first is not None and isinstance(first.doc.model, kind) else None


def _cross_file(specs: list[_Spec], prefix: str) -> list[SpecIssue]:
    """Unique names/references, reference length, and no number in two active specs."""
    issues: list[SpecIssue] = []
    references: dict[str, str] = {}
    numbers: dict[str, tuple[str, str]] = {}
    for spec in specs:
        model, doc = spec.doc.model, spec.doc
        if not isinstance(model, PortIn):
            continue
        reference = prefix + model.metadata.name
        name: Loc = ("metadata", "name")
        if len(reference) > MAX_REFERENCE_LENGTH:
            message = (
                f"order reference {reference!r} is {len(reference)} characters; at most "
                f"{MAX_REFERENCE_LENGTH} including referencePrefix {prefix!r}; shorten the name"
            )
            issues.append(doc.issue(name, message))
        if reference in references:
            message = (
                f"duplicate name: order reference {reference!r} is also used by "
                f"{references[reference]}"
            )
            issues.append(doc.issue(name, message))
            continue
        references[reference] = doc.file
        if model.spec.state != "active":
            continue
        for index, item in enumerate(model.spec.phoneNumbers):
            number = item if isinstance(item, str) else item.number
            owner, owner_file = numbers.setdefault(number, (model.metadata.name, doc.file))
            if owner == model.metadata.name:
                continue
            message = (
                f"{number} is already in active spec {owner} ({owner_file}); a number can be "
                "in one active order only"
            )
            issues.append(doc.issue(("spec", "phoneNumbers", index), message))
    return issues


def _build_state(
    specs: list[_Spec], *, settings: Settings | None, defaults: PortingDefaults | None
) -> DesiredState:
    """The desired state of error-free specs (orders sorted by name)."""
    prefix = settings.spec.referencePrefix if settings else ""
    default_time = defaults.spec.defaultPortTime if defaults else None
    default_zone = defaults.spec.defaultPortTimeZone if defaults else None
    orders: list[DesiredOrder] = []
    configuration: DesiredConfiguration | None = None
    digest_parts: list[tuple[str, bytes]] = []
    for spec in specs:
        digest_parts.append((_relative(spec.path, spec.repo_root), spec.raw))
        model, doc = spec.doc.model, spec.doc
        location = SourceLocation(Path(doc.file), *doc.source.value_position(("metadata", "name")))
        if isinstance(model, PortingDefaults):
            body = model.spec.model_dump(exclude_none=True)
            configuration = DesiredConfiguration(body=body, source=location)
        if not isinstance(model, PortIn):
            continue
        documents = []
        for item in model.spec.documents:
            path = (spec.path.parent / item.path).resolve()
            digest_parts.append((_relative(path, spec.repo_root), path.read_bytes()))
            documents.append(DesiredDocument(item.name, path, item.description))
        activation = model.spec.activation
        reference = prefix + model.metadata.name
        orders.append(
            DesiredOrder(
                name=model.metadata.name,
                reference=reference,
                state=model.spec.state,
                activation_mode=activation.mode,
                activation_when=activation.when or "manual",
                activation_groups=tuple(activation.groups or ()),
                body=order_body(
                    model,
                    reference=reference,
                    default_time=default_time,
                    default_zone=default_zone,
                    secret=_lookup(spec.secrets),
                ),
                notes=tuple(model.spec.notes),
                documents=tuple(documents),
                labels=dict(model.metadata.labels),
                source=location,
            )
        )
    safety = settings.spec.safety if settings else None
    return DesiredState(
        orders=tuple(sorted(orders, key=lambda order: order.name)),
        configuration=configuration,
        reference_prefix=prefix,
        ignore_fields=tuple(settings.spec.ignoreFields) if settings else (),
        safety=SafetyBudgets(
            max_cancels=safety.maxCancels if safety else 0,
            max_prune=safety.maxPrune if safety else 0,
            max_numbers_touched=safety.maxNumbersTouched if safety else None,
        ),
        spec_digest=_digest(digest_parts),
    )


def _lookup(known: Mapping[str, str]) -> Callable[[str], str]:
    """Secret field text -> resolved value (references not resolved keep their text)."""
    return lambda text: known.get(text, text)


def _relative(path: Path, root: Path) -> str:
    resolved = path.resolve()
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(path)


def _digest(parts: list[tuple[str, bytes]]) -> str:
    """sha256 over the files' (relative path, bytes), sorted by path."""
    digest = hashlib.sha256()
    for name, data in sorted(set(parts)):
        digest.update(name.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
    return digest.hexdigest()
