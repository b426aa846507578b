"""Which `portctl.yaml` (Settings) and PortingDefaults a run uses, whatever paths it names.

Naming one spec file (`portctl plan specs/riverside-vet.yaml`) must plan that spec exactly as
the plan of the whole directory does: with the repository's reference prefix, ignore rules,
safety budgets and port-time defaults. So the settings are not "whatever YAML happens to be
among the paths" but found from the repository: from each given path, walk up to the nearest
`portctl.yaml`, stopping at the git root (outside git, at the file system root). The directory
holding it is the *project directory*; its Settings and PortingDefaults documents join the run
even when the paths leave them out. `--settings FILE` names the Settings file instead (and its
directory is the project directory); any other Settings among the paths is then left out.

Finding a document's kind reads only its top-level `kind:` line: the full strict load comes
later, once, for every file the run uses.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.spec.discovery import SpecFileError, discover_spec_files, read_spec_file, repo_root

SETTINGS_NAME = "portctl.yaml"
_KIND = re.compile(rb"""^kind:[ \t]*["']?([A-Za-z]+)["']?[ \t]*(?:#.*)?$""", re.MULTILINE)


@dataclass(frozen=True)
class ProjectFiles:
    """The spec files of one run: the named ones plus the project's configuration."""

    files: list[tuple[str, Path]]
    """`(display name, path)`, the named files first, each once."""
    settings_file: Path | None
    """The Settings file in use (None: no `portctl.yaml` found and no `--settings`)."""
    whole_project: bool
    """Whether the paths cover the whole project directory. When they do not, live orders
    under the reference prefix that match no loaded spec may belong to specs left out: they
    are not orphans (and must never be pruned)."""
    problems: list[tuple[str, str]] = field(default_factory=list)
    """`(display name, message)` of every path discovery could not use (any fails the load)."""


def document_kind(path: Path) -> str | None:
    """The top-level `kind:` of a YAML file, from its text (None if unreadable or absent)."""
    try:
        match = _KIND.search(read_spec_file(path))
    except SpecFileError:
        return None
    return match.group(1).decode() if match else None


def nearest_settings(path: Path) -> Path | None:
    """The nearest `portctl.yaml` from `path` upwards, not above the git root."""
    start = path.resolve() if path.is_dir() else path.resolve().parent
    stop = repo_root(start, Path(start.anchor))
    for directory in (start, *start.parents):
        candidate = directory / SETTINGS_NAME
        if candidate.is_file():
            return candidate
        if directory == stop:
            return None
    return None


def _display(path: Path) -> str:
    """`path` relative to the current directory when below it, else absolute."""
    resolved = path.resolve()
    cwd = Path.cwd()
    return os.path.relpath(resolved, cwd) if resolved.is_relative_to(cwd) else str(resolved)


def project_files(paths: Sequence[Path], *, settings: Path | None = None) -> ProjectFiles:
    """The files a run over `paths` loads: `discover_spec_files(paths)` plus the Settings and
    PortingDefaults of the project directory (see the module docstring)."""
    found = discover_spec_files(paths)
    named, problems = found.files, list(found.problems)
    if settings is not None:
        chosen: list[Path] = [settings]
        named = [
            (display, path)
            for display, path in named
            if path.resolve() == settings.resolve() or document_kind(path) != "Settings"
        ]
    else:
        chosen = list(dict.fromkeys(s for s in map(nearest_settings, paths) if s is not None))
    if not chosen:
        return ProjectFiles(named, None, whole_project=True, problems=problems)
    seen = set(found.resolved)  # `named` (or more: `--settings` drops only Settings files)
    files = list(named)
    for settings_path in chosen:
        project = settings_path.resolve().parent
        given_project = len(paths) == 1 and paths[0].is_dir() and paths[0].resolve() == project
        # the usual run (`portctl plan specs/`) names the project directory itself: its files
        # were just discovered, and walking 10,000 of them again cost a tenth of a `validate`
        in_project = found if given_project else discover_spec_files([project])
        known = {Path(display).absolute() for display, _ in problems}
        problems += [p for p in in_project.problems if Path(p[0]).absolute() not in known]
        # a PortingDefaults among the run's own files is in already: only the others are read
        # for their kind (reading all 10,000 twice was a tenth of a warm `validate`)
        others = [] if in_project is found else [path for _, path in in_project.files]
        extra = [settings_path] + [
            path
            for path in others
            if path.resolve() not in seen and document_kind(path) == "PortingDefaults"
        ]
        for path in extra:
            if path.resolve() not in seen:
                seen.add(path.resolve())
                files.append((_display(path), path))
    project_dir = chosen[0].resolve().parent
    whole = any(p.is_dir() and project_dir.is_relative_to(p.resolve()) for p in paths)
    return ProjectFiles(files, chosen[0], whole_project=whole, problems=problems)
