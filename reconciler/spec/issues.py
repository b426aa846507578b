"""One validation finding, located in a spec file.

Every problem the loader finds, from a YAML syntax error to a number listed in two specs, becomes
a `SpecIssue` so that the CLI can print them all at once, as text, JSON or GitHub annotations.
"""

from __future__ import annotations

from dataclasses import dataclass

DOCUMENT_PATH = "<document>"
"""The field path shown for problems of a file as a whole (syntax, empty file, several docs)."""


@dataclass(frozen=True, order=True)
class SpecIssue:
    """A problem at `file:line:col` (1-based), for the field at `path` (e.g. `spec.schedule`)."""

    file: str
    line: int
    col: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.path or DOCUMENT_PATH}: {self.message}"

    def as_dict(self) -> dict[str, str | int]:
        """The JSON shape `validate --format json` prints."""
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "path": self.path or DOCUMENT_PATH,
            "message": self.message,
        }


def format_path(loc: tuple[str | int, ...]) -> str:
    """Render a field location as users write it: `spec.phoneNumbers[2].endUser.city`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out
