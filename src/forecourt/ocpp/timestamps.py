"""OCPP date-time handling: strict on output, forgiving on input.

Output is UTC with at most millisecond precision and a 'Z' suffix: OCPP 2.0.1 limits
fractions to milliseconds and several 1.6 firmwares fail to parse microseconds.
Input accepts what real stations send (offsets, 'z', any fraction length, no zone at all).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_TIMESTAMP = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})[Tt ]"
    r"(?P<hour>\d{2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?"
    r"(?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)?",
    re.ASCII,
)


def format_timestamp(dt: datetime) -> str:
    """Render `dt` as UTC, truncated to milliseconds, with a 'Z' suffix.

    A naive datetime is taken to be UTC already.
    """
    utc = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    # Not strftime: its %Y does not zero-pad years below 1000 on every platform.
    text = (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}"
        f"T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}"
    )
    millis = utc.microsecond // 1000
    if millis:
        text += f".{millis:03d}"
    return text + "Z"


def parse_timestamp(text: str) -> datetime:
    """Parse an OCPP date-time into an aware UTC datetime; raises ValueError if invalid.

    Accepts 'Z'/'z', '+hh:mm', '+hhmm' and '+hh' offsets, fractional seconds of any
    length (truncated to microseconds) and a missing zone (taken as UTC).
    """
    match = _TIMESTAMP.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"not an OCPP date-time: {text!r:.64}")
    parts = match.groupdict()
    second = int(parts["second"] or 0)
    fraction = (parts["fraction"] or "")[:6].ljust(6, "0")
    microsecond = int(fraction)
    if second == 60:  # leap second: clamp rather than reject a station's reading
        second, microsecond = 59, 999_999
    try:
        parsed = datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"]),
            int(parts["minute"]),
            second,
            microsecond,
            tzinfo=_zone(parts["zone"]),
        )
        return parsed.astimezone(UTC)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00:00+01:00
        raise ValueError(f"date-time out of range: {text!r:.64}") from exc


def _zone(zone: str | None) -> timezone:
    if zone is None or zone in ("Z", "z"):
        return UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"invalid UTC offset: {zone!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def is_timestamp(value: object) -> bool:
    """True when `value` is a string `parse_timestamp` accepts (schema 'date-time' check)."""
    if not isinstance(value, str):
        return True  # type errors are reported by the 'type' keyword, not the format
    try:
        parse_timestamp(value)
    except ValueError:
        return False
    return True
