"""The product imports only what `pyproject.toml` declares as a runtime dependency.

Test-only libraries (jsonschema, hypothesis, schemathesis...) belong in the `test` extra; an
import of one from `reconciler/` would work in the development venv and fail for a user who
installed portctl alone. Imports are read from the source, not executed.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PART_OF: dict[str, str] = {"pydantic-core": "pydantic"}
"""Distributions a declared one ships as its own part (pydantic's compiled core)."""


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {
        _canonical(re.split(r"[<>=!~\[; ]", dep, maxsplit=1)[0]) for dep in project["dependencies"]
    }


def _imported_top_levels() -> set[str]:
    names: set[str] = set()
    for path in (REPO / "reconciler").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"reconciler", "__future__"}


def test_every_third_party_import_is_a_declared_runtime_dependency() -> None:
    declared = _declared()
    dists = packages_distributions()
    undeclared = {
        top: dists.get(top, ["(not installed)"])
        for top in _imported_top_levels()
        if not any(
            PART_OF.get(_canonical(d), _canonical(d)) in declared for d in dists.get(top, [])
        )
    }
    assert undeclared == {}


def test_test_only_libraries_are_not_runtime_dependencies() -> None:
    assert {"jsonschema", "respx", "hypothesis"}.isdisjoint(_declared())
