"""`portctl import`: write one spec per live order, so teams with existing orders can adopt.

Wiring only: read the orders (`importing`), write the files, check them with the same loader
`portctl validate` uses, and print which `${VARIABLE}`s to set. Secret values are never
printed or written. Exit 1 when a written spec does not validate.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from reconciler.cli.common import (
    api_errors,
    api_options,
    checked_today,
    format_option,
    make_client,
)
from reconciler.clock import cli_today
from reconciler.importing import (
    ImportFilters,
    ImportRefused,
    ImportResult,
    import_orders,
    parse_statuses,
)
from reconciler.importing.run import existing_prefix
from reconciler.lifecycle import OrderStatus
from reconciler.redact import scrub
from reconciler.spec import load_project


def _check(result: ImportResult, today: date) -> list[str]:
    """Problems `portctl validate` would report in the files just written."""
    if not result.written:
        return []
    files = [*result.written, *([result.settings] if result.settings else [])]
    loaded = load_project(files, today=today, env={}, resolve_secrets=False)
    return [str(issue) for issue in loaded.issues]


def _document(result: ImportResult, out_dir: Path) -> dict[str, object]:
    return {
        "formatVersion": 1,
        "outDir": str(out_dir),
        "written": [str(p) for p in result.written],
        "kept": [str(p) for p in result.kept],
        "settings": str(result.settings) if result.settings else None,
        "specs": [
            {"name": s.name, "orderId": s.order_id, "status": s.status} for s in result.specs
        ],
        "variables": [
            {
                "name": v.variable,
                "field": v.field,
                "orderId": v.order_id,
                "reference": v.reference,
                "numbers": list(v.numbers),
            }
            for v in result.variables
        ],
        "skipped": [
            {
                "orderId": s.order_id,
                "reference": s.reference,
                "status": s.status,
                "reason": s.reason,
                "hint": s.hint,
            }
            for s in result.skipped
        ],
        "warnings": list(result.warnings),
    }


def _text(result: ImportResult, out_dir: Path) -> list[str]:
    lines = [f"Wrote {len(result.written)} spec(s) to {out_dir}."]
    if result.kept:
        lines.append(f"Kept {len(result.kept)} existing file(s) as they were (--overwrite).")
    if result.settings:
        lines.append(f"Wrote {result.settings} (referencePrefix of the imported specs).")
    if result.skipped:
        lines += ["", f"Skipped {len(result.skipped)} order(s), no spec written for them:"]
        for skip in result.skipped:
            lines += [f"  {skip.describe()}", f"    -> {skip.hint}"]
    if result.warnings:
        lines += ["", "Warnings:", *(f"  {w}" for w in result.warnings)]
    if result.variables:
        lines += [
            "",
            "Set these variables (environment or --env-file) to the values the orders hold now;",
            "import never writes secret values anywhere:",
            *(f"  {v.describe()}" for v in result.variables),
        ]
    return lines


@click.command("import")
@api_options
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("specs"),
    show_default=True,
    help="Folder to write the spec files to.",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    metavar="S,...",
    help="Only orders in these statuses (comma-separated or repeated), "
    f"e.g. {OrderStatus.PENDING},{OrderStatus.CONFIRMED}.",
)
@click.option(
    "--reference-prefix",
    default=None,
    help="Only orders whose reference starts with P; P is cut off to make the spec name and "
    "written to portctl.yaml (default: the prefix of an existing portctl.yaml, else none).",
)
@click.option(
    "--order-id",
    "order_ids",
    multiple=True,
    type=int,
    metavar="ID",
    help="Only these order ids (repeatable).",
)
@click.option("--overwrite", is_flag=True, help="Replace spec files that already exist.")
@format_option(("text", "json"))
def import_command(
    emulator: bool,
    out_dir: Path,
    statuses: tuple[str, ...],
    reference_prefix: str | None,
    order_ids: tuple[int, ...],
    overwrite: bool,
    output_format: str,
) -> None:
    """Write a spec for each live order (secrets as ${VARIABLE} references)."""
    checked_today()  # a bad PORTCTL_TODAY is a usage error before anything is written
    prefix = reference_prefix if reference_prefix is not None else existing_prefix(out_dir) or ""
    filters = ImportFilters(
        statuses=parse_statuses(statuses),
        reference_prefix=prefix,
        order_ids=frozenset(order_ids),
    )
    with make_client(emulator) as client, api_errors(emulator):
        try:
            result = import_orders(client, out_dir, filters, overwrite=overwrite)
        except ImportRefused as exc:
            raise click.UsageError(str(exc)) from None
        today = cli_today(client.server_time)  # the API's clock, as plan will judge the specs
    if output_format == "json":
        click.echo(scrub(json.dumps(_document(result, out_dir), indent=2)))
    else:
        click.echo(scrub("\n".join(_text(result, out_dir))))
    problems = _check(result, today)
    if problems:
        for problem in problems:
            click.echo(scrub(problem), err=True)
        raise click.ClickException(
            f"{len(problems)} problem(s) in the written specs; edit them before planning"
        )
