"""The `portctl` command line: wiring only, no logic.

Exit codes are part of the contract (DESIGN §4): click's own usage errors exit 2, which would
collide with "changes pending", so `main` runs click in non-standalone mode and maps them to 64.
"""

from __future__ import annotations

import sys

import click

from reconciler import __version__
from reconciler.cli.exits import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="portctl")
def cli() -> None:
    """Sinch number port-in orders as code: validate, plan, apply, drift."""


def _register() -> None:
    """Attach every sub-command; each lives in its own module under `reconciler.cli`."""
    from reconciler.cli import commands

    for command in commands.ALL:
        cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `portctl` console script."""
    try:
        code = cli.main(args=argv, prog_name="portctl", standalone_mode=False)
    except click.UsageError as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_ERROR)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(code if isinstance(code, int) else 0)
