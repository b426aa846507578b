"""`scrub`: secrets never shown, and short ones only where they stand as a value of their own."""

from __future__ import annotations

import pytest

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
