"""California (CEC) uptime, per port, with the CEC's exclusions and their limits.

The CEC's EV Charger Data and Reliability Standards (summary:
https://www.energy.ca.gov/programs-and-topics/programs/clean-transportation-program/ev-charger-data-and-reliability-1)
require 97 % uptime per port (not per station) from publicly funded DC fast chargers and
semiannual uptime reports. Uptime means the charger is online, available and dispenses
energy: our port timeline's "up". Excluded from downtime:

* vandalism, **up to 10 days per incident** (one exclusion record is one incident);
* grid power loss (our ``utility_interruption``);
* natural disasters;
* planned maintenance, **up to 72 hours per calendar year** per port, used up in time order.

Other NEVI exclusion causes (network provider outage, vehicle fault, outside hours) are not in
the CEC's list and count as downtime here.

    uptime % = (T_observed − (T_down − T_excluded)) / T_observed × 100

over the half-year (1 January–30 June, 1 July–31 December, in the site's time zone), where
T_observed is the part of the half-year the port's timeline covers (a port commissioned in May
is judged on May and June). Arithmetic is exact (``Decimal`` minutes), as for NEVI.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal

from forecourt.reliability.domain.export import csv_bool
from forecourt.reliability.domain.model import Exclusion, ExclusionCause, PortInterval, PortRef
from forecourt.reliability.domain.nevi import (
    Span,
    intersect,
    interval_spans,
    total,
    union,
)

STANDARD_PCT = Decimal(97)
VANDALISM_LIMIT = timedelta(days=10)  # per incident
MAINTENANCE_LIMIT = timedelta(hours=72)  # per calendar year and port

#: Our exclusion causes the CEC recognises.
CEC_CAUSES = frozenset(
    {
        ExclusionCause.VANDALISM,
        ExclusionCause.UTILITY_INTERRUPTION,
        ExclusionCause.NATURAL_DISASTER,
        ExclusionCause.SCHEDULED_MAINTENANCE,
    }
)

_HALF = re.compile(r"^(\d{4})-?H([12])$", re.IGNORECASE)


def parse_half(text: str) -> tuple[int, int]:
    """``2026H2`` (or ``2026-H2``) → (2026, 2)."""
    match = _HALF.match(text.strip())
    if match is None:
        raise ValueError(f"a half-year looks like 2026H2, not {text!r}")
    year = int(match.group(1))
    if not 2000 <= year <= 2200:
        raise ValueError(f"no such half-year {text!r}")
    return year, int(match.group(2))


def half_window(year: int, half: int, tz: tzinfo = UTC) -> Span:
    start = datetime(year, 1 if half == 1 else 7, 1, tzinfo=tz)
    end = datetime(year, 7, 1, tzinfo=tz) if half == 1 else datetime(year + 1, 1, 1, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def year_window(year: int, tz: tzinfo = UTC) -> Span:
    start, end = datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class CecUptime:
    port: PortRef
    year: int
    half: int
    observed_min: Decimal
    down_min: Decimal
    excluded_min: Decimal
    excluded_by_cause: dict[str, Decimal] = field(default_factory=dict)
    maintenance_used_min: Decimal = Decimal(0)  # of the year's 72 h, up to this half's end

    @property
    def uptime_pct(self) -> Decimal | None:
        if not self.observed_min:
            return None
        up = self.observed_min - (self.down_min - self.excluded_min)
        return max(Decimal(0), up / self.observed_min * 100)

    @property
    def meets_standard(self) -> bool | None:
        pct = self.uptime_pct
        return None if pct is None else pct >= STANDARD_PCT


def cec_uptime(
    port: PortRef,
    intervals: Sequence[PortInterval],
    exclusions: Sequence[Exclusion],
    year: int,
    half: int,
    now: datetime,
    tz: tzinfo = UTC,
) -> CecUptime:
    window = half_window(year, half, tz)
    down = interval_spans(intervals, window, now, down_only=True)
    observed = interval_spans(intervals, window, now, down_only=False)
    by_cause, used = excluded_spans(port, intervals, exclusions, window, year, now, tz)
    excluded_total = intersect(
        down, _clipped(union(s for v in by_cause.values() for s in v), window)
    )
    per_cause = {
        cause.value: total(intersect(down, _clipped(union(spans), window)))
        for cause, spans in sorted(by_cause.items())
    }
    return CecUptime(
        port, year, half, total(observed), total(down), total(excluded_total),
        {k: v for k, v in per_cause.items() if v}, used,
    )  # fmt: skip


def excluded_spans(
    port: PortRef,
    intervals: Sequence[PortInterval],
    exclusions: Sequence[Exclusion],
    window: Span,
    year: int,
    now: datetime,
    tz: tzinfo = UTC,
) -> tuple[dict[ExclusionCause, list[Span]], Decimal]:
    """What the CEC lets ``port`` exclude, by cause, with the limits applied (maintenance: the
    ``year``'s budget spent up to the window's end); and the maintenance minutes used so far."""
    mine = [e for e in exclusions if e.covers(port) and e.cause in CEC_CAUSES]
    by_cause: dict[ExclusionCause, list[Span]] = {}
    for exclusion in mine:
        if exclusion.cause is ExclusionCause.SCHEDULED_MAINTENANCE:
            continue  # its yearly budget is spent below
        end = exclusion.end
        if exclusion.cause is ExclusionCause.VANDALISM:
            end = min(end, exclusion.start + VANDALISM_LIMIT)
        by_cause.setdefault(exclusion.cause, []).append((exclusion.start, end))
    maintenance, used = _maintenance(intervals, mine, year, now, tz, window[1])
    by_cause[ExclusionCause.SCHEDULED_MAINTENANCE] = maintenance
    return by_cause, used


@dataclass(frozen=True, slots=True)
class HourlyPort:
    """One port, one hour (site time): the interval data the CEC asks chargers to keep."""

    port: PortRef
    hour_start: datetime
    observed_min: Decimal
    down_min: Decimal
    excluded_min: Decimal


def hourly(
    port: PortRef,
    intervals: Sequence[PortInterval],
    exclusions: Sequence[Exclusion],
    day: date,
    now: datetime,
    tz: tzinfo = UTC,
) -> list[HourlyPort]:
    """The 24 (23 or 25 on clock changes) local hours of ``day`` for one port."""
    start = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
    following = day + timedelta(days=1)
    end = datetime(following.year, following.month, following.day, tzinfo=tz).astimezone(UTC)
    by_cause, _ = excluded_spans(port, intervals, exclusions, (start, end), day.year, now, tz)
    allowed = union(s for spans in by_cause.values() for s in spans)
    rows = []
    hour = start
    while hour < end:
        window = (hour, min(hour + timedelta(hours=1), end))
        down = interval_spans(intervals, window, now, down_only=True)
        observed = interval_spans(intervals, window, now, down_only=False)
        excluded = intersect(down, _clipped(allowed, window))
        rows.append(HourlyPort(port, hour, total(observed), total(down), total(excluded)))
        hour = window[1]
    return rows


HOURLY_COLUMNS = (
    "station_id",
    "port_id",
    "hour_start",
    "observed_minutes",
    "downtime_minutes",
    "excluded_minutes",
    "up",
)


def hourly_row(row: HourlyPort) -> dict[str, object]:
    def text(value: Decimal) -> str:
        return str(value.quantize(Decimal("0.001")))

    counted_down = row.down_min - row.excluded_min
    return {
        "station_id": row.port.station_id,
        "port_id": str(row.port),
        "hour_start": _stamp(row.hour_start),
        "observed_minutes": text(row.observed_min),
        "downtime_minutes": text(row.down_min),
        "excluded_minutes": text(row.excluded_min),
        "up": csv_bool(None if not row.observed_min else not counted_down),
    }


def _maintenance(
    intervals: Sequence[PortInterval],
    exclusions: Sequence[Exclusion],
    year: int,
    now: datetime,
    tz: tzinfo,
    until: datetime,
) -> tuple[list[Span], Decimal]:
    """The maintenance downtime the year's 72 hours cover, spent in time order up to ``until``."""
    year_span = year_window(year, tz)
    spent_window = (year_span[0], min(year_span[1], until))
    planned = union(
        (e.start, e.end) for e in exclusions if e.cause is ExclusionCause.SCHEDULED_MAINTENANCE
    )
    down = interval_spans(intervals, spent_window, now, down_only=True)
    left = MAINTENANCE_LIMIT
    granted: list[Span] = []
    for start, end in intersect(down, _clipped(planned, spent_window)):
        if left <= timedelta(0):
            break
        take = min(end - start, left)
        granted.append((start, start + take))
        left -= take
    return granted, total(granted)


