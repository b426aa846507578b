"""`portctl validate`: check specs offline and report every problem at once.

Wiring only: the loader does the work. It never opens a network connection, so it is safe in
pre-commit hooks and in pull requests from forks that have no credentials.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from reconciler.cli.common import env_file_option, paths_argument, read_specs
from reconciler.cli.exits import EXIT_ERROR
from reconciler.spec import LoadResult, SpecIssue


@click.command("validate")
@paths_argument
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: a list of {file, line, col, path, message}.",
)
@env_file_option
@click.option(
    "--allow-plaintext-secrets",
    is_flag=True,
    help="Accept literal PINs and account numbers in specs (not recommended).",
)
@click.option(
    "--require-secrets",
    is_flag=True,
    help="Also fail when a referenced secret variable or file is unset, empty or missing.",
)
def validate(
    paths: tuple[Path, ...],
    output_format: str,
    env_file: Path | None,
    allow_plaintext_secrets: bool,
    require_secrets: bool,
) -> None:
    """Validate spec files (default: specs/) without contacting any API."""
    result = read_specs(
        paths,
        env_file=env_file,
        allow_plaintext_secrets=allow_plaintext_secrets,
        resolve_secrets=require_secrets,
    )
    if output_format == "json":
        click.echo(json.dumps([issue.as_dict() for issue in result.issues], indent=2))
    else:
        _print_text(result)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for issue in result.issues:
            click.echo(github_annotation(issue), err=output_format == "json")
    if output_format == "json" and result.secret_variables:
        click.echo(_variables_line(result), err=True)
    if result.issues:
        click.get_current_context().exit(EXIT_ERROR)


def _print_text(result: LoadResult) -> None:
    for issue in result.issues:
        click.echo(str(issue))
    if result.secret_variables:
        click.echo(_variables_line(result))
    files = len(result.files)
    if result.issues:
        bad = len({issue.file for issue in result.issues})
        click.echo(f"{len(result.issues)} problem(s) in {bad} of {files} file(s).")
    elif result.state is not None:
        orders = result.state.orders
        numbers = sum(len(order.phone_numbers) for order in orders)
        click.echo(f"OK: {files} file(s), {len(orders)} order(s), {numbers} number(s).")


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
