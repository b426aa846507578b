"""`portctl schema`: write the draft-07 JSON schemas of the spec kinds.

The committed `schemas/*.json` come from this command; a test fails when they drift from the
models, so regenerate with `portctl schema` after changing a model.
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.spec.jsonschema import SCHEMA_FILES, render


@click.command("schema")
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schemas"),
    show_default=True,
    help="Directory to write portin.v1.json, portingdefaults.v1.json, settings.v1.json into.",
)
def schema(out_dir: Path) -> None:
    """Write the JSON schemas of the spec files (for editors and check-jsonschema)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, model in SCHEMA_FILES.items():
        target = out_dir / name
        target.write_text(render(model), encoding="utf-8")
        click.echo(f"wrote {target}")
