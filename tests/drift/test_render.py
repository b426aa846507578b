"""Drift renderers on constructed reports: size cap, text layout, verdict wording."""

from __future__ import annotations

import re
from datetime import date

from reconciler.diff import FieldChange
from reconciler.planning import Kind, PlanItem, Reason
from reconciler.render.drift_markdown import render_drift_markdown
from reconciler.render.drift_timeline import MAX_TICKS, OTHER_COLOR, render_timeline
from reconciler.render.registry import DRIFT
from reconciler.reporting import DriftReport
from reconciler.reporting.facts import OrderFacts

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
        name=f"order-{index:03d}",
        reason_code=Reason.FIELDS_DIFFER,
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
    text = DRIFT.render(_report(1), "text")
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
    assert "In sync: live orders match the specs" in DRIFT.render(empty, "html")
    assert DRIFT.render(empty, "text").startswith("Drift on 2026-11-26: In sync")


def _dated(name: str, status: str, port: str, *focs: str) -> OrderFacts:
    return OrderFacts(name, name, 1, status, "scheduled", foc_dates=focs, port_date=port)


def test_timeline_has_a_date_axis_and_keeps_labels_apart() -> None:
    rows = [
        _dated("a" * 60, "PENDING", "2026-12-02"),
        _dated("b", "ON_HOLD", "2027-02-20", "2027-02-01"),
    ]
    svg = render_timeline(rows, TODAY)
    ticks = re.findall(r'<line class="grid"', svg)
    assert 2 <= len(ticks) <= MAX_TICKS  # ~3 months: ticks every few weeks, not every day
    assert ">Nov 25</text>" in svg
    assert ">today Nov 26</text>" in svg
    height = int(re.search(r'width="100%" height="(\d+)"', svg).group(1))  # type: ignore[union-attr]
    today_y = float(re.search(r'y="([\d.]+)"[^>]*>today', svg).group(1))  # type: ignore[union-attr]
    tick_ys = {
        float(y) for y in re.findall(r'y="([\d.]+)" font-size="11"[^>]*>[A-Z][a-z]{2} ', svg)
    }
    assert today_y > height - 10
    assert len(tick_ys) == 1
    assert max(tick_ys) < 20
    assert ">" + "a" * 33 + "… · PENDING</text>" in svg  # shortened; the tables show it whole
    assert "<title>" + "a" * 60 + "</title>" in svg  # and so does the hover title
    assert f'stroke="{OTHER_COLOR}"' in svg  # an unknown status is drawn in the "look" colour


def test_timeline_without_dates_says_so() -> None:
    undated = OrderFacts("x", "x", 1, "PENDING", "scheduled")
    assert "No port or FOC dates" in render_timeline([undated], TODAY)


def test_html_cells_keep_dates_on_one_line_on_wide_screens() -> None:
    report = DriftReport(TODAY, (), (), (), (), (_dated("a", "CONFIRMED", "2026-12-02"),))
    page = DRIFT.render(report, "html")
    assert '<td data-label="port date" class="short">2026-12-02</td>' in page
    assert 'class="short status" style="color:' in page
    assert "td.short { white-space: nowrap; }" in page
