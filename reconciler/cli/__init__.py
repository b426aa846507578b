"""The `portctl` command line: wiring only, no logic.

Exit codes are part of the contract (docs/design.md#exit-codes): click's own usage errors exit 2,
which would collide with "changes pending", so `main` runs click in non-standalone mode and maps
them to 64. `main` is also the last line of defence for "no traceback, ever": Ctrl-C exits 130 with
one line, a file that cannot be written or read is one line naming it, and an unexpected
exception (a portctl bug) becomes one scrubbed error line and exit 1
(`PORTCTL_TRACEBACK=1` shows the traceback for a bug report).
"""

from __future__ import annotations

import os
import sys
import threading

import click

from reconciler import __version__
from reconciler.cli.exits import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE
from reconciler.redact import scrub

INTERRUPTED = (
    "Interrupted. Plan, drift, status and import change nothing; an interrupted apply may "
    "have done some of its actions: `portctl plan` shows what is left."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="portctl")
def cli() -> None:
    """Sinch number port-in orders as code: validate, plan, apply, drift."""


def _register() -> None:
    """Attach every sub-command; each lives in its own module under `reconciler.cli`, imported
    when the command is looked up (`reconciler.cli.commands`).

    `--color` is accepted before the command (`portctl --color never plan`) and after it.
    """
    from reconciler.cli.commands import WHERE, LazyCommands
    from reconciler.cli.common import color_option

    color_option(cli)
    cli.commands = LazyCommands(WHERE, color_option)


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
    except (click.Abort, KeyboardInterrupt):
        click.echo(INTERRUPTED, err=True)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:  # the reader went away (`portctl plan | head`): nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_ERROR)
    except OSError as exc:  # a file or directory the user named cannot be written or read
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"Error: {where}{exc.strerror or exc}", err=True)
        sys.exit(EXIT_ERROR)
    except Exception as exc:
        if os.environ.get("PORTCTL_TRACEBACK"):
            raise
        click.echo(
            scrub(
                f"Error: internal error ({type(exc).__name__}: {exc}). This is a portctl bug; "
                "please report it with the output of the same command run with "
                "PORTCTL_TRACEBACK=1 (check it for secrets first)."
            ),
            err=True,
        )
        sys.exit(EXIT_ERROR)
    sys.exit(code if isinstance(code, int) else 0)


def run() -> None:
    """The `portctl` console script and `python -m reconciler`: `main`, then the process ends as
    soon as its output is flushed, without freeing its objects one by one first.

    A plan of 10,000 orders holds 300 MB in millions of objects that the operating system takes
    back at once; Python would free each of them on the way out (0.1 s; issue 12). mypy ends
    the same way. What that skips is safe to skip: portctl registers nothing to run at exit,
    writes its files whole before a command returns (the audit log line by line), and closes
    its worker processes; stdout and stderr are flushed here. Threads are the exception: while
    one that Python's own ending would wait for is still at work (the watch service's worker
    finishing the order in hand), the process ends Python's way instead. Only the threads that
    just read the API (`reconciler.api.client.READ_THREADS`, after a Ctrl-C) are left
    unfinished. An output stream that cannot be flushed (its reader went away) ends the run
    with exit 1, as `main` does for one that breaks while written. Tests call `main`, which
    exits by `SystemExit`; so must a profiler or a coverage run (a two-line script calling
    `main`, not `-m reconciler`): `os._exit` would end them before they write.
    """
    try:
        main()
    except SystemExit as done:
        if not isinstance(done.code, int | None):
            raise  # a message to print: Python's own way
        status = done.code or 0
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # None when the descriptor was closed (`portctl ... >&-`)
                stream.flush()
        except (OSError, ValueError):
            status = status or EXIT_ERROR
    if _still_at_work():
        sys.exit(status)
    os._exit(status)


def _still_at_work() -> bool:
    """Whether a thread that Python's own ending would wait for is still running, other than
    those that only read the API."""
    others = [
        thread
        for thread in threading.enumerate()
        if thread.is_alive() and not thread.daemon and thread is not threading.current_thread()
    ]
    if not others:
        return False
    from reconciler.api.client import READ_THREADS  # only when a thread is left

    return any(not thread.name.startswith(READ_THREADS) for thread in others)
