"""Drift renderers on constructed reports: size cap, text layout, verdict wording."""

from __future__ import annotations

from datetime import date

from reconciler.diff import FieldChange
from reconciler.plan import Kind, PlanItem, Risk
from reconciler.render.drift_formats import render_drift
from reconciler.render.drift_markdown import render_drift_markdown
from reconciler.reporting import DriftReport
from reconciler.reporting.lifecycle import OrderFacts

TODAY = date(2026, 11, 26)


def _update(index: int) -> PlanItem:
    changes = tuple(
        FieldChange(
            path=("phoneNumbers", f"+1312555{index:04d}", "endUser", "city"),
            op="change",
            old="Chicago" * 5,
            new=f"Springfield {n}" * 5,
        )
        for n in range(20)
    )
    return PlanItem(
        kind=Kind.UPDATE,
        risk=Risk.SAFE,
        name=f"order-{index:03d}",
        reason_code="fields_differ",
        reason="20 fields differ; the full order is sent (PUT)",
        order_id=1000 + index,
        status="PENDING",
        changes=changes,
    )


def _report(count: int) -> DriftReport:
    return DriftReport(
        today=TODAY,
        actionable=tuple(_update(i) for i in range(count)),
        blocked=(),
        orphans=(),
        archivable=(),
        lifecycle=tuple(
            OrderFacts(f"order-{i:03d}", f"order-{i:03d}", 1000 + i, "PENDING", "scheduled")
            for i in range(count)
        ),
        specs=count,
    )


def test_markdown_stays_under_the_cap_and_says_where_the_rest_is() -> None:
    text = render_drift_markdown(_report(200), max_chars=60_000)
    assert len(text) <= 60_000
    assert "**Truncated:**" in text
    assert "portctl drift --format html" in text
    assert text.startswith("<!-- portctl:drift -->\n### portctl drift: 200 actionable\n")


def test_small_report_is_not_truncated_and_lists_field_changes() -> None:
    text = render_drift_markdown(_report(2))
    assert "Truncated" not in text
    assert text.count("<details>") == 2


def test_text_rendering_aligns_columns_and_names_empty_sections() -> None:
    text = render_drift(_report(1), "text")
    lines = text.splitlines()
    assert lines[0] == "Drift on 2026-11-26: 1 actionable"
    assert "  Nothing is blocked." in lines
    header = next(line for line in lines if line.startswith("  spec ") and "detail" in line)
    rule, row = lines[lines.index(header) + 1], lines[lines.index(header) + 2]
    assert set(rule.strip()) == {"-", " "}
    assert header.index("detail") == row.index("phoneNumbers[+13125550000]")


def test_in_sync_wording() -> None:
    empty = DriftReport(TODAY, (), (), (), (), ())
    assert empty.verdict == "in-sync"
    assert "In sync: live orders match the specs" in render_drift(empty, "html")
    assert render_drift(empty, "text").startswith("Drift on 2026-11-26: In sync")
