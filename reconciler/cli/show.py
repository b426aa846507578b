"""`portctl show PLANFILE`: a saved plan rendered again, in any plan format (like `terraform
show`).

Wiring only: the saved plan is read with the loader `apply` uses (`savedplan.read_saved_plan`,
so an edited, truncated or wrongly signed file is refused the same way), then rendered by the
output registry's `SHOW` (the plan renderers). Offline: no specs, no API.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from reconciler.cli.common import format_option, use_color
from reconciler.render.plan import SHOW, PlanView
from reconciler.savedplan import SavedPlanError, plan_key, read_saved_plan


@click.command("show")
@click.argument("plan_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@format_option(SHOW)
def show(plan_file: Path, output_format: str) -> None:
    """Render a saved plan (from `plan --out FILE`) in any format, after its integrity check."""
    try:
        saved = read_saved_plan(plan_file, key=plan_key(os.environ))
    except SavedPlanError as exc:
        raise click.ClickException(str(exc)) from None
    color = use_color()
    click.echo(SHOW.render(PlanView(saved.plan, color=color), output_format), nl=False, color=color)
