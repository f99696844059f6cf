"""Checks on the quarterly export before any file leaves Forecourt.

The per-session file follows the EV Charging Use Data Specification v1.0 (Atlas Public Policy,
``AtlasPublicPolicy/charging-use-spec``: the session fields EV-ChART's session module takes),
whose validation reference sorts findings into **errors** (the aggregator rejects the record)
and **warnings** (a person should look). Errors refuse the export with a message naming the
file, row, field and value; warnings travel with the JSON export.

Formats are EV-ChART's own, as its validator checks every upload (the Joint Office's
open-source EV-ChART, ``US-JOET/ev-chart-open-source``, ``module_validation``): a date-time is
ISO 8601 ``YYYY-MM-DDThh:mm:ss[.f…][Z]`` (read as UTC; no other offset), a boolean ``TRUE`` or
``FALSE`` (case ignored).

One deliberate difference: the specification flags a zero-energy session as an error for the
aggregator, but 23 CFR 680.112(a) asks for unsuccessful sessions with their error codes, and a
zero-energy session is the typical one. We keep them and report each as a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SPEC = (
    "EV Charging Use Data Specification v1.0 (validation reference) and EV-ChART's "
    "date-time and boolean formats"
)
#: EV-ChART's date-time pattern (module_validation._datetime_is_valid, commit 466d386).
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?$")
DATETIME_FORMAT = "YYYY-MM-DDThh:mm:ssZ, UTC"

#: ``payment_type`` values the specification accepts.
PAYMENT_TYPES = frozenset(
    {
        "cash",
        "credit_card_terminal",
        "membership",
        "application",
        "phone",
        "plug-charge",
        "roaming",
        "other",
    }
)

#: Fields that must have a value in every session record (the rest may be empty: fees when
#: the charger is free, plug-out time when unknown, SoC when the car does not say).
REQUIRED_SESSION = (
    "session_id",
    "port_id",
    "plug_start_datetime",
    "charge_start_datetime",
    "session_duration",
    "charging_duration",
    "energy_kwh",
    "peak_kw",
    "successful_completion",
    "payment_type",
)

SHORT_S = 60  # warning: shorter sessions (the reference's recommended one minute)
LONG_SESSION_S = 2_880 * 60
LONG_CHARGING_S = 1_440 * 60
LOW_KWH = 0.5
HIGH_KWH = 250.0


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    row: int  # 1-based data row (the header is row 0)
    field: str
    value: Any
    message: str
    error: bool = True

    def __str__(self) -> str:
        return f"{self.file} row {self.row} {self.field}={self.value!r}: {self.message}"


def check_sessions(
    rows: Sequence[Mapping[str, Any]], windows: Sequence[tuple[datetime, datetime]]
) -> list[Problem]:
    """``evchart_sessions.csv`` against the specification's field types and validations;
    ``windows[i]``: the reporting period of row i (the quarter in its site's time zone)."""
    file = "evchart_sessions.csv"
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, (row, window) in enumerate(zip(rows, windows, strict=True), start=1):
        found = [
            *_required(row), *_times(row, window), *_durations(row), *_numbers(row),
            *_choices(row),
        ]  # fmt: skip
        if _reversed(row):  # the end before the start is the error; no duration follows
            found = [(f, m) for f, m in found if f not in _DURATIONS]
        session_id = str(row.get("session_id") or "")
        if session_id in seen:
            found.append(("session_id", f"duplicates row {seen[session_id]}"))
        seen.setdefault(session_id, number)
        problems += [Problem(file, number, f, row.get(f), m) for f, m in found]
        problems += _warnings(file, number, row)
    return problems


Found = list[tuple[str, str]]  # (field, message)


def _required(row: Mapping[str, Any]) -> Found:
    return [(name, "required, but empty") for name in REQUIRED_SESSION if _empty(row.get(name))]


def _times(row: Mapping[str, Any], window: tuple[datetime, datetime]) -> Found:
    found: Found = []
    times = {name: _time(row.get(name)) for name in _TIMES}
    found += [
        (name, f"not an EV-ChART date-time ({DATETIME_FORMAT})")
        for name, value in times.items()
        if value is None and not _empty(row.get(name))
    ]
    for start, end in _PAIRS:
        began, ended = times[start], times[end]
        if began is not None and ended is not None and ended < began:
            found.append(
                (end, f"before {start} ({row.get(start)}): the session ends before it "
                      "starts — the station's clock jumped back (clock skew); no duration "
                      "can be exported for it")
            )  # fmt: skip
    for name in ("plug_start_datetime", "charge_start_datetime"):
        at = times[name]
        if at is not None and not window[0] <= at < window[1]:
            found.append((name, "outside the reporting period"))
    return found


_PAIRS = (
    ("plug_start_datetime", "plug_end_datetime"),
    ("charge_start_datetime", "charge_end_datetime"),
)
_DURATIONS = ("session_duration", "charging_duration")


def _reversed(row: Mapping[str, Any]) -> bool:
    """Whether an end comes before its start in the row."""
    for start, end in _PAIRS:
        began, ended = _time(row.get(start)), _time(row.get(end))
        if began is not None and ended is not None and ended < began:
            return True
    return False


def _durations(row: Mapping[str, Any]) -> Found:
    return [
        (name, "not a duration HH:MM:SS")
        for name in _DURATIONS
        if not _empty(row.get(name)) and _seconds(row.get(name)) is None
    ]


_AMOUNTS = ("energy_kwh", "peak_kw", "total_fee_charged", "energy_fee", "session_fee", "time_fee")


def _numbers(row: Mapping[str, Any]) -> Found:
    found: Found = [
        (name, "must be a number ≥ 0")
        for name in _AMOUNTS
        if not _empty(row.get(name)) and not (_number(row.get(name)) and row[name] >= 0)
    ]
    found += [
        (name, "must be between 0 and 1")
        for name in ("start_soc", "end_soc")
        if not _empty(row.get(name)) and not (_number(row.get(name)) and 0 <= row[name] <= 1)
    ]
    return found


def _choices(row: Mapping[str, Any]) -> Found:
    found: Found = []
    payment = row.get("payment_type")
    if not _empty(payment) and payment not in PAYMENT_TYPES:
        found.append(("payment_type", f"not one of {', '.join(sorted(PAYMENT_TYPES))}"))
    if not isinstance(row.get("successful_completion"), bool):
        found.append(("successful_completion", "must be TRUE or FALSE"))
    return found


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _warnings(file: str, number: int, row: Mapping[str, Any]) -> list[Problem]:
    session = _seconds(row.get("session_duration"))
    charging = _seconds(row.get("charging_duration"))
    energy = row.get("energy_kwh")
    found: Found = []
    if session == 0:
        found.append(("session_duration", "zero-length session (kept: a failed start, 680.112(a))"))
    elif session is not None and session < SHORT_S:
        found.append(("session_duration", "shorter than one minute"))
    if session is not None and session > LONG_SESSION_S:
        found.append(("session_duration", "longer than two days"))
    if charging is not None and charging > LONG_CHARGING_S:
        found.append(("charging_duration", "longer than one day"))
    if session is not None and charging is not None and charging > session:
        found.append(("charging_duration", "longer than the session"))
    if isinstance(energy, int | float) and not isinstance(energy, bool):
        found += _energy_warnings(float(energy))
    return [Problem(file, number, f, row.get(f), m, error=False) for f, m in found]


def _energy_warnings(energy: float) -> Found:
    if energy < 0:
        return []  # an error already
    if energy == 0:
        return [("energy_kwh", "zero-energy session (kept: an unsuccessful session, 680.112(a))")]
    if energy < LOW_KWH:
        return [("energy_kwh", "below 0.5 kWh")]
    if energy > HIGH_KWH:
        return [("energy_kwh", "above 250 kWh")]
    return []


def check_uptime(rows: Iterable[Mapping[str, Any]]) -> list[Problem]:
    """``uptime.csv``: μ within 0..100, excluded time never above outage time."""
    problems = []
    for number, row in enumerate(rows, start=1):
        if not 0 <= float(row["uptime_pct"]) <= 100:
            problems.append(
                Problem("uptime.csv", number, "uptime_pct", row["uptime_pct"], "outside 0..100")
            )
        if float(row["t_excluded_min"]) > float(row["t_outage_min"]):
            problems.append(
                Problem("uptime.csv", number, "t_excluded_min", row["t_excluded_min"],
                        f"above t_outage_min ({row['t_outage_min']})")
            )  # fmt: skip
    return problems


def check_outages(rows: Iterable[Mapping[str, Any]]) -> list[Problem]:
    """``outages.csv``: an end after the start, excluded minutes within the duration."""
    problems = []
    for number, row in enumerate(rows, start=1):
        start, end = _time(row["outage_start"]), _time(row.get("outage_end"))
        if start is None:
            problems.append(
                Problem(
                    "outages.csv", number, "outage_start", row["outage_start"], "not a date-time"
                )
            )
        elif end is not None and end < start:
            problems.append(
                Problem(
                    "outages.csv", number, "outage_end", row["outage_end"], "before outage_start"
                )
            )
        if float(row["excluded_min"]) > float(row["duration_min"]):
            problems.append(
                Problem("outages.csv", number, "excluded_min", row["excluded_min"],
                        f"above duration_min ({row['duration_min']})")
            )  # fmt: skip
    return problems


def refusal(problems: Sequence[Problem], limit: int = 5) -> str:
    """The message an export is refused with: the first errors, and how many there are."""
    errors = [p for p in problems if p.error]
    shown = "; ".join(str(p) for p in errors[:limit])
    more = f" (and {len(errors) - limit} more)" if len(errors) > limit else ""
    return f"the export does not pass the {SPEC}: {shown}{more}"


_TIMES = (
    "plug_start_datetime",
    "plug_end_datetime",
    "charge_start_datetime",
    "charge_end_datetime",
)


def _time(value: Any) -> datetime | None:
    """An EV-ChART date-time (:data:`DATETIME`), read as UTC as EV-ChART reads it; None when
    it is not one (another offset, a space for the "T", a date alone)."""
    if not isinstance(value, str) or not DATETIME.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value.removesuffix("Z"))
    except ValueError:  # the pattern holds, the calendar does not: 2026-02-30
        return None
    return parsed.replace(tzinfo=UTC)


def _seconds(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    parts = value.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    hours, minutes, seconds = (int(p) for p in parts)
    if minutes > 59 or seconds > 59:
        return None
    return hours * 3600 + minutes * 60 + seconds
