"""Every `--format` of the command line is what the output registry holds for that command.

Walks the click command tree of `portctl` (groups included), so a new command with its own
hand-written format list, or a registry entry no command offers, fails here.
"""

from __future__ import annotations

from collections.abc import Iterator

import click

from reconciler.cli import cli
from reconciler.render.plan import PLAN
from reconciler.render.registry import APPLY, REGISTRY


def _commands(command: click.Command, path: str = "") -> Iterator[tuple[str, click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _commands(sub, f"{path} {name}".strip())


def _format_options() -> dict[str, click.Option]:
    """`--format` of every command that has one, by command path (`plan`, `emulator state`)."""
    found: dict[str, click.Option] = {}
    for path, command in _commands(cli):
        for param in command.params:
            if isinstance(param, click.Option) and "--format" in param.opts:
                found[path] = param
    return found


def test_registry_lists_the_documents_it_renders() -> None:
    assert sorted(REGISTRY) == [
        "apply",
        "doctor",
        "drift",
        "import",
        "plan",
        "show",
        "status",
        "validate",
        "watch",
    ]
    assert all(output.formats for output in REGISTRY.values())


def test_every_format_option_offers_exactly_the_registry_formats() -> None:
    options = _format_options()
    assert sorted(options) == sorted(REGISTRY), "each output has its command and vice versa"
    for path, option in options.items():
        assert isinstance(option.type, click.Choice), path
        assert tuple(option.type.choices) == REGISTRY[path].formats, path
        assert option.default == REGISTRY[path].formats[0], path


def test_apply_can_show_its_plan_in_each_of_its_formats() -> None:
    """apply prints the plan in the `--format` it was given, before the outcome."""
    assert set(APPLY.formats) <= set(PLAN.formats)
