"""`portctl import` output: which spec files were written, kept or skipped, and which
`${VARIABLE}`s to set, as text for people or a JSON document (`formatVersion` 1) for scripts.

Secret values are never part of it: the import result holds variable names and the fields
they stand for, not the values the live orders hold.
"""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.importing import ImportResult

FORMAT_VERSION = 1


def import_document(result: ImportResult, out_dir: Path) -> dict[str, object]:
    """The JSON document of an import."""
    return {
        "formatVersion": FORMAT_VERSION,
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
        "suggestions": list(result.suggestions),
    }


def render_import_json(result: ImportResult, out_dir: Path) -> str:
    """`import_document` as indented JSON text."""
    return json.dumps(import_document(result, out_dir), indent=2) + "\n"


def render_import_text(result: ImportResult, out_dir: Path) -> str:
    """What was written, kept and skipped (with a hint each), warnings, variables to set."""
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
    if result.suggestions:
        lines += ["", *(f"Hint: {hint}" for hint in result.suggestions)]
    if result.variables:
        lines += [
            "",
            "Set these variables (environment or --env-file) to the values the orders hold now;",
            "import never writes secret values anywhere:",
            *(f"  {v.describe()}" for v in result.variables),
        ]
    return "\n".join(lines) + "\n"
