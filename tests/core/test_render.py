"""Renderers: colour rules, markup safety, the PR-comment size limit, the JSON contract."""

from __future__ import annotations

import io
import json

import pytest

from reconciler import redact
from reconciler.cli.common import plan_exit_code, use_color
from reconciler.desired import DesiredState
from reconciler.live import LiveSnapshot
from reconciler.planning import Plan, build_plan
from reconciler.render.markdown import render_markdown
from tests.core.builders import PIN, TODAY, desired, live_order, number, render, summary


def _creates(count: int, city: str = "Anytown") -> Plan:
    orders = tuple(
        desired(f"order-{i:04d}", [number(f"+1312555{i:04d}", city=city)]) for i in range(count)
    )
    return build_plan(DesiredState(orders=orders), LiveSnapshot(), today=TODAY)


def _update(city: str) -> Plan:
    spec = desired("acme", [number("+13125550141", city=city)])
    live = live_order(1, desired("acme", [number("+13125550141")]).body)
    snapshot = LiveSnapshot(managed={spec.reference: (summary(live),)}, details={1: live})
    return build_plan(DesiredState(orders=(spec,)), snapshot, today=TODAY)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_tty_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(_Tty())
    assert not use_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(_Tty())


def test_text_colour_is_ansi_only_when_asked() -> None:
    plan = _creates(1)
    assert "\x1b[" in render(plan, "text", color=True)
    assert "\x1b[" not in render(plan, "text", color=False)


def test_values_that_look_like_markup_print_verbatim() -> None:
    text = render(_update("[bold red]Springfield[/]"), "text", color=True)
    assert "[bold red]Springfield[/]" in text


def test_markdown_stays_under_the_limit_and_says_where_the_rest_is() -> None:
    plan = _creates(400)
    full = render_markdown(plan, max_chars=10**9)
    assert len(full) > 60_000
    cut = render(plan, "markdown")
    assert len(cut) <= 60_000
    assert "**Truncated:**" in cut
    assert cut.startswith("<!-- portctl:plan -->\n### portctl plan: 400 to create")
    assert "| create | 400 | safe | 400 |" in cut


def test_markdown_escapes_table_cells() -> None:
    md = render(_update("A|B <script>"), "markdown")
    assert "A&#124;B &lt;script&gt;" in md


def test_json_has_a_format_version_and_the_checksum() -> None:
    plan = _creates(2)
    document = json.loads(render(plan, "json", api_calls=5))
    assert document["formatVersion"] == 1
    assert document["checksum"] == plan.checksum()
    assert document["apiCalls"] == 5
    assert document["summary"]["counts"] == {"create": 2}


def test_registered_secrets_are_scrubbed_from_every_format() -> None:
    plan = _update(PIN)  # a secret value in a non-secret field: scrub still catches it
    redact.register_secret(PIN)
    for fmt in ("text", "markdown", "json"):
        assert PIN not in render(plan, fmt)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown plan format"):
        render(_creates(1), "html")


def test_exit_codes() -> None:
    assert plan_exit_code(_creates(1), detailed=False) == 0
    assert plan_exit_code(_creates(1), detailed=True) == 2
    empty = build_plan(DesiredState(orders=()), LiveSnapshot(), today=TODAY)
    assert plan_exit_code(empty, detailed=True) == 0


def test_numbers_added_alike_fold_into_one_row_and_json_keeps_each() -> None:
    numbers = [f"+1312555{i:04d}" for i in range(101, 125)]
    odd = "+13125550199"
    spec = desired("big", [*(number(n) for n in numbers), number(odd, city="Springfield")])
    plan = build_plan(DesiredState(orders=(spec,)), LiveSnapshot(), today=TODAY)
    text = render(plan, "text")
    assert text.count("24 numbers added, each: Acme Corp, 123 Main St, Anytown") == 1
    assert all(text.count(n) == 1 for n in numbers)
    assert f"+ phoneNumbers[{odd}]: number added: Acme Corp, 123 Main St, Springfield" in text
    md = render(plan, "markdown")
    assert md.count("24 numbers added, each:") == 1
    assert ", ".join(numbers) in md
    changes = json.loads(render(plan, "json"))["items"][0]["changes"]
    added = [c["path"] for c in changes if c["path"].startswith("phoneNumbers[")]
    assert added == sorted(f"phoneNumbers[{n}]" for n in [*numbers, odd])


def test_markdown_names_the_risk_only_when_the_kind_does_not() -> None:
    spec = desired("acme", [number("+13125550141")])
    live = live_order(1, spec.body, status="CONFIRMED")
    snapshot = LiveSnapshot(managed={spec.reference: (summary(live),)}, details={1: live})
    locked = desired("acme", [number("+13125550141", city="Springfield")])
    md = render(build_plan(DesiredState(orders=(locked,)), snapshot, today=TODAY), "markdown")
    assert "- **blocked** `acme #1 CONFIRMED`: order is CONFIRMED; changes are locked" in md
    assert "(blocked)" not in md


def test_the_same_edit_on_many_numbers_folds_and_a_different_one_stays_apart() -> None:
    numbers = [f"+1312555{i:04d}" for i in range(101, 111)]
    before = desired("acme", [number(n) for n in numbers])
    live = live_order(1, before.body)
    edited = [number(n, city="Evanston") for n in numbers[:-1]]
    after = desired("acme", [*edited, number(numbers[-1], city="Skokie")])
    snapshot = LiveSnapshot(managed={after.reference: (summary(live),)}, details={1: live})
    plan = build_plan(DesiredState(orders=(after,)), snapshot, today=TODAY)
    text = render(plan, "text")
    assert "~ phoneNumbers[*].endUser.city: 9 numbers: Anytown -> Evanston" in text
    assert f"~ phoneNumbers[{numbers[-1]}].endUser.city: Anytown -> Skokie" in text
    assert " ".join(numbers[:8]) in text, "every folded number is listed"
    assert len(json.loads(render(plan, "json"))["items"][0]["changes"]) == 10


def test_markdown_cap_holds_when_the_attention_list_alone_is_too_long() -> None:
    specs, lives = [], []
    for i in range(1000):
        spec = desired(f"old-{i:04d}", [number(f"+1312556{i:04d}")], state="canceled")
        specs.append(spec)
        lives.append(live_order(5000 + i, spec.body))
    snapshot = LiveSnapshot(
        managed={o["customerOrderReference"]: (summary(o),) for o in lives},
        details={int(o["id"]): o for o in lives},
    )
    plan = build_plan(DesiredState(orders=tuple(specs)), snapshot, today=TODAY)
    assert plan.counts() == {"cancel": 1000}
    md = render(plan, "markdown")
    assert len(md) <= 60_000
    assert "**Truncated:** the rest of the summary and 1000 items not shown" in md
    assert "| cancel | 1000 | irreversible | 1000 |" in md, "the counts table comes first"
