"""`portctl validate`: check specs offline and report every problem at once.

Wiring only: the loader does the work. It never opens a network connection, so it is safe in
pre-commit hooks and in pull requests from forks that have no credentials.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from reconciler.cli.common import env_file_option, format_option, paths_argument, read_specs
from reconciler.cli.exits import EXIT_ERROR
from reconciler.render.validate import VALIDATE, ValidateView


@click.command("validate")
@paths_argument
@format_option(VALIDATE, help="json: a list of {file, line, col, path, message}.")
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
@click.option(
    "--no-cache",
    is_flag=True,
    help="Check every file even when .portctl/cache knows it (the verdict of the same files, "
    "or the facts of an unchanged file).",
)
def validate(
    paths: tuple[Path, ...],
    output_format: str,
    env_file: Path | None,
    allow_plaintext_secrets: bool,
    require_secrets: bool,
    no_cache: bool,
) -> None:
    """Validate spec files (default: specs/) without contacting any API."""
    result = read_specs(
        paths,
        env_file=env_file,
        allow_plaintext_secrets=allow_plaintext_secrets,
        resolve_secrets=require_secrets,
        build_state=False,
        use_cache=not no_cache,
    )
    view = ValidateView(result, annotate=os.environ.get("GITHUB_ACTIONS") == "true")
    click.echo(VALIDATE.render(view, output_format), nl=False)
    click.echo(VALIDATE.aside(view, output_format), nl=False, err=True)
    if result.issues:
        click.get_current_context().exit(EXIT_ERROR)
