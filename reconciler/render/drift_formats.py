"""One entry point for drift renderings: `render_drift(report, fmt)`, scrubbed last.

Like the plan renderers, every rendering passes through `reconciler.redact.scrub`, so a
secret value that slipped into any string (a carrier note quoting a PIN, say) never reaches
the report.
"""

from __future__ import annotations

from reconciler.redact import scrub
from reconciler.render.drift_json import render_drift_json
from reconciler.render.drift_markdown import render_drift_markdown
from reconciler.render.drift_text import render_drift_text
from reconciler.render.html import render_drift_html
from reconciler.reporting.drift import DriftReport

DRIFT_FORMATS: tuple[str, ...] = ("text", "markdown", "json", "html")


def render_drift(report: DriftReport, fmt: str) -> str:
    """The report in `fmt` (`text`, `markdown`, `json` or `html`)."""
    if fmt == "text":
        out = render_drift_text(report)
    elif fmt == "markdown":
        out = render_drift_markdown(report)
    elif fmt == "json":
        out = render_drift_json(report)
    elif fmt == "html":
        out = render_drift_html(report)
    else:
        raise ValueError(f"unknown drift format {fmt!r}; choose one of {', '.join(DRIFT_FORMATS)}")
    return scrub(out)
