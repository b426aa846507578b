"""`portctl doctor --api`: which reading of the API's unknowns the live API follows (reads only).

Wiring only: the client (`--emulator` or the SINCH_* settings), the probes of
`reconciler.doctor`, rendered by the output registry (`render.registry.DOCTOR`). Exit 0 when
every probed point reads as portctl assumes, 2 when one differs (what portctl does then:
docs/api-notes.md#what-we-assume-about-the-sinch-api), 1 on error.
"""

from __future__ import annotations

import click

from reconciler.cli.common import api_errors, api_options, format_option, make_client
from reconciler.cli.exits import EXIT_CHANGES, EXIT_OK
from reconciler.doctor import run_probes
from reconciler.render.registry import DOCTOR


@click.command("doctor")
@click.option(
    "--api",
    "probe_api",
    is_flag=True,
    required=True,
    help="Probe the Porting API, read-only, for how it pages, filters and shows secrets.",
)
@format_option(DOCTOR)
@api_options
def doctor(probe_api: bool, output_format: str, emulator: bool) -> None:
    """Check what portctl assumes about the Sinch API against the live API (GETs only)."""
    with make_client(emulator) as client, api_errors(emulator):
        findings = run_probes(client)
    click.echo(DOCTOR.render(findings, output_format), nl=False)
    differs = any(not f.assumed for f in findings)
    click.get_current_context().exit(EXIT_CHANGES if differs else EXIT_OK)
