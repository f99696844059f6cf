"""OCPP timestamps: UTC, ≤ millisecond precision and 'Z' out; forgiving in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecourt.ocpp.timestamps import format_timestamp, is_timestamp, parse_timestamp

CEST = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2024, 5, 6, 12, 0, 0, tzinfo=UTC), "2024-05-06T12:00:00Z"),
        (datetime(2024, 5, 6, 12, 0, 0, 123999, tzinfo=UTC), "2024-05-06T12:00:00.123Z"),
        (datetime(2024, 5, 6, 12, 0, 0, 999, tzinfo=UTC), "2024-05-06T12:00:00Z"),
        (datetime(2024, 5, 6, 14, 30, 0, 50000, tzinfo=CEST), "2024-05-06T12:30:00.050Z"),
        (datetime(2024, 5, 6, 12, 0, 0), "2024-05-06T12:00:00Z"),  # naive is taken as UTC
    ],
)
def test_format(moment: datetime, text: str) -> None:
    assert format_timestamp(moment) == text


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2024-05-06T12:00:00Z", datetime(2024, 5, 6, 12, tzinfo=UTC)),
        ("2024-05-06t12:00:00z", datetime(2024, 5, 6, 12, tzinfo=UTC)),
        ("2024-05-06T12:00:00", datetime(2024, 5, 6, 12, tzinfo=UTC)),
        ("2024-05-06 12:00:00Z", datetime(2024, 5, 6, 12, tzinfo=UTC)),
        ("2024-05-06T12:00Z", datetime(2024, 5, 6, 12, tzinfo=UTC)),
        ("2024-05-06T14:00:00+02:00", datetime(2024, 5, 6, 12, tzinfo=UTC)),
        ("2024-05-06T14:00:00+0200", datetime(2024, 5, 6, 12, tzinfo=UTC)),
        ("2024-05-06T14:00:00+02", datetime(2024, 5, 6, 12, tzinfo=UTC)),
        ("2024-05-06T08:30:00-03:30", datetime(2024, 5, 6, 12, tzinfo=UTC)),
        ("2024-05-06T12:00:00.5Z", datetime(2024, 5, 6, 12, 0, 0, 500000, tzinfo=UTC)),
        ("2024-05-06T12:00:00,25Z", datetime(2024, 5, 6, 12, 0, 0, 250000, tzinfo=UTC)),
        (
            "2024-05-06T12:00:00.123456789Z",
            datetime(2024, 5, 6, 12, 0, 0, 123456, tzinfo=UTC),
        ),
        ("2016-12-31T23:59:60Z", datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ],
)
def test_parse_accepts_what_stations_send(text: str, moment: datetime) -> None:
    parsed = parse_timestamp(text)
    assert parsed == moment
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "2024-05-06",
        "2024-13-01T00:00:00Z",
        "2024-02-30T00:00:00Z",
        "2024-05-06T25:00:00Z",
        "2024-05-06T12:00:00+25:00",
        "2024-05-06T12:00:00Zjunk",
        "0001-01-01T00:00:00+01:00",
        "２０２４-05-06T12:00:00Z",  # non-ASCII digits
    ],
)
def test_parse_rejects_with_value_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"date-time|offset|day is out of range|must be in"):
        parse_timestamp(text)
    assert not is_timestamp(text)


def test_is_timestamp_leaves_type_errors_to_the_type_keyword() -> None:
    assert is_timestamp(12)
    assert is_timestamp("2024-05-06T12:00:00Z")


@given(
    moment=st.datetimes(
        min_value=datetime(2, 1, 1),
        max_value=datetime(9998, 12, 31),
        timezones=st.builds(
            timezone,
            st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
                lambda minutes: timedelta(minutes=minutes)
            ),
        ),
    )
)
def test_format_then_parse_keeps_the_instant_to_the_millisecond(moment: datetime) -> None:
    text = format_timestamp(moment)
    assert text.endswith("Z")
    expected = moment.astimezone(UTC)
    expected = expected.replace(microsecond=expected.microsecond // 1000 * 1000)
    assert parse_timestamp(text) == expected
