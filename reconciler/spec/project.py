"""Load every spec under the given paths into one `DesiredState`, or into the list of issues.

This is the loader's entry point (`load_project`): it finds the files, validates each one,
applies the rules that span fields and files (names, references and numbers must be unique, at
most one PortingDefaults and one Settings), lists and optionally resolves secret references, and
only when nothing at all is wrong builds the desired state the planner works from. The rules run
on files the model refused too, with the fields that are valid on their own, so that one run
reports every error of every file.

Each file is checked on its own first (`reconciler.spec.facts`); the rules across files then
read only the small facts of each file. So `validate`, which needs no desired state, can take
those facts from worker processes (`reconciler.spec.parallel`) or from the cache
(`reconciler.spec.cache`) and keeps no document in memory; a file is loaded again only where an
issue of the rules across files must be positioned in it.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import CancelledError, Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from reconciler.desired import (
    DesiredConfiguration,
    DesiredDocument,
    DesiredOrder,
    DesiredState,
    SafetyBudgets,
    SourceLocation,
)
from reconciler.redact import register_secret
from reconciler.spec.cache import Verdict, VerdictCache, file_digest
from reconciler.spec.discovery import SpecFileError, common_root, read_spec_file, repo_root
from reconciler.spec.document import LoadedDocument, load_document
from reconciler.spec.effective import order_body
from reconciler.spec.facts import CheckOptions, FileFacts, FileJob, check_file, load_checked
from reconciler.spec.fields import validation_context
from reconciler.spec.issues import SpecIssue
from reconciler.spec.parallel import Workers, check_files, in_workers
from reconciler.spec.phone import check_portable_e164
from reconciler.spec.rules import document_problem
from reconciler.spec.settings_file import project_files
from reconciler.spec.strict_yaml import Loc
from reconciler.spec.v1 import PortIn, PortingDefaults, Settings

MAX_REFERENCE_LENGTH = 100
MAX_ISSUES_PER_FILE = 100
"""Issues shown per file; the rest are counted (a generated or hostile file can have millions)."""


@dataclass(frozen=True)
class LoadResult:
    """What loading the specs found: every issue, the secret variables used, and the state.

    `state` is built only when `issues` is empty and it was asked for (`build_state`).
    """

    issues: list[SpecIssue]
    secret_variables: list[str]
    state: DesiredState | None
    files: tuple[str, ...] = ()
    orders: int = 0
    """PortIn specs loaded (counted when there is no issue, with or without the state)."""
    numbers: int = 0
    """Their numbers."""
    pending: PendingState | None = None
    """The state (asked with `early`, no issue), maybe still being built."""


@dataclass(slots=True)
class _Spec:
    """One checked file with what the project-level steps need to know about it."""

    job: FileJob
    facts: FileFacts
    path: Path
    context: Mapping[str, Any]
    doc: LoadedDocument | None = None
    """None when the file was checked in a worker process: loaded again here only if an issue
    of the later steps needs a position in it (`issue`)."""
    secrets: dict[str, str] = field(default_factory=dict)
    sketch: DesiredOrder | None = None
    """A clean PortIn's order without its body (`PendingState.sketch`), from a worker."""
    built: tuple[_Shape, DesiredOrder] | None = None
    """The desired order of a clean PortIn built where the file was checked (a worker
    process), and the Settings and PortingDefaults values it was built with."""

    @property
    def file(self) -> str:
        return self.job.file

    def loaded(self) -> LoadedDocument:
        """The file's document (loading it again when it was checked elsewhere)."""
        if self.doc is None:
            self.doc = load_document(self.job.file, self.job.raw, context=self.context)
        return self.doc

    def issue(self, loc: Loc, message: str) -> SpecIssue:
        """An issue about the field at `loc` of this file."""
        return self.loaded().issue(loc, message)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _collector_paused(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run `function` with Python's cycle collector paused.

    Loading builds millions of objects that all stay alive (data, source maps, models, bodies)
    and makes next to no cycles; every full collection walks all of them again, which was half
    the time of parsing a large repository (measured with the collector on and off). The
    collector resumes afterwards; nothing it would have freed is lost, only delayed.
    """

    @functools.wraps(function)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused


def _number_checks_forgotten(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run `function`, then drop the memo of number checks (`check_portable_e164`): it makes
    loading check each number once, and after loading it would only hold 20 MB of a large
    repository's numbers for the rest of the run (issue 12's 400 MB budget)."""

    @functools.wraps(function)
    def forgetting(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        finally:
            check_portable_e164.cache_clear()

    return forgetting


@_number_checks_forgotten
@_collector_paused
def load_project(
    paths: Sequence[Path],
    *,
    today: date,
    env: Mapping[str, str],
    allow_plaintext_secrets: bool = False,
    resolve_secrets: bool = False,
    settings_file: Path | None = None,
    build_state: bool = True,
    verdicts: VerdictCache | None = None,
    early: bool = False,
) -> LoadResult:
    """Validate the specs under `paths` (files or directories) and build the desired state
    (unless `build_state` is false: `validate` needs the verdict and the counts only, and the
    order bodies were a third of its time on a large repository).

    The project's Settings and PortingDefaults join the named files wherever the paths point
    (`reconciler.spec.settings_file`; `settings_file` overrides the Settings file found).
    Raises `FileNotFoundError` for a path that does not exist; everything else wrong with the
    specs is returned as issues, all of them, sorted by file, line and column.

    `verdicts`: where a clean verdict of the same files, and the facts of clean files, are
    looked up and kept (`reconciler.spec.cache`); used only without the state, without
    resolving secrets and without literal ones.

    `early`: the state is handed over as `LoadResult.pending` (`PendingState`), for a caller
    that has work to do before it needs the orders' bodies (a plan reads the API): for a
    large run the files are then checked in worker processes first, and as soon as they
    passed, the same workers build the bodies in the background.
    """
    project = project_files(paths, settings=settings_file)
    files = project.files
    fallback_root = common_root(paths)
    context = validation_context(today=today, allow_plaintext_secrets=allow_plaintext_secrets)
    specs: list[_Spec] = []
    issues = [SpecIssue(display, 1, 1, "", message) for display, message in project.problems]
    folders: dict[Path, tuple[Path, Path]] = {}
    read: list[tuple[str, Path, bytes]] = []
    for display, path in files:
        try:
            read.append((display, path, read_spec_file(path)))
        except SpecFileError as exc:
            issues.append(SpecIssue(display, 1, 1, "", str(exc)))
    if verdicts is not None and (build_state or resolve_secrets or allow_plaintext_secrets):
        verdicts = None
    key = None
    # without a cache no digest is needed: "" is found in no cache
    digests = [file_digest(raw) if verdicts is not None else "" for _, _, raw in read]
    if verdicts is not None and not issues:
        named = [(display, digest) for (display, _, _), digest in zip(read, digests, strict=True)]
        key = verdicts.key(today=today, files=named)
        verdict = verdicts.get(key)
        if verdict is not None:
            return LoadResult(
                [],
                list(verdict.secret_variables),
                None,
                verdict.files,
                orders=verdict.orders,
                numbers=verdict.numbers,
            )
    jobs: list[FileJob] = []
    for display, path, raw in read:
        if path.parent not in folders:
            folders[path.parent] = (repo_root(path.parent, fallback_root), path.parent.resolve())
        root, spec_dir = folders[path.parent]
        jobs.append(FileJob(display, raw, spec_dir=spec_dir, repo_root=root))
    options = CheckOptions(context, env, resolve_secrets)
    paths_read = [path for _, path, _ in read]
    workers = None
    if early and build_state:
        workers = Workers.start(list(zip(jobs, paths_read, strict=True)), options)
    if workers is not None:
        try:
            looked = _first_looks(workers, jobs, paths_read, context)
        except BaseException:
            workers.close()
            raise
        if looked is None:  # the pool broke: checked here instead
            workers.close()
            workers = None
        else:
            specs = looked
    if workers is not None:
        pass  # checked above
    elif build_state:
        specs = _checked(jobs, paths_read, options)
    else:  # only the facts are needed: they may come from the cache or other processes
        found = _facts(jobs, digests, options, verdicts=verdicts, today=today)
        for job, facts, path in zip(jobs, found, paths_read, strict=True):
            specs.append(_Spec(job, facts, path, context))

    variables: set[str] = set()
    checks: list[SpecIssue] = []
    for spec in specs:
        for value in spec.facts.secrets:
            register_secret(value)  # a worker registered it in its own process only
        issues += spec.facts.reported
        checks += spec.facts.checks
        variables.update(spec.facts.variables)
    try:
        settings = _single(specs, "Settings", checks)
        defaults = _single(specs, "PortingDefaults", checks)
        checks += _cross_file(specs, settings.facts.reference_prefix if settings else "")
    except BaseException:
        if workers is not None:
            workers.close()
        raise
    issues += _unless_reported(checks, issues)
    result_files = tuple(
        dict.fromkeys([*(display for display, _ in files), *(d for d, _ in project.problems)])
    )
    if issues:
        if workers is not None:
            workers.close()
        return LoadResult(capped(issues), sorted(variables), None, result_files)
    port_ins = [spec.facts.order_numbers for spec in specs if spec.facts.kind == "PortIn"]
    orders, numbers = len(port_ins), sum(n or 0 for n in port_ins)
    if not build_state:
        if verdicts is not None and key is not None:
            verdict = _verdict(
                specs, result_files, sorted(variables), orders=orders, numbers=numbers
            )
            verdicts.put(key, verdict)
        return LoadResult([], sorted(variables), None, result_files, orders, numbers)
    build = functools.partial(
        _build_state,
        specs,
        settings=_model(settings, Settings),
        defaults=_model(defaults, PortingDefaults),
        options=options,
        settings_file=settings.file if settings is not None else "",
        whole_project=project.whole_project,
    )
    if workers is not None:  # the bodies are built in the background from here on
        shape = _Shape.of(build.keywords["settings"], build.keywords["defaults"])
        whole = project.whole_project
        pending = _pending(workers, specs, build, shape=shape, whole_project=whole)
        return LoadResult(
            [], sorted(variables), None, result_files, orders, numbers, pending=pending
        )
    state = build()
    ready = PendingState.ready(state) if early else None
    return LoadResult([], sorted(variables), state, result_files, orders, numbers, pending=ready)


class PendingState:
    """A desired state that may still be being built, and its sketch meanwhile.

    The sketch has every order the state will have, with its identity, lifecycle wishes and
    labels but no body, documents or notes: what a plan's first reads are decided from
    (`reconciler.planning.reads.PlanReads.listing` and `details`), so that they run while
    the bodies are built (issue 12). `result()` waits for the state; `close()` stops the
    building (Ctrl-C, an API error) and waits for the workers to stop."""

    def __init__(
        self,
        sketch: DesiredState,
        future: Future[DesiredState],
        stop: Callable[[], None] = lambda: None,
        finish: Callable[[DesiredState], DesiredState] = lambda state: state,
    ) -> None:
        self.sketch = sketch
        self._future = future
        self._stop = stop
        self._finish = finish

    @classmethod
    def ready(cls, state: DesiredState) -> PendingState:
        """A state already built (its own sketch)."""
        future: Future[DesiredState] = Future()
        future.set_result(state)
        return cls(state, future)

    def then(self, change: Callable[[DesiredState], DesiredState]) -> PendingState:
        """The same state with `change` applied to it and to its sketch (a selection)."""
        finish = self._finish
        return PendingState(
            change(self.sketch), self._future, self._stop, lambda state: change(finish(state))
        )

    def result(self) -> DesiredState:
        """The state, once built (an error building it is raised here)."""
        return self._finish(self._future.result())

    def close(self) -> None:
        """Stop building, unless done; safe to call more than once."""
        if not self._future.done():
            self._stop()


def _first_looks(
    workers: Workers, jobs: list[FileJob], paths: list[Path], context: Mapping[str, Any]
) -> list[_Spec] | None:
    """Every file checked by `workers`, with the sketch of each clean PortIn; None when the
    pool broke (the caller checks the files itself)."""
    try:
        looked: list[tuple[FileFacts, DesiredOrder | None]] = workers.map(_first_look)
    except (OSError, BrokenProcessPool):
        return None
    return [
        _Spec(job, facts, path, context, sketch=sketch)
        for job, path, (facts, sketch) in zip(jobs, paths, looked, strict=True)
    ]


def _first_look(
    item: tuple[FileJob, Path], options: CheckOptions
) -> tuple[FileFacts, DesiredOrder | None]:
    """In a worker: a file's facts and, for a clean PortIn, its order without a body (the
    reference is its name until the prefix is known)."""
    checked = check_file(item[0], options)
    model = checked.doc.model
    if not checked.facts.clean or not isinstance(model, PortIn):
        return checked.facts, None
    return checked.facts, _sketch(model, model.metadata.name)


def _sketch(model: PortIn, reference: str) -> DesiredOrder:
    """A valid PortIn's order without its body, notes, documents and source: its identity,
    lifecycle wishes and labels (`PendingState.sketch`), which `_desired_order` completes."""
    activation = model.spec.activation
    return DesiredOrder(
        name=model.metadata.name,
        reference=reference,
        state=model.spec.state,
        activation_mode=activation.mode,
        activation_when=activation.when or "manual",
        activation_groups=tuple(activation.groups or ()),
        body={},
        labels=dict(model.metadata.labels),
    )


def _order_of(
    item: tuple[FileJob, Path], options: CheckOptions, *, shape: _Shape
) -> DesiredOrder | None:
    """In a worker: the desired order of a PortIn file that passed (None for another file),
    with the numbers digest a plan may compare worked out (`DesiredOrder.numbers_digest`:
    it goes along; worked out in the plan where it was not)."""
    job, path = item
    doc, secrets = load_checked(job, options)
    model = doc.model
    if not isinstance(model, PortIn):
        return None
    order = _desired_order(doc, model, path, secrets, shape)
    if order.state == "active":  # a canceled spec's order is canceled, not compared
        _ = order.numbers_digest
    return order


def _pending(
    workers: Workers,
    specs: list[_Spec],
    build: Callable[[], DesiredState],
    *,
    shape: _Shape,
    whole_project: bool,
) -> PendingState:
    """The state of clean `specs` checked by `workers`, whose bodies the workers now build
    in the background (a thread waits for them and finishes the state); `build` builds the
    state from the specs (their bodies built or not: `_build_state`)."""
    sketches = [
        replace(spec.sketch, reference=shape.prefix + spec.sketch.name)
        for spec in specs
        if spec.sketch is not None
    ]
    sketch = DesiredState(
        orders=tuple(sorted(sketches, key=lambda order: order.name)),
        reference_prefix=shape.prefix,
        whole_project=whole_project,
    )
    future: Future[DesiredState] = Future()
    stopped = threading.Event()

    def finish() -> None:
        try:
            try:
                work = functools.partial(_order_of, shape=shape)
                orders = workers.map(work, background=True)
            except (OSError, RuntimeError, CancelledError):  # a broken or stopped pool: what
                # is missing is built here (`_build_state`)
                orders = [None] * len(specs)
            finally:
                workers.close()
            if stopped.is_set():
                future.cancel()
                return
            for spec, order in zip(specs, orders, strict=True):
                if order is not None:
                    spec.built = (shape, order)
            future.set_result(build())
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits for the state
            future.set_exception(exc)

    def stop() -> None:
        stopped.set()
        workers.close()
        thread.join()

    thread = threading.Thread(target=finish, name="portctl-desired", daemon=True)
    thread.start()
    return PendingState(sketch, future, stop)


@dataclass(frozen=True, slots=True)
class _Shape:
    """What a desired order takes from the project's Settings and PortingDefaults."""

    prefix: str = ""
    default_time: str | None = None
    default_zone: str | None = None

    @classmethod
    def of(cls, settings: Settings | None, defaults: PortingDefaults | None) -> _Shape:
        return cls(
            settings.spec.referencePrefix if settings else "",
            defaults.spec.defaultPortTime if defaults else None,
            defaults.spec.defaultPortTimeZone if defaults else None,
        )


def _checked(jobs: list[FileJob], paths: list[Path], options: CheckOptions) -> list[_Spec]:
    """Every file checked, and the desired order of each clean PortIn built along, in worker
    processes for a large run (`reconciler.spec.parallel.in_workers`): the orders' bodies
    were most of a plan's loading time, and the documents, models and source maps they are
    built from then never live in this process (issue 12: 10,000 specs, 400 MB).

    An order depends on the first Settings and PortingDefaults, so the files that may be
    one (they name the kind) are checked here first. Should that guess miss the one in use
    (a kind spelled with escapes), the orders built with other values are built again here
    (`_build_state`): the state never depends on where a file was checked."""
    context = options.context
    specs: list[_Spec | None] = [None] * len(jobs)
    for index, job in enumerate(jobs):
        if b"Settings" in job.raw or b"PortingDefaults" in job.raw:
            checked = check_file(job, options)
            doc, secrets = checked.doc, checked.secrets
            specs[index] = _Spec(job, checked.facts, paths[index], context, doc, secrets)
    first = [spec for spec in specs if spec is not None]
    shape = _Shape.of(
        _model(_first(first, "Settings"), Settings),
        _model(_first(first, "PortingDefaults"), PortingDefaults),
    )
    rest = [index for index, spec in enumerate(specs) if spec is None]
    work = functools.partial(_check_and_build, shape=shape)
    built = in_workers([(jobs[index], paths[index]) for index in rest], options, work)
    for position, index in enumerate(rest):
        job, path = jobs[index], paths[index]
        if built is not None:
            facts, order = built[position]
            made = (shape, order) if order is not None else None
            specs[index] = _Spec(job, facts, path, context, built=made)
        else:
            checked = check_file(job, options)
            specs[index] = _Spec(job, checked.facts, path, context, checked.doc, checked.secrets)
    return [spec for spec in specs if spec is not None]


def _first(specs: list[_Spec], kind: str) -> _Spec | None:
    return next((spec for spec in specs if spec.facts.kind == kind), None)


def _check_and_build(
    item: tuple[FileJob, Path], options: CheckOptions, *, shape: _Shape
) -> tuple[FileFacts, DesiredOrder | None]:
    """In a worker: the facts of a file and, for a PortIn with no issue of its own, its
    desired order (wasted only when another file has an issue: then no state is built)."""
    job, path = item
    checked = check_file(job, options)
    model = checked.doc.model
    if not checked.facts.clean or not isinstance(model, PortIn):
        return checked.facts, None
    return checked.facts, _desired_order(checked.doc, model, path, checked.secrets, shape)


def _facts(
    jobs: list[FileJob],
    digests: list[str],
    options: CheckOptions,
    *,
    verdicts: VerdictCache | None,
    today: date,
) -> list[FileFacts]:
    """The facts of every file: the cached ones still true, the others checked (and kept)."""
    known = verdicts.known_files(today=today) if verdicts is not None else {}
    found = [_still_true(known.get(h), job) for job, h in zip(jobs, digests, strict=True)]
    unknown = [job for job, facts in zip(jobs, found, strict=True) if facts is None]
    fresh = iter(check_files(unknown, options))
    result = [facts if facts is not None else next(fresh) for facts in found]
    if verdicts is not None:
        verdicts.keep_files(today=today, known=known, files=dict(zip(digests, result, strict=True)))
    return result


def _still_true(facts: FileFacts | None, job: FileJob) -> FileFacts | None:
    """Cached `facts` of `job`'s file, unless a document it attaches no longer passes the
    documents rule (outside the cache key: the file is then checked for the message)."""
    if facts is None:
        return None
    for path in facts.documents:
        if document_problem(path, spec_dir=job.spec_dir, repo_root=job.repo_root):
            return None
    return facts


def capped(issues: list[SpecIssue]) -> list[SpecIssue]:
    """`issues` sorted, at most `MAX_ISSUES_PER_FILE` per file, then one saying how many more."""
    by_file: dict[str, list[SpecIssue]] = {}
    for issue in sorted(issues):
        by_file.setdefault(issue.file, []).append(issue)
    shown: list[SpecIssue] = []
    for file, found in by_file.items():
        shown += found[:MAX_ISSUES_PER_FILE]
        if len(found) > MAX_ISSUES_PER_FILE:
            last = found[MAX_ISSUES_PER_FILE - 1]
            more = len(found) - MAX_ISSUES_PER_FILE
            message = f"... and {more} more problem(s) in this file (only the first "
            message += f"{MAX_ISSUES_PER_FILE} are shown)"
            shown.append(SpecIssue(file, last.line, last.col, "", message))
    return shown


def _verdict(
    specs: list[_Spec], files: tuple[str, ...], variables: list[str], *, orders: int, numbers: int
) -> Verdict:
    """The cache entry of a clean run (documents as the documents rule needs them)."""
    documents = [
        (path, str(spec.job.spec_dir), str(spec.job.repo_root))
        for spec in specs
        for path in spec.facts.documents
    ]
    return Verdict(files, orders, numbers, tuple(variables), tuple(documents))


def _single(specs: list[_Spec], kind: str, issues: list[SpecIssue]) -> _Spec | None:
    """The first document of `kind` (valid or not), recording an issue for every other one."""
    first: _Spec | None = None
    for spec in specs:
        if spec.facts.kind != kind:
            continue
        if first is None:
            first = spec
            continue
        message = f"only one {kind} is allowed; another one is in {first.file}"
        issues.append(spec.issue(("kind",), message))
    return first


_Kind = TypeVar("_Kind", Settings, PortingDefaults)


def _model(spec: _Spec | None, kind: type[_Kind]) -> _Kind | None:
    """The validated model of `spec` (None when there is no such file or the model refused it)."""
    model = spec.loaded().model if spec is not None else None
    return model if isinstance(model, kind) else None


def _unless_reported(checks: list[SpecIssue], reported: list[SpecIssue]) -> list[SpecIssue]:
    """The rule and cross-file `checks` about fields that have no issue yet: a field the model
    refused is reported once, by the model."""
    fields = {(issue.file, issue.path) for issue in reported}
    return [issue for issue in checks if (issue.file, issue.path) not in fields]


def _cross_file(specs: list[_Spec], prefix: str) -> list[SpecIssue]:
    """Unique names/references, reference length, and no number in two active specs.

    Specs the model refused take part with the fields that are valid on their own, so that a
    clash is reported in the same run as the other errors of the file.
    """
    issues: list[SpecIssue] = []
    references: dict[str, str] = {}
    numbers: dict[str, tuple[str, str | None]] = {}
    for spec in specs:
        facts = spec.facts
        if facts.kind != "PortIn":
            continue
        name = facts.name
        if name is not None and _reference_clash(spec, prefix + name, prefix, references, issues):
            continue
        for index, number in facts.indexed_numbers():
            owner_file, owner = numbers.setdefault(number, (spec.file, name))
            if owner_file == spec.file:
                continue
            where = f"{owner} ({owner_file})" if owner is not None else f"in {owner_file}"
            message = (
                f"{number} is already in active spec {where}; a number can be in one active "
                "order only"
            )
            issues.append(spec.issue(("spec", "phoneNumbers", index), message))
    return issues


def _reference_clash(
    spec: _Spec,
    reference: str,
    prefix: str,
    references: dict[str, str],
    issues: list[SpecIssue],
) -> bool:
    """Record the issues of an order reference too long or already used; True when used."""
    name: Loc = ("metadata", "name")
    if len(reference) > MAX_REFERENCE_LENGTH:
        message = (
            f"order reference {reference!r} is {len(reference)} characters; at most "
            f"{MAX_REFERENCE_LENGTH} including referencePrefix {prefix!r}; shorten the name"
        )
        issues.append(spec.issue(name, message))
    if reference in references:
        message = (
            f"duplicate name: order reference {reference!r} is also used by {references[reference]}"
        )
        issues.append(spec.issue(name, message))
        return True
    references[reference] = spec.file
    return False


def _build_state(
    specs: list[_Spec],
    *,
    settings: Settings | None,
    defaults: PortingDefaults | None,
    options: CheckOptions,
    settings_file: str,
    whole_project: bool,
) -> DesiredState:
    """The desired state of error-free specs (orders sorted by name)."""
    shape = _Shape.of(settings, defaults)
    orders: list[DesiredOrder] = []
    configuration: DesiredConfiguration | None = None
    digest_parts: list[tuple[str, bytes]] = []
    for spec in specs:
        root = spec.job.repo_root
        digest_parts.append((_relative(spec.path, root, spec.job.spec_dir), spec.job.raw))
        if spec.facts.kind == "PortingDefaults":
            doc = spec.loaded()
            if isinstance(doc.model, PortingDefaults):
                location = _location(doc)
                body = doc.model.spec.model_dump(exclude_none=True)
                configuration = DesiredConfiguration(body=body, source=location)
        if spec.facts.kind != "PortIn":
            continue
        if spec.built is not None and spec.built[0] == shape:
            order = spec.built[1]
        else:
            if spec.doc is None:  # checked in a worker, which built it with other values
                checked = check_file(spec.job, options)
                spec.doc, spec.secrets = checked.doc, checked.secrets
            model = spec.doc.model
            if not isinstance(model, PortIn):
                continue
            order = _desired_order(spec.doc, model, spec.path, spec.secrets, shape)
        digest_parts += [(_relative(d.path, root), d.path.read_bytes()) for d in order.documents]
        orders.append(order)
    safety = settings.spec.safety if settings else None
    return DesiredState(
        orders=tuple(sorted(orders, key=lambda order: order.name)),
        configuration=configuration,
        reference_prefix=shape.prefix,
        ignore_fields=tuple(settings.spec.ignoreFields) if settings else (),
        safety=SafetyBudgets(
            max_cancels=safety.maxCancels if safety else 0,
            max_prune=safety.maxPrune if safety else 0,
            max_numbers_touched=safety.maxNumbersTouched if safety else None,
        ),
        spec_digest=_digest(digest_parts),
        settings_file=settings_file,
        whole_project=whole_project,
    )


def _location(doc: LoadedDocument) -> SourceLocation:
    """Where a spec's metadata.name is (what messages about its order point at)."""
    return SourceLocation(Path(doc.file), *doc.source.value_position(("metadata", "name")))


def _desired_order(
    doc: LoadedDocument, model: PortIn, path: Path, secrets: Mapping[str, str], shape: _Shape
) -> DesiredOrder:
    """The desired order of a valid PortIn (`path`: its file, which documents are under)."""
    documents = [
        DesiredDocument(item.name, (path.parent / item.path).resolve(), item.description)
        for item in model.spec.documents
    ]
    reference = shape.prefix + model.metadata.name
    return replace(
        _sketch(model, reference),
        body=order_body(
            model,
            reference=reference,
            default_time=shape.default_time,
            default_zone=shape.default_zone,
            secret=_lookup(secrets),
        ),
        notes=tuple(model.spec.notes),
        documents=tuple(documents),
        source=_location(doc),
    )


def _lookup(known: Mapping[str, str]) -> Callable[[str], str]:
    """Secret field text -> resolved value (references not resolved keep their text)."""
    return lambda text: known.get(text, text)


def _relative(path: Path, root: Path, folder: Path | None = None) -> str:
    """`path` resolved, relative to `root` in POSIX form; as given when outside `root`.
    `folder`: `path`'s folder, resolved (then only the file itself may be a link to follow).

    On strings: resolving and relating 10,000 `Path`s was most of building a 10,000-spec
    state, done beside a plan's reads (issue 12). Both strings are absolute and normalised
    (`realpath`, `Path`), so a prefix up to a separator is a parent folder."""
    if folder is not None and not path.is_symlink():
        resolved = os.path.join(folder, path.name)  # noqa: PTH118 - strings here, see above
    else:
        resolved = os.path.realpath(path)
    base = str(root)
    if resolved == base:
        return "."
    prefix = base if base.endswith(os.sep) else base + os.sep
    if not resolved.startswith(prefix):
        return str(path)
    return resolved[len(prefix) :].replace(os.sep, "/")


def _digest(parts: list[tuple[str, bytes]]) -> str:
    """sha256 over the files' (relative path, bytes), sorted by path."""
    digest = hashlib.sha256()
    for name, data in sorted(set(parts)):
        digest.update(name.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
    return digest.hexdigest()
