"""NEVI uptime, exactly as 23 CFR 680.116(b) writes it.

    μ = ((525,600 − (T_outage − T_excluded)) / 525,600) × 100

computed monthly over the previous twelve months, per port.

* ``T_outage``: minutes the port's timeline says it was down inside the twelve-month window.
* ``T_excluded``: the part of those minutes covered by an operator-classified exclusion
  (overlapping exclusions count once; an exclusion over up-time excludes nothing).
* **The 525,600 constant is used as written**, also for windows containing 29 February (which
  hold 527,040 minutes). A leap day counts like any other day: its down minutes add to
  T_outage, and no extra 1,440 minutes are added to the denominator. The consequence is that a
  port down for an entire leap window would compute below zero; μ is clamped at 0.
* Minutes before a port's timeline starts (not yet commissioned) are neither up nor down:
  they are reported as un-observed (``observed_minutes``), never as outage.

All arithmetic is exact (``Decimal`` minutes from integer microseconds); round only to display.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal

from forecourt.reliability.domain.model import (
    Condition,
    Exclusion,
    ExclusionCause,
    PortInterval,
    PortRef,
)

MINUTES_PER_YEAR = 525_600  # 365 × 24 × 60, the constant in §680.116(b)(3)
_US_PER_MINUTE = 60_000_000

Span = tuple[datetime, datetime]


def minutes(delta: timedelta) -> Decimal:
    microseconds = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return Decimal(microseconds) / _US_PER_MINUTE


def uptime_percent(t_outage: Decimal, t_excluded: Decimal) -> Decimal:
    """μ from the two totals of one twelve-month window (clamped at 0, see module notes)."""
    year = Decimal(MINUTES_PER_YEAR)
    mu = (year - (t_outage - t_excluded)) / year * 100
    return max(Decimal(0), mu)


# -- calendar windows --------------------------------------------------------------------------
def month_window(year: int, month: int, tz: tzinfo = UTC) -> Span:
    """[first instant of the month, first instant of the next) in ``tz``, as UTC."""
    start = datetime(year, month, 1, tzinfo=tz)
    following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start.astimezone(UTC), following.astimezone(UTC)


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def trailing_window(year: int, month: int, tz: tzinfo = UTC, months: int = 12) -> Span:
    """The ``months`` calendar months ending with (and including) ``year``-``month``."""
    first = add_months(year, month, -(months - 1))
    return month_window(*first, tz)[0], month_window(year, month, tz)[1]


_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


def parse_quarter(text: str) -> tuple[int, int]:
    """``2026Q3`` (or ``2026-Q3``) → (2026, 3)."""
    match = _QUARTER.match(text.strip())
    if match is None:
        raise ValueError(f"a quarter looks like 2026Q3, not {text!r}")
    return int(match.group(1)), int(match.group(2))


def quarter_months(year: int, quarter: int) -> list[tuple[int, int]]:
    return [(year, 3 * (quarter - 1) + offset) for offset in (1, 2, 3)]


def quarter_window(year: int, quarter: int, tz: tzinfo = UTC) -> Span:
    months = quarter_months(year, quarter)
    return month_window(*months[0], tz)[0], month_window(*months[-1], tz)[1]


# -- span algebra --------------------------------------------------------------------------------
def _clip(start: datetime, end: datetime, window: Span) -> Span | None:
    lo, hi = max(start, window[0]), min(end, window[1])
    return (lo, hi) if lo < hi else None


def union(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def intersect(left: Sequence[Span], right: Sequence[Span]) -> list[Span]:
    """Both inputs sorted and disjoint (as ``union`` returns them)."""
    out: list[Span] = []
    i = j = 0
    while i < len(left) and j < len(right):
        lo, hi = max(left[i][0], right[j][0]), min(left[i][1], right[j][1])
        if lo < hi:
            out.append((lo, hi))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return out


def total(spans: Iterable[Span]) -> Decimal:
    return sum((minutes(end - start) for start, end in spans), Decimal(0))


def interval_spans(
    intervals: Iterable[PortInterval], window: Span, now: datetime, *, down_only: bool
) -> list[Span]:
    spans = []
    for interval in intervals:
        if down_only and not interval.down:
            continue
        clipped = _clip(interval.start, interval.end or now, window)
        if clipped is not None:
            spans.append(clipped)
    return union(spans)


def exclusion_spans(port: PortRef, exclusions: Iterable[Exclusion], window: Span) -> list[Span]:
    clipped = (_clip(e.start, e.end, window) for e in exclusions if e.covers(port))
    return union(span for span in clipped if span is not None)


# -- per-port results ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OutageTotals:
    t_outage: Decimal
    t_excluded: Decimal
    observed: Decimal  # minutes of the window the timeline covers


def outage_totals(
    port: PortRef,
    intervals: Sequence[PortInterval],
    exclusions: Sequence[Exclusion],
    window: Span,
    now: datetime,
) -> OutageTotals:
    down = interval_spans(intervals, window, now, down_only=True)
    excluded = intersect(down, exclusion_spans(port, exclusions, window))
    observed = interval_spans(intervals, window, now, down_only=False)
    return OutageTotals(total(down), total(excluded), total(observed))


@dataclass(frozen=True, slots=True)
class MonthlyUptime:
    """One port, one reporting month. ``t_outage``/``t_excluded`` cover the twelve months
    ending with this month (what μ is computed from); ``month_*`` only this calendar month."""

    port: PortRef
    year: int
    month: int
    t_outage: Decimal
    t_excluded: Decimal
    uptime_pct: Decimal
    month_outage: Decimal
    month_excluded: Decimal
    observed_minutes: Decimal


def monthly_uptime(
    port: PortRef,
    intervals: Sequence[PortInterval],
    exclusions: Sequence[Exclusion],
    year: int,
    month: int,
    now: datetime,
    tz: tzinfo = UTC,
) -> MonthlyUptime:
    twelve = outage_totals(port, intervals, exclusions, trailing_window(year, month, tz), now)
    this = outage_totals(port, intervals, exclusions, month_window(year, month, tz), now)
    return MonthlyUptime(
        port=port,
        year=year,
        month=month,
        t_outage=twelve.t_outage,
        t_excluded=twelve.t_excluded,
        uptime_pct=uptime_percent(twelve.t_outage, twelve.t_excluded),
        month_outage=this.t_outage,
        month_excluded=this.t_excluded,
        observed_minutes=twelve.observed,
    )


@dataclass(frozen=True, slots=True)
class Outage:
    """Consecutive down intervals of one port, merged: what NEVI calls one outage."""

    port: PortRef
    start: datetime
    end: datetime | None
    minutes: Decimal
    excluded_minutes: Decimal
    conditions: frozenset[Condition]
    causes: tuple[ExclusionCause, ...] = field(default=())


def outages(
    port: PortRef,
    intervals: Sequence[PortInterval],
    exclusions: Sequence[Exclusion],
    window: Span,
    now: datetime,
) -> list[Outage]:
    """Outages overlapping ``window``, clipped to it (an open outage has ``end`` None)."""
    found: list[Outage] = []
    for start, end, conditions in _down_runs(intervals):
        clipped = _clip(start, end or now, window)
        if clipped is None:
            continue
        covering = [e for e in exclusions if e.covers(port) and _clip(e.start, e.end, clipped)]
        excluded = intersect([clipped], exclusion_spans(port, covering, window))
        causes = tuple(sorted({e.cause for e in covering}))
        open_end = None if end is None and clipped[1] == now else clipped[1]
        found.append(
            Outage(
                port, clipped[0], open_end, total([clipped]), total(excluded), conditions, causes
            )
        )
    return found


def _down_runs(
    intervals: Sequence[PortInterval],
) -> list[tuple[datetime, datetime | None, frozenset[Condition]]]:
    runs: list[tuple[datetime, datetime | None, frozenset[Condition]]] = []
    for interval in sorted(intervals, key=lambda i: i.start):
        if not interval.down:
            continue
        if runs and runs[-1][1] == interval.start:
            start, _, conditions = runs[-1]
            runs[-1] = (start, interval.end, conditions | interval.conditions)
        else:
            runs.append((interval.start, interval.end, interval.conditions))
    return runs
