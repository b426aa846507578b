"""The CLI layer's boundaries, read from the source's imports (docs/design.md#architecture).

Each command module wires one command; what two commands share lives in `cli/common.py` or
below `cli/`, so a command can be changed (or dropped) without reading the others. click is
the CLI layer's alone: the rest of `reconciler` raises its own errors and the commands turn
them into click errors, so the core stays usable (and testable) without a command line.
The shared `--emulator` option, the CLI's side of `reconciler.connect`, is checked here too.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

import click
from click.testing import CliRunner

import reconciler
import reconciler.cli
from reconciler.cli.common import api_options

PACKAGE = Path(reconciler.__file__).parent


def _is_our_module(name: str) -> bool:
    parts = name.split(".")
    if parts[0] != reconciler.__name__:
        return False
    where = PACKAGE.joinpath(*parts[1:])
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


def _imported_modules(source: Path) -> set[str]:
    """Every module `source` imports, anywhere in it (function bodies included).

    `from reconciler.package import name` counts as importing `reconciler.package.name` when
    that is a module.
    """
    tree = ast.parse(source.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                if _is_our_module(candidate):
                    found.add(candidate)
    return found


def _cli_modules() -> list[ModuleType]:
    names = [reconciler.cli.__name__] + [
        info.name for info in pkgutil.iter_modules(reconciler.cli.__path__, "reconciler.cli.")
    ]
    return [importlib.import_module(name) for name in names]


def _defines_a_command(module: ModuleType) -> bool:
    """Whether `module` defines a click command (not just re-exports one, as `commands` does)."""
    return any(
        isinstance(value, click.Command)
        and value.callback is not None
        and value.callback.__module__ == module.__name__
        for value in vars(module).values()
    )


def _source(module: ModuleType) -> Path:
    assert module.__file__ is not None
    return Path(module.__file__)


def test_no_command_module_imports_another() -> None:
    command_modules = {m.__name__ for m in _cli_modules() if _defines_a_command(m)}
    assert {"reconciler.cli.plan", "reconciler.cli.apply", "reconciler.cli.drift"} <= (
        command_modules
    )
    crossings = {
        name: sorted(
            (_imported_modules(_source(importlib.import_module(name))) & command_modules) - {name}
        )
        for name in sorted(command_modules)
    }
    assert {name: others for name, others in crossings.items() if others} == {}


def test_only_the_cli_layer_imports_click() -> None:
    sources = [p for p in PACKAGE.rglob("*.py") if "cli" not in p.relative_to(PACKAGE).parts]
    assert PACKAGE / "connect.py" in sources
    importers = [
        str(source.relative_to(PACKAGE))
        for source in sources
        if any(name.split(".")[0] == "click" for name in _imported_modules(source))
    ]
    assert importers == []


def test_api_options_adds_the_emulator_flag() -> None:
    @click.command()
    @api_options
    def probe(emulator: bool) -> None:
        click.echo(f"emulator={emulator}")

    runner = CliRunner()
    assert runner.invoke(probe, ["--emulator"]).output == "emulator=True\n"
    assert runner.invoke(probe, []).output == "emulator=False\n"
    assert "--emulator" in runner.invoke(probe, ["--help"]).output
