"""`portctl doctor --api`: which reading of the API's unknowns the live API follows (reads only).

Wiring only: the client (`--emulator` or the SINCH_* settings), the probes of
`reconciler.doctor`, one line per point. Exit 0 when every probed point reads as portctl
assumes, 2 when one differs (see docs/api-notes.md#what-we-assume-about-the-sinch-api for what
portctl does then), 1 on error.
"""

from __future__ import annotations

import click

from reconciler.cli.common import api_errors, api_options, make_client
from reconciler.cli.exits import EXIT_CHANGES, EXIT_OK
from reconciler.doctor import run_probes


@click.command("doctor")
@click.option(
    "--api",
    "probe_api",
    is_flag=True,
    required=True,
    help="Probe the Porting API, read-only, for how it pages, filters and shows secrets.",
)
@api_options
def doctor(probe_api: bool, emulator: bool) -> None:
    """Check what portctl assumes about the Sinch API against the live API (GETs only)."""
    with make_client(emulator) as client, api_errors(emulator):
        findings = run_probes(client)
    for finding in findings:
        click.echo(finding.line())
    differs = [f.name for f in findings if not f.assumed]
    if differs:
        click.echo(
            f"{len(differs)} point(s) differ from what portctl assumes ({', '.join(differs)}); "
            "see docs/api-notes.md, 'What we assume about the Sinch API'.",
            err=True,
        )
    click.get_current_context().exit(EXIT_CHANGES if differs else EXIT_OK)
