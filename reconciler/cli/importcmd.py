"""`portctl import`: write one spec per live order, so teams with existing orders can adopt.

Wiring only: read the orders (`importing`), write the files, check them with the same loader
`portctl validate` uses, and print which `${VARIABLE}`s to set. Secret values are never
printed or written. Exit 1 when a written spec does not validate.
"""

from __future__ import annotations

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
from reconciler.importing.naming import NAME
from reconciler.importing.run import existing_prefix
from reconciler.lifecycle import OrderStatus
from reconciler.redact import printable, scrub
from reconciler.render.registry import IMPORT, ImportView
from reconciler.spec import load_project


def _check(result: ImportResult, today: date) -> list[str]:
    """Problems `portctl validate` would report in the files just written."""
    if not result.written:
        return []
    files = [*result.written, *([result.settings] if result.settings else [])]
    loaded = load_project(files, today=today, env={}, resolve_secrets=False)
    return [str(issue) for issue in loaded.issues]


def parse_names(values: tuple[str, ...]) -> dict[int, str]:
    """`("123=riverside-vet",)` -> `{123: "riverside-vet"}`; malformed is a usage error."""
    names: dict[int, str] = {}
    for value in values:
        order_id, sep, name = value.partition("=")
        if not sep or not order_id.strip().isdigit() or not NAME.fullmatch(name.strip()):
            raise click.UsageError(
                f"--name must be ORDER_ID=NAME with NAME like [a-z0-9][a-z0-9._-]*, got {value!r}"
            )
        names[int(order_id)] = name.strip()
    return names


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
@click.option(
    "--name",
    "names",
    multiple=True,
    metavar="ORDER_ID=NAME",
    help="Import order ORDER_ID as spec NAME (selects it too; repeatable).",
)
@click.option("--overwrite", is_flag=True, help="Replace spec files that already exist.")
@format_option(IMPORT)
def import_command(
    emulator: bool,
    out_dir: Path,
    statuses: tuple[str, ...],
    reference_prefix: str | None,
    order_ids: tuple[int, ...],
    names: tuple[str, ...],
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
        names=parse_names(names),
    )
    with make_client(emulator) as client, api_errors(emulator):
        try:
            result = import_orders(client, out_dir, filters, overwrite=overwrite)
        except ImportRefused as exc:
            raise click.UsageError(str(exc)) from None
        today = cli_today(client.server_time)  # the API's clock, as plan will judge the specs
    click.echo(IMPORT.render(ImportView(result, out_dir), output_format), nl=False)
    if not result.specs:
        raise click.ClickException(
            "nothing was imported: no selected order can become a spec (see above)"
        )
    problems = _check(result, today)
    if problems:
        for problem in problems:
            click.echo(printable(scrub(problem)), err=True)
        raise click.ClickException(
            f"{len(problems)} problem(s) in the written specs; edit them before planning"
        )
