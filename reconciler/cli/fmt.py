"""`portctl fmt [PATHS...] [--check]`: rewrite spec files in canonical form (`spec.fmt`).

Wiring only. Without `--check` every file not in canonical form is rewritten and named; with
`--check` nothing is written, the files that would change are named and the exit code is 1
(for CI and pre-commit). A file that is not a portctl spec, or not YAML, is an error (exit 1),
the others are still formatted.
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.common import DEFAULT_PATHS
from reconciler.cli.exits import EXIT_ERROR, EXIT_OK
from reconciler.spec.discovery import discover_spec_files
from reconciler.spec.fmt import FormatError, format_file


@click.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a file would change.")
def fmt(paths: tuple[Path, ...], check: bool) -> None:
    """Rewrite specs in canonical form (quoted numbers, schema key order, modeline)."""
    failed = False
    changed: list[str] = []
    found = discover_spec_files(list(paths) or list(DEFAULT_PATHS))
    for display, problem in found.problems:
        click.echo(f"{display}: {problem}", err=True)
        failed = True
    for display, path in found.files:
        try:
            before, after = format_file(path)
        except FormatError as exc:
            click.echo(f"{display}: {exc}", err=True)
            failed = True
            continue
        if before == after:
            continue
        changed.append(display)
        if not check:
            path.write_text(after, "utf-8")
    verb = "would reformat" if check else "reformatted"
    for display in changed:
        click.echo(f"{verb} {display}")
    if not changed:
        click.echo("All specs are in canonical form.", err=True)
    failing = failed or (check and bool(changed))
    click.get_current_context().exit(EXIT_ERROR if failing else EXIT_OK)
