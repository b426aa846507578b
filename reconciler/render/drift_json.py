"""Drift report as JSON for machines (`formatVersion` 1; stable key order, no timestamps)."""

from __future__ import annotations

import json

from reconciler.reporting.drift import DriftReport


def render_drift_json(report: DriftReport) -> str:
    """The report document (see `DriftReport.to_dict`) as indented JSON text."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
