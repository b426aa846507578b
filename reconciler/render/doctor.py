"""`portctl doctor --api` output: one line per point the API's documents leave open, as text
for people or a JSON document (`formatVersion` 1) for scripts. Probes read no secret value
into a finding, so there is nothing to redact beyond the registry's last scrub."""

from __future__ import annotations

import json
from collections.abc import Sequence

from reconciler.doctor import Finding

FORMAT_VERSION = 1
DOCS = "docs/api-notes.md, 'What we assume about the Sinch API'"


def render_doctor_text(findings: Sequence[Finding]) -> str:
    """`paging=zero: page=0 answers ...  <- differs from what portctl assumes`, then a summary."""
    lines = []
    for finding in findings:
        found = finding.value if finding.value is not None else "?"
        mark = "" if finding.assumed else "  <- differs from what portctl assumes"
        lines.append(f"{finding.name}={found}: {finding.detail}{mark}")
    differs = [f.name for f in findings if not f.assumed]
    if differs:
        lines.append(
            f"{len(differs)} point(s) differ from what portctl assumes ({', '.join(differs)}); "
            f"see {DOCS}."
        )
    else:
        lines.append(f"Every probed point reads as portctl assumes; confirm the rest ({DOCS}).")
    return "\n".join(lines) + "\n"


def render_doctor_json(findings: Sequence[Finding]) -> str:
    """`{"formatVersion": 1, "findings": [{"name", "value", "assumed", "detail"}]}`."""
    document = {
        "formatVersion": FORMAT_VERSION,
        "findings": [
            {"name": f.name, "value": f.value, "assumed": f.assumed, "detail": f.detail}
            for f in findings
        ],
    }
    return json.dumps(document, indent=2) + "\n"
