"""The sub-commands, each named by the module and attribute it lives in.

A command's module is imported when the command is looked up (to run it, or by `--help`, which
lists them all), not when `portctl` starts: `validate`, run by pre-commit hooks and on every
push, must not pay for importing the API client, planning and the renderers of the others
(a quarter of a second).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, MutableMapping

import click

WHERE: dict[str, str] = {
    "validate": "reconciler.cli.validate:validate",
    "fmt": "reconciler.cli.fmt:fmt",
    "schema": "reconciler.cli.schema:schema",
    "emulator": "reconciler.cli.emulator:emulator",
    "plan": "reconciler.cli.plan:plan",
    "drift": "reconciler.cli.drift:drift",
    "status": "reconciler.cli.status:status",
    "apply": "reconciler.cli.apply:apply",
    "show": "reconciler.cli.show:show",
    "import": "reconciler.cli.importcmd:import_command",
    "doctor": "reconciler.cli.doctor:doctor",
    "watch": "reconciler.cli.watch:watch",
}
"""Command name -> `module:attribute`."""


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's commands by name, each imported when first looked up and then passed through
    `prepare` (which adds the options every command shares). Asking whether a name is a
    command, or listing the names, imports nothing."""

    def __init__(
        self, where: Mapping[str, str], prepare: Callable[[click.Command], click.Command]
    ) -> None:
        self._where = dict(where)
        self._prepare = prepare
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            module, _, attribute = self._where[name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            self._loaded[name] = self._prepare(command)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._where.setdefault(name, "")
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._where[name]
        self._loaded.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._where

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)
