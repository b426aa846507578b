"""`reconciler.dates`: the one reader of API dates, and the diff normalisation built on it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from reconciler.dates import calendar_date, parse_moment
from reconciler.essence import normalise_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-15", date(2026, 5, 15)),
        ("2026-05-15T00:00:00Z", datetime(2026, 5, 15, tzinfo=UTC)),
        ("2026-05-15T12:30:00.000Z", datetime(2026, 5, 15, 12, 30, tzinfo=UTC)),
        (
            "2026-05-15T23:00:00-05:00",
            datetime(2026, 5, 15, 23, tzinfo=timezone(timedelta(hours=-5))),
        ),
        ("", None),
        ("   ", None),
        ("soon", None),
        ("2026-02-30", None),
        (None, None),
        (20260515, None),
    ],
)
def test_parse_moment_reads_both_wire_forms_and_never_raises(
    text: object, expected: object
) -> None:
    assert parse_moment(text) == expected


def test_calendar_date_is_the_date_as_written_without_a_zone_shift() -> None:
    assert calendar_date("2026-05-15T23:00:00-05:00") == date(2026, 5, 15)
    assert calendar_date("2026-05-15") == date(2026, 5, 15)
    assert calendar_date("not a date") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-04-01T00:00:00Z", "2026-04-01"),
        ("2026-04-01T00:00:00.000Z", "2026-04-01"),
        ("2026-04-01T00:00+00:00", "2026-04-01"),
        ("2026-04-01T00:00:00", "2026-04-01"),
        ("2026-04-01", "2026-04-01"),
        ("2026-04-01T00:00:00-05:00", "2026-04-01T00:00:00-05:00"),
        ("2026-04-01T09:00:00Z", "2026-04-01T09:00:00Z"),
        ("garbage", "garbage"),
    ],
)
def test_only_midnight_utc_collapses_to_the_date_the_spec_wrote(text: str, expected: str) -> None:
    assert normalise_date(text) == expected
