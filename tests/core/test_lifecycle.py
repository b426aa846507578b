"""The lifecycle vocabulary: parsing, predicates, the current order, and the one-module rule."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import reconciler
from reconciler.emulator.routes import ORDER_STATUSES
from reconciler.lifecycle import (
    NumberStatus,
    OrderStatus,
    current_order,
    is_building,
    is_canceled_or_canceling,
    is_canceling,
    is_changeable,
    is_known,
    is_locked,
    is_number_activated,
    is_number_dropped,
    is_number_settled,
    is_open,
    is_terminal,
    number_status,
    order_status,
    ported,
)

PACKAGE = Path(reconciler.__file__).parent
LIFECYCLE = PACKAGE / "lifecycle.py"
STATUS_NAMES = sorted({*OrderStatus, *NumberStatus}, key=len, reverse=True)
STATUS_WORD = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(STATUS_NAMES) + r")(?![A-Za-z0-9_])")
HAND_UPPER = re.compile(r"status\b.*\.upper\(\)")


def test_parsing_is_case_insensitive_and_keeps_unknown_values() -> None:
    assert order_status(" pending ") is OrderStatus.PENDING
    assert number_status("Activated") is NumberStatus.ACTIVATED
    assert order_status("On_Hold") == "ON_HOLD"
    assert not isinstance(order_status("On_Hold"), OrderStatus)
    assert order_status(None) == "UNKNOWN"
    assert order_status("") == "UNKNOWN"


@pytest.mark.parametrize("member", [*OrderStatus, *NumberStatus], ids=str)
def test_a_status_parses_the_same_whichever_way_it_is_spelled_or_already_parsed(
    member: OrderStatus | NumberStatus,
) -> None:
    # Exact spellings and parsed members take a shortcut (issue 12); it must agree with the
    # general parse of the same status in any case, padded, or as the other enum's member.
    for parse, enum in ((order_status, OrderStatus), (number_status, NumberStatus)):
        spellings = [member, str(member), member.lower(), f" {member.title()} "]
        results = {repr(parse(spelling)) for spelling in spellings}
        assert len(results) == 1, (member, results)
        known = member.value in enum.__members__
        assert isinstance(parse(member), enum) is known
        assert parse(member) == member.value


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        # status: known, building, changeable, locked, canceling, terminal, canceled-ish, open
        ("ORDER_BUILDING", (True, True, False, False, False, False, False, True)),
        ("pending", (True, False, True, False, False, False, False, True)),
        ("CONFIRMED", (True, False, False, True, False, False, False, True)),
        ("completed", (True, False, False, False, False, True, False, False)),
        ("PENDING_CANCELATION", (True, False, False, False, True, False, True, False)),
        ("Canceled", (True, False, False, False, False, True, True, False)),
        ("SOMETHING_NEW", (False, False, False, False, False, False, False, True)),
        (None, (False, False, False, False, False, False, False, True)),
    ],
)
def test_order_predicates(status: str | None, expected: tuple[bool, ...]) -> None:
    predicates = (
        is_known,
        is_building,
        is_changeable,
        is_locked,
        is_canceling,
        is_terminal,
        is_canceled_or_canceling,
        is_open,
    )
    assert tuple(p(status) for p in predicates) == expected


@pytest.mark.parametrize(
    ("status", "activated", "dropped", "settled"),
    [
        ("PENDING", False, False, False),
        ("Activated", True, False, True),
        ("EXCLUDED", False, True, False),
        ("canceled", False, True, True),
        ("REJECTED", False, False, False),
        (None, False, False, False),
    ],
)
def test_number_predicates(
    status: str | None, activated: bool, dropped: bool, settled: bool
) -> None:
    assert is_number_activated(status) is activated
    assert is_number_dropped(status) is dropped
    assert is_number_settled(status) is settled


@dataclass(frozen=True)
class Row:
    id: int
    status: str
    created_date: str = ""


def test_current_order_prefers_open_then_canceling_then_newest() -> None:
    done = Row(1, "COMPLETED", "2026-01-01")
    later = Row(2, "CANCELED", "2026-02-01")
    ending = Row(3, "PENDING_CANCELATION", "2026-01-15")
    odd = Row(4, "ON_HOLD", "2025-12-01")
    assert current_order([done, later]) == (later,)
    assert current_order([done, later, ending]) == (ending,)
    assert current_order([done, odd, ending]) == (odd,)
    assert current_order([Row(9, "PENDING"), Row(8, "CONFIRMED")]) == (
        Row(8, "CONFIRMED"),
        Row(9, "PENDING"),
    )
    assert current_order([]) == ()


def test_ported_needs_a_newest_completed_order_and_no_cancelation() -> None:
    assert ported([Row(1, "CANCELED", "2026-01-01"), Row(2, "COMPLETED", "2026-02-01")])
    assert not ported([Row(1, "COMPLETED", "2026-02-01"), Row(2, "CANCELED", "2026-03-01")])
    assert not ported([Row(1, "COMPLETED"), Row(2, "PENDING_CANCELATION")])
    assert not ported([])


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """Every string constant of a module that is code, not a docstring or a bare string."""
    tree = ast.parse(path.read_text("utf-8"))
    prose = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose
    ]


def _product_modules() -> list[Path]:
    return [
        p
        for p in sorted(PACKAGE.rglob("*.py"))
        if p != LIFECYCLE and "emulator" not in p.relative_to(PACKAGE).parts
    ]


def test_status_names_are_spelled_only_in_the_lifecycle_module() -> None:
    """Comparisons, sets and messages use `reconciler.lifecycle` (docstrings may explain); the
    emulator, a stand-in for the API, keeps its own copy on purpose."""
    assert _code_strings(LIFECYCLE), "the scan must see the enum values where they are defined"
    assert any(STATUS_WORD.search(text) for _, text in _code_strings(LIFECYCLE))
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {text!r}"
        for path in _product_modules()
        for line, text in _code_strings(path)
        if STATUS_WORD.search(text)
    ]
    assert found == []


def test_statuses_are_not_upper_cased_by_hand() -> None:
    """`order_status`/`number_status` parse a status; a hand-made `.upper()` drifts from them."""
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}"
        for path in _product_modules()
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if HAND_UPPER.search(line)
    ]
    assert found == []


def test_the_emulator_copy_of_the_order_statuses_matches() -> None:
    """The emulator spells statuses itself (it stands in for the API); it knows every status
    but ORDER_BUILDING, which it never produces (orders are built at once)."""
    assert set(OrderStatus) - set(ORDER_STATUSES) == {OrderStatus.ORDER_BUILDING}
    assert set(ORDER_STATUSES) <= set(OrderStatus)
