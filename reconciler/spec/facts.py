"""Check one spec file on its own and keep only what the project-level steps need of it.

Everything about a file that does not depend on the other files is decided here, once: its
YAML and model issues, the issues of its secret references and of the rules of one PortIn
(`reconciler.spec.rules`), and the few fields the rules across files read (kind, order name,
active numbers, referencePrefix). The result, `FileFacts`, is small and plain, so it can come
back from a worker process (`reconciler.spec.parallel`) and be kept in the cache
(`reconciler.spec.cache`) without the parsed document, its model or its source map: those are
the bulk of the memory of loading a large repository, and `validate` needs none of them. A
position the later steps need (a number in two files, a second Settings) is found by loading
that one file again (`reconciler.spec.project`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reconciler.desired import SECRET_FIELDS
from reconciler.redact import register_secret
from reconciler.spec.document import LoadedDocument, load_document
from reconciler.spec.issues import SpecIssue
from reconciler.spec.partial import INVALID, field_value, mapping
from reconciler.spec.rules import check_port_in, portable_numbers
from reconciler.spec.secrets import SecretError, parse_reference, resolve
from reconciler.spec.strict_yaml import Loc
from reconciler.spec.v1 import Document, Metadata, PortIn, PortInSpec, SettingsSpec


@dataclass(frozen=True, slots=True)
class FileJob:
    """One file to check and what checking it depends on besides its bytes."""

    file: str
    """How messages name it."""
    raw: bytes
    spec_dir: Path
    repo_root: Path


@dataclass(frozen=True)
class CheckOptions:
    """What checking every file of a run depends on besides the file (the same for all)."""

    context: Mapping[str, Any]
    """The models' validation context (`reconciler.spec.fields.validation_context`)."""
    env: Mapping[str, str]
    resolve_secrets: bool


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What the project-level steps need of one checked file."""

    kind: str | None
    """The document's kind once it names a known model, even when validation failed."""
    reported: tuple[SpecIssue, ...] = ()
    """The file's own issues: YAML, model, secret references."""
    checks: tuple[SpecIssue, ...] = ()
    """Issues of the PortIn rules, shown unless their field is among the reported ones."""
    name: str | None = None
    """metadata.name of a PortIn when valid on its own (the reference rules read it)."""
    numbers: tuple[str, ...] | None = None
    """Every valid number of an active PortIn; None when not active."""
    number_indexes: tuple[int, ...] | None = None
    """Their indexes in spec.phoneNumbers when some number is invalid; None when they are
    0, 1, 2... (so the facts of 10,000 files hold no second copy of their numbers' order)."""
    reference_prefix: str = ""
    """spec.referencePrefix of a Settings ("" when absent or itself wrong)."""
    order_numbers: int | None = None
    """How many numbers the PortIn model accepted (None: not a valid PortIn)."""
    documents: tuple[str, ...] = ()
    """The document paths of a PortIn as written: the documents rule reads the file system,
    so a cached file's documents are checked again before its facts are used."""
    variables: tuple[str, ...] = ()
    """Names of the environment variables its secret references use."""
    secrets: tuple[str, ...] = field(default=(), repr=False)
    """Secret values met (literals allowed by the run, resolved references), to register for
    redaction where the messages are printed. Facts holding any are never cached."""

    def indexed_numbers(self) -> Iterator[tuple[int, str]]:
        """(index in spec.phoneNumbers, number) of `numbers`."""
        numbers = self.numbers or ()
        return zip(self.number_indexes or range(len(numbers)), numbers, strict=True)

    @property
    def clean(self) -> bool:
        """Whether the file has no issue of its own."""
        return not (self.reported or self.checks)


@dataclass
class Checked:
    """A file checked in this process: its facts, its document and its resolved secrets
    (field text -> value; what the desired state is built from)."""

    facts: FileFacts
    doc: LoadedDocument
    secrets: dict[str, str]


