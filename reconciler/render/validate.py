"""`portctl validate` output: every spec problem, as text, as JSON, and as GitHub annotations.

Text is for people (one `file:line:col: path: message` line per issue, then a verdict); JSON is
a list of `{file, line, col, path, message}` for tools. On GitHub Actions each issue is also a
`::error` workflow command, so the runner marks the line in the pull request's diff. With JSON
on standard output, the annotations and the list of secret variables go to standard error
(`validate_json_aside`): a tool reading the JSON gets one document and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.render.output import Output
from reconciler.spec import LoadResult, SpecIssue


def _variables_line(result: LoadResult) -> str:
    return "Secret variables referenced: " + ", ".join(result.secret_variables)


def github_annotation(issue: SpecIssue) -> str:
    """A GitHub Actions `::error` workflow command for one issue (values escaped)."""
    props = f"file={_escape_property(issue.file)},line={issue.line},col={issue.col}"
    return f"::error {props}::{_escape_data(f'{issue.path}: {issue.message}')}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _lines(lines: Sequence[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def render_validate_text(result: LoadResult, *, annotate: bool) -> str:
    """Each issue, the secret variables, a verdict line; then the annotations if `annotate`."""
    lines = [str(issue) for issue in result.issues]
    if result.secret_variables:
        lines.append(_variables_line(result))
    files = len(result.files)
    if result.issues:
        bad = len({issue.file for issue in result.issues})
        lines.append(f"{len(result.issues)} problem(s) in {bad} of {files} file(s).")
    else:
        lines.append(f"OK: {files} file(s), {result.orders} order(s), {result.numbers} number(s).")
    if annotate:
        lines += [github_annotation(issue) for issue in result.issues]
    return _lines(lines)


def render_validate_json(result: LoadResult) -> str:
    """The issues as a JSON list (empty when the specs are valid)."""
    return json.dumps([issue.as_dict() for issue in result.issues], indent=2) + "\n"


def validate_json_aside(result: LoadResult, *, annotate: bool) -> str:
    """What text output would say beyond the issues, for standard error beside the JSON."""
    lines = [github_annotation(issue) for issue in result.issues] if annotate else []
    if result.secret_variables:
        lines.append(_variables_line(result))
    return _lines(lines)


@dataclass(frozen=True)
class ValidateView:
    """What loading the specs found; `annotate` on GitHub Actions (`GITHUB_ACTIONS=true`)."""

    result: LoadResult
    annotate: bool = False


VALIDATE: Output[ValidateView] = Output(
    "validate",
    {
        "text": lambda v: render_validate_text(v.result, annotate=v.annotate),
        "json": lambda v: render_validate_json(v.result),
    },
    asides={"json": lambda v: validate_json_aside(v.result, annotate=v.annotate)},
)
"""Its entry of the output registry (`reconciler.render.registry.REGISTRY`), defined here so
that `portctl validate` imports no other command's renderers."""