def _clipped(spans: Sequence[Span], window: Span) -> list[Span]:
    out = []
    for start, end in spans:
        lo, hi = max(start, window[0]), min(end, window[1])
        if lo < hi:
            out.append((lo, hi))
    return out


#: The semiannual report's columns (ours: the CEC's official template was not in reach).
SEMIANNUAL_COLUMNS = (
    "station_id",
    "port_id",
    "reporting_period",
    "period_start",
    "period_end",
    "observed_minutes",
    "downtime_minutes",
    "excluded_minutes",
    "excluded_vandalism_minutes",
    "excluded_grid_power_loss_minutes",
    "excluded_natural_disaster_minutes",
    "excluded_planned_maintenance_minutes",
    "planned_maintenance_used_minutes_year",
    "uptime_percent",
    "meets_97_percent",
)


def semiannual_row(row: CecUptime, tz: tzinfo = UTC) -> dict[str, object]:
    start, end = half_window(row.year, row.half, tz)
    pct = row.uptime_pct
    by = row.excluded_by_cause

    def text(value: Decimal) -> str:
        return str(value.quantize(Decimal("0.001")))

    return {
        "station_id": row.port.station_id,
        "port_id": str(row.port),
        "reporting_period": f"{row.year}H{row.half}",
        "period_start": _stamp(start),
        "period_end": _stamp(end),
        "observed_minutes": text(row.observed_min),
        "downtime_minutes": text(row.down_min),
        "excluded_minutes": text(row.excluded_min),
        "excluded_vandalism_minutes": text(by.get("vandalism", Decimal(0))),
        "excluded_grid_power_loss_minutes": text(by.get("utility_interruption", Decimal(0))),
        "excluded_natural_disaster_minutes": text(by.get("natural_disaster", Decimal(0))),
        "excluded_planned_maintenance_minutes": text(by.get("scheduled_maintenance", Decimal(0))),
        "planned_maintenance_used_minutes_year": text(row.maintenance_used_min),
        "uptime_percent": "" if pct is None else str(pct.quantize(Decimal("0.0001"))),
        "meets_97_percent": csv_bool(row.meets_standard),
    }


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
