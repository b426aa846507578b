"""The output registry: every command's output, keyed by (document, format).

Each command hands its result to one `Output` (`APPLY.render(ApplyView(report, 0), "json")`) and
prints what comes back; it never formats anything itself. The formats an `Output` holds are
the `--format` choices of the command of the same name (`cli.common.format_option` reads them
from here, and a test walks the command tree to check it). Every rendering passes through
`reconciler.redact.scrub` here, last, so a secret value that slipped into any string (a carrier
note quoting a PIN) never reaches the output, whatever the format; and every renderer but JSON's
gets its document with control characters made visible (`reconciler.render.printable`), so no
value can start a line of its own.

Adding a format is one renderer function (in its own module if it is a new medium) and one
entry in the `Output` below; the command's `--format` picks it up. `Output` itself lives in
`reconciler.render.output`; validate's entry is beside its renderers in
`reconciler.render.validate`, and plan's (with show's) in `reconciler.render.plan`, so that
`portctl validate` and `portctl plan` import those only, not every renderer here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reconciler.apply.outcomes import ApplyReport
from reconciler.doctor import Finding
from reconciler.importing import ImportResult
from reconciler.render import apply_report, import_summary, status, watch_status
from reconciler.render.doctor import render_doctor_json, render_doctor_text
from reconciler.render.drift_json import render_drift_json
from reconciler.render.drift_markdown import render_drift_markdown
from reconciler.render.drift_text import render_drift_text
from reconciler.render.html import render_drift_html
from reconciler.render.output import Output
from reconciler.render.plan import PLAN, SHOW
from reconciler.render.validate import VALIDATE
from reconciler.reporting.drift import DriftReport
from reconciler.reporting.facts import OrderFacts


@dataclass(frozen=True)
class ApplyView:
    """The outcome of an apply and the exit code it ends with (the JSON document holds it)."""

    report: ApplyReport
    exit_code: int


@dataclass(frozen=True)
class StatusView:
    """Each spec's lifecycle facts as of `today` (the API's clock)."""

    facts: Sequence[OrderFacts]
    today: date


@dataclass(frozen=True)
class ImportView:
    """What an import wrote to `out_dir` and what it left out."""

    result: ImportResult
    out_dir: Path


APPLY: Output[ApplyView] = Output(
    "apply",
    {
        "text": lambda v: apply_report.render_text(v.report),
        "markdown": lambda v: apply_report.render_markdown(v.report),
        "json": lambda v: apply_report.render_json(v.report, exit_code=v.exit_code),
    },
)

DRIFT: Output[DriftReport] = Output(
    "drift",
    {
        "text": render_drift_text,
        "markdown": render_drift_markdown,
        "json": render_drift_json,
        "html": render_drift_html,
    },
)

STATUS: Output[StatusView] = Output(
    "status",
    {
        "text": lambda v: status.render_status_text(v.facts, today=v.today),
        "json": lambda v: status.render_status_json(v.facts, today=v.today),
    },
)

IMPORT: Output[ImportView] = Output(
    "import",
    {
        "text": lambda v: import_summary.render_import_text(v.result, v.out_dir),
        "json": lambda v: import_summary.render_import_json(v.result, v.out_dir),
    },
)

DOCTOR: Output[Sequence[Finding]] = Output(
    "doctor",
    {"text": render_doctor_text, "json": render_doctor_json},
)

WATCH: Output[Mapping[str, Any]] = Output(
    "watch",
    {
        "text": watch_status.render_watch_text,
        "json": watch_status.render_watch_json,
    },
)
"""`portctl watch --status`: the watcher's state (`reconciler.watch.store.Store.snapshot`)."""

REGISTRY: Mapping[str, Output[Any]] = {
    output.document: output
    for output in (PLAN, SHOW, APPLY, DRIFT, STATUS, VALIDATE, IMPORT, DOCTOR, WATCH)
}
"""Every output by document name, which is also the name of the command that prints it."""
