"""`Output`: one document a command prints and its renderers, one per format.

Kept apart from the registry (`reconciler.render.registry`, which holds every command's
`Output` and so imports every renderer) so that a command can define and use its own without
importing the others' renderers: `validate` needs neither planning nor the API client.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from reconciler.redact import scrub
from reconciler.render.printable import json_on_its_lines, printable_values

T = TypeVar("T")


@dataclass(frozen=True)
class Output(Generic[T]):
    """One document (what a command prints) and its renderers, one per format.

    `asides` are for formats whose standard output must stay one machine-readable document:
    what text output would add for a person goes to standard error instead (validate's JSON).
    """

    document: str
    renderers: Mapping[str, Callable[[T], str]]
    asides: Mapping[str, Callable[[T], str]] = field(default_factory=dict)

    @property
    def formats(self) -> tuple[str, ...]:
        """The format names, in the order `--help` lists them (the first is the default)."""
        return tuple(self.renderers)

    def _check(self, fmt: str) -> None:
        if fmt not in self.renderers:
            raise ValueError(
                f"unknown {self.document} format {fmt!r}; choose one of {', '.join(self.formats)}"
            )

    def render(self, value: T, fmt: str) -> str:
        """`value` in `fmt`, scrubbed of registered secrets; for standard output."""
        self._check(fmt)
        out = self.renderers[fmt](_shown(value, fmt))
        return scrub(json_on_its_lines(out) if fmt == "json" else out)

    def aside(self, value: T, fmt: str) -> str:
        """What goes to standard error beside `render(value, fmt)` (usually nothing)."""
        self._check(fmt)
        renderer = self.asides.get(fmt)
        return scrub(renderer(_shown(value, fmt))) if renderer else ""


def _shown(value: T, fmt: str) -> T:
    """What a renderer gets: for every format but JSON, the value with each string's control
    characters made visible (`reconciler.render.printable`)."""
    return value if fmt == "json" else printable_values(value)
