"""The strict YAML reader: positions, YAML 1.1 traps recorded, structural problems collected."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reconciler.spec.strict_yaml import (
    PlainScalar,
    SourceMap,
    _parse_events,
    _parse_fast,
    _Parser,
    parse_document,
)


def test_values_keep_their_positions_and_quoted_strings_stay_strings() -> None:
    parsed = parse_document('a:\n  b: "0123"\n  c: [x, {d: "+13125550141"}]\n')

    assert parsed.problems == []
    assert parsed.data == {"a": {"b": "0123", "c": ["x", {"d": "+13125550141"}]}}
    assert parsed.source.values[("a", "b")] == (2, 6)
    assert parsed.source.keys[("a", "c")] == (3, 3)
    assert parsed.source.values[("a", "c", 1, "d")] == (3, 14)
    assert parsed.source.plain == {}


def test_unquoted_typed_scalars_are_recorded_with_their_text() -> None:
    parsed = parse_document(
        "n: +13125550141\no: 0123\nb: NO\nt: 1:30\nd: 2026-05-15\nbad: 2026-13-01\n"
    )

    assert parsed.source.plain == {
        ("n",): PlainScalar("+13125550141", "int"),
        ("o",): PlainScalar("0123", "int"),
        ("b",): PlainScalar("NO", "bool"),
        ("t",): PlainScalar("1:30", "int"),
        ("d",): PlainScalar("2026-05-15", "timestamp"),
        ("bad",): PlainScalar("2026-13-01", "timestamp"),
    }
    assert parsed.data["o"] == 83
    assert parsed.data["bad"] == "2026-13-01"


def test_all_structural_problems_of_a_file_are_collected() -> None:
    text = "a: &x 1\nb: *x\na: 2\nc: !!str 3\n---\nd: 1\n"
    problems = [(p.line, p.col, p.path) for p in parse_document(text).problems]

    assert problems == [(1, 4, "a"), (2, 4, "b"), (3, 1, "a"), (4, 4, "c"), (5, 1, "")]


def test_duplicate_key_keeps_the_first_value() -> None:
    parsed = parse_document("a: 1\na: {b: 2}\n")
    assert parsed.data == {"a": 1}
    assert "first at line 1" in parsed.problems[0].message


def test_syntax_error_is_located() -> None:
    (problem,) = parse_document("a: [1, 2\nb: 3\n").problems
    assert (problem.line, problem.col) == (2, 2)


def test_syntax_errors_say_where_the_construct_started_and_hint_at_common_mistakes() -> None:
    (flow,) = parse_document("a: [1, 2\nb: 3\n").problems
    (tab,) = parse_document("a: [1]\n\tb: 2\n").problems
    (colon,) = parse_document("note: call back: 9am\n").problems

    assert flow.message == (
        "YAML syntax error: did not find expected ',' or ']' "
        "(while parsing a flow sequence that starts at line 1)"
    )
    assert (tab.line, tab.col) == (2, 1)
    assert tab.message.endswith("; YAML indents with spaces, not tabs")
    assert (colon.line, colon.col) == (1, 16)
    assert colon.message.endswith("; quote a value that contains ': '")


def test_yaml_1_1_value_and_merge_scalars_are_plain_text() -> None:
    parsed = parse_document("a: =\nb: <<\n")

    assert parsed.problems == []
    assert parsed.data == {"a": "=", "b": "<<"}
    assert parsed.source.plain == {}


def _positions(source: SourceMap) -> tuple[object, ...]:
    return (source.values, source.keys, source.plain)


SPEC_TEXTS = sorted(
    path
    for folder in ("tests/spec/corpus", "specs")
    for path in Path(folder).rglob("*.y*ml")
    if path.is_file()
)


@pytest.mark.parametrize("path", SPEC_TEXTS, ids=str)
def test_the_fast_path_builds_what_the_exact_path_builds(path: Path) -> None:
    """Issue 12: valid files take the fast path; it must give the same data, the same source
    map (values, keys, typed plain scalars) and no problems, or decline (return None)."""
    text = path.read_text(encoding="utf-8-sig")
    fast = _parse_fast(text)
    loader = _Parser(text)
    try:
        exact = _parse_events(loader)
    except yaml.YAMLError:
        assert fast is None
        return
    finally:
        loader.dispose()
    if fast is None:
        return
    assert exact.problems == []
    assert repr(fast.data) == repr(exact.data)
    assert _positions(fast.source) == _positions(exact.source)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "a: 1\na: 2\n",
        "a: !!str 3\n",
        "a: 1\n---\nb: 2\n",
        "? [a]\n: 1\n",
        "a: [1,\n",
        "",
    ],
)
def test_the_fast_path_declines_what_the_exact_path_reports(text: str) -> None:
    assert _parse_fast(text) is None
    assert parse_document(text).problems


def test_both_paths_record_typed_scalars_alike() -> None:
    text = "n: +13125550141\no: 0123\nb: NO\nt: 1:30\nd: 2026-05-15\nm: <<\ne: =\nz:\ns: 'yes'\n"
    fast = _parse_fast(text)
    loader = _Parser(text)
    exact = _parse_events(loader)
    loader.dispose()

    assert fast is not None
    assert repr(fast.data) == repr(exact.data)
    assert _positions(fast.source) == _positions(exact.source)


def test_the_fast_path_reads_deep_positions_again_only_when_asked() -> None:
    """Issue 12 point 4: a valid file keeps the positions of its top two levels (where an
    order's source is); the rest comes from a second, exact reading, when an issue needs it."""
    text = "metadata:\n  name: a\nspec:\n  phoneNumbers:\n    - '+13125550141'\n"
    fast = _parse_fast(text)

    assert fast is not None
    assert fast.source.value_position(("metadata", "name")) == (2, 9)
    assert fast.source.value_position(("spec", "phoneNumbers", 0)) == (5, 7)
    assert fast.source.key_position(("spec", "phoneNumbers")) == (4, 3)