def check_file(job: FileJob, options: CheckOptions) -> Checked:
    """Load and check `job`'s file on its own (see the module docstring)."""
    doc = load_document(job.file, job.raw, context=options.context)
    data = doc.latest_data
    secrets: dict[str, str] = {}
    variables: set[str] = set()
    reported = list(doc.issues)
    reported += _secrets(doc, data, job, options, secrets=secrets, variables=variables)
    facts = FileFacts(kind=doc.kind, reported=tuple(reported), variables=tuple(sorted(variables)))
    if doc.kind == "PortIn":
        facts = _port_in_facts(doc, data, facts, job)
    elif doc.kind == "Settings":
        prefix = field_value(SettingsSpec, "referencePrefix", mapping(data, "spec") or {})
        facts = replace(facts, reference_prefix="" if prefix is INVALID else str(prefix))
    return Checked(replace(facts, secrets=tuple(secrets.values())), doc, secrets)


def load_checked(job: FileJob, options: CheckOptions) -> tuple[LoadedDocument, dict[str, str]]:
    """A file `check_file` already found clean, loaded again for its desired order: its
    document and its resolved secrets, without the checks (a plan builds its orders' bodies
    in worker processes after the files passed; `reconciler.spec.project`)."""
    doc = load_document(job.file, job.raw, context=options.context)
    secrets: dict[str, str] = {}
    _secrets(doc, doc.latest_data, job, options, secrets=secrets, variables=set())
    return doc, secrets


def _port_in_facts(doc: LoadedDocument, data: Any, facts: FileFacts, job: FileJob) -> FileFacts:
    checks = check_port_in(doc, spec_dir=job.spec_dir, repo_root=job.repo_root)
    name = field_value(Metadata, "name", mapping(data, "metadata"))
    spec_data = mapping(data, "spec")
    numbers = indexes = None
    if spec_data is not None and field_value(PortInSpec, "state", spec_data) == "active":
        found = [(index, number) for index, number, _ in portable_numbers(spec_data)]
        numbers = tuple(number for _, number in found)
        if any(index != position for position, (index, _) in enumerate(found)):
            indexes = tuple(index for index, _ in found)
    model = doc.model if isinstance(doc.model, PortIn) else None
    documents = _document_paths(spec_data)
    return replace(
        facts,
        checks=tuple(checks),
        name=None if name is INVALID else name,
        numbers=numbers,
        number_indexes=indexes,
        order_numbers=len(model.spec.phoneNumbers) if model is not None else None,
        documents=documents,
    )


def _document_paths(spec: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The paths of `spec.documents` valid on their own (the ones the documents rule checks)."""
    items = spec.get("documents", []) if spec is not None else []
    if not isinstance(items, list):
        return ()
    paths = (field_value(Document, "path", item) for item in items)
    return tuple(path for path in paths if path is not INVALID)


def _secret_fields(data: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """`(location, text)` of every secret field in a document's raw data.

    Only containers are entered: a spec is mostly scalars (a short-form number is a string in
    a list), and a generator per scalar was most of this walk's time.
    """
    if isinstance(data, dict):
        for key, value in data.items():
            if key in SECRET_FIELDS and isinstance(value, str):
                yield (*loc, key), value
            elif isinstance(value, dict | list):
                yield from _secret_fields(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            if isinstance(value, dict | list):
                yield from _secret_fields(value, (*loc, index))


def _secrets(
    doc: LoadedDocument,
    data: Any,
    job: FileJob,
    options: CheckOptions,
    *,
    secrets: dict[str, str],
    variables: set[str],
) -> list[SpecIssue]:
    """Note the variables a spec references; resolve them when asked (issues for failures)."""
    issues: list[SpecIssue] = []
    failed: set[str] = set()
    for loc, text in _secret_fields(doc.data if data is None else data):
        ref = parse_reference(text)
        if ref is None:
            register_secret(text)
            secrets[text] = text
            continue
        if ref.kind == "env":
            variables.add(sys.intern(ref.target))  # one copy of a name 10,000 files share
        if not options.resolve_secrets or text in secrets or text in failed:
            continue
        try:
            secrets[text] = resolve(
                ref, env=options.env, spec_dir=job.spec_dir, repo_root=job.repo_root
            )
        except SecretError as exc:
            failed.add(text)
            issues.append(doc.issue(loc, str(exc)))
    return issues
