"""`scrub`: secrets never shown, and short ones only where they stand as a value of their own."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler import redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PIN 1234 invalid", "PIN *** invalid"),
        ("PIN1234", "PIN***"),
        ('{"existingPortOutPin": "1234"}', '{"existingPortOutPin": "***"}'),
        ("pin=1234.", "pin=***."),
        ("+13125551234", "+13125551234"),
        ("order 81234 and 12345", "order 81234 and 12345"),
        ("port on 2026-12-34 at 12:34", "port on 2026-12-34 at 12:34"),
    ],
)
def test_a_short_pin_is_replaced_only_where_it_stands_alone(text: str, expected: str) -> None:
    redact.register_secret("1234")
    assert redact.scrub(text) == expected


def test_letters_bound_short_alphabetic_values() -> None:
    redact.register_secret("abc")
    assert redact.scrub("abc, abcd, xabc, abc1") == "***, abcd, xabc, ***1"


def test_long_values_are_replaced_anywhere() -> None:
    redact.register_secret("ACCT-77889900")
    assert redact.scrub("x-ACCT-77889900-y ACCT-778899001") == "x-***-y ***1"


def test_longest_value_wins_and_nothing_is_left() -> None:
    redact.register_secret("9731")
    redact.register_secret("9731-SECRET-ACCOUNT")
    assert redact.scrub("a 9731-SECRET-ACCOUNT b 9731") == "a *** b ***"


def test_forget_all_drops_every_value() -> None:
    redact.register_secret("4821")
    redact.forget_all()
    assert redact.scrub("4821") == "4821"


def _stands_alone(value: str) -> re.Pattern[str]:
    """The module docstring's rule for a short value, written as it reads: what may not stand
    before it, the value, what may not stand after it."""
    before = after = ""
    if value[0].isdigit():
        before = r"(?<!\d)(?<!\d[-/.:])"
    elif value[0].isalpha():
        before = r"(?<![^\W\d_])"
    if value[-1].isdigit():
        after = r"(?!\d)(?![-/.:]\d)"
    elif value[-1].isalpha():
        after = r"(?![^\W\d_])"
    return re.compile(before + re.escape(value) + after)


_CHARS = st.sampled_from("0123456789-/.:aZé_ *")


@given(st.text(_CHARS, min_size=1, max_size=5), st.text(_CHARS, max_size=12), st.data())
def test_a_short_value_is_replaced_exactly_where_the_rule_says(
    value: str, text: str, data: st.DataObject
) -> None:
    """`scrub` looks behind from the end of the value, for speed; the places are the rule's."""
    at = data.draw(st.integers(0, len(text)))
    text = text[:at] + value + text[at:]  # the value occurs at least once
    redact.forget_all()
    redact.register_secret(value)
    assert redact.scrub(text) == _stands_alone(value).sub(redact.REDACTED, text)
