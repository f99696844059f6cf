"""NEVI uptime: a hand-computed reference scenario, checked in pure arithmetic and through
storage + the report service (both must give the same exact minutes and percentages).

    μ = ((525,600 − (T_outage − T_excluded)) / 525,600) × 100     (23 CFR 680.116(b))

Report month February 2028: the twelve-month window is 2027-03-01 → 2028-03-01 (UTC). It
contains 29 February 2028, so it holds 366 × 1,440 = 527,040 minutes. Forecourt keeps the
constant 525,600 as the rule writes it: the leap day's down minutes count like any other
day's, and the denominator stays 525,600 (a port down for the whole leap window computes
below zero and is clamped to 0 %, see CS-B/1).

Ports and outages (all times UTC):

CS-A/1  timeline from 2027-01-01
  1. faulted   2027-02-28 23:00 → 03-01 01:00   60 min in the window (120 before it starts)
  2. offline   2027-07-04 10:00 → 14:30          270 min; network provider outage 10:00-12:00
                                                  excluded: 120
  3. failing   2027-11-30 23:30 → 12-01 00:45    75 min (30 in November, 45 in December)
  4. faulted   2028-02-29 00:00 → 03-01 00:00    1,440 min (the leap day); utility
                                                  interruption 06:00-10:00 excluded: 240
  T_outage = 60 + 270 + 75 + 1,440 = 1,845    T_excluded = 120 + 240 = 360
  μ = (525,600 − 1,485) / 525,600 × 100 = 99.71746575… → 99.7175

CS-A/2  commissioned 2027-09-15 12:00 (observed 241,200 min: 15.5 + 152 days)
  1. faulted      2027-10-01 00:00 → 10-03 00:00   2,880 min, vandalism: all excluded
  2. unavailable  2028-01-10 08:00 → 16:00         480 min; scheduled maintenance on the
                                                    whole station 07:00-17:00: 480 excluded
  T_outage = 3,360   T_excluded = 3,360   μ = 100.0000

CS-B/1  offline from 2027-01-01 and never back
  February 2028: T_outage = 527,040 → (525,600 − 527,040) / 525,600 × 100 = −0.2740 → 0
  December 2027: window 2027-01-01 → 2028-01-01 = 525,600 min → μ = 0 exactly

CS-B/2
  1. offline   2027-05-05 00:00 → 06:00   360 min; utility 00:00-04:00 and natural
                                          disaster 02:00-06:00 overlap: excluded once, 360
  2. faulted   2027-06-01 21:00 → 06-02 07:00   600 min; outside hours of operation
                                                (06:00-22:00) 22:00-06:00: 480 excluded
  (a vandalism exclusion 2027-08-01 00:00-01:00 covers up-time: it excludes nothing)
  T_outage = 960   T_excluded = 840   μ = (525,600 − 120) / 525,600 × 100 = 99.9772

December 2027 for CS-A/1 (window 2027-01-01 → 2028-01-01): outages 1-3 in full,
T_outage = 120 + 270 + 75 = 465, T_excluded = 120, μ = (525,600 − 345)/525,600 × 100 = 99.9344
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from forecourt.domain.stations import Site
from forecourt.reliability.domain import nevi
from forecourt.reliability.domain.export import decimal_text
from forecourt.reliability.domain.model import (
    Condition,
    Exclusion,
    ExclusionCause,
    PortInterval,
    PortRef,
)
from forecourt.reliability.domain.timeline import Transition
from forecourt.reliability.keys import RELIABILITY
from forecourt.reliability.ports import RELIABILITY_STORE
from tests.support.harness import SteppingClock, make_services

A1, A2 = PortRef("CS-A", 1), PortRef("CS-A", 2)
B1, B2 = PortRef("CS-B", 1), PortRef("CS-B", 2)
NOW = datetime(2028, 3, 15, tzinfo=UTC)
UP: frozenset[Condition] = frozenset()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def down(*conditions: Condition) -> frozenset[Condition]:
    return frozenset(conditions)


TIMELINES: dict[PortRef, list[tuple[str, frozenset[Condition]]]] = {
    A1: [
        ("2027-01-01 00:00", UP),
        ("2027-02-28 23:00", down(Condition.FAULTED)),
        ("2027-03-01 01:00", UP),
        ("2027-07-04 10:00", down(Condition.OFFLINE)),
        ("2027-07-04 14:30", UP),
        ("2027-11-30 23:30", down(Condition.FAILING_SESSIONS)),
        ("2027-12-01 00:45", UP),
        ("2028-02-29 00:00", down(Condition.FAULTED)),
        ("2028-03-01 00:00", UP),
    ],
    A2: [
        ("2027-09-15 12:00", UP),
        ("2027-10-01 00:00", down(Condition.FAULTED)),
        ("2027-10-03 00:00", UP),
        ("2028-01-10 08:00", down(Condition.UNAVAILABLE)),
        ("2028-01-10 16:00", UP),
    ],
    B1: [("2027-01-01 00:00", down(Condition.OFFLINE))],
    B2: [
        ("2027-01-01 00:00", UP),
        ("2027-05-05 00:00", down(Condition.OFFLINE)),
        ("2027-05-05 06:00", UP),
        ("2027-06-01 21:00", down(Condition.FAULTED)),
        ("2027-06-02 07:00", UP),
    ],
}


def exclusion(
    station: str, evse: int | None, start: str, end: str, cause: ExclusionCause
) -> Exclusion:
    return Exclusion(station, evse, at(start), at(end), cause, [f"evidence for {cause.value}"])


EXCLUSIONS = [
    exclusion(
        "CS-A", 1, "2027-07-04 10:00", "2027-07-04 12:00", ExclusionCause.NETWORK_PROVIDER_OUTAGE
    ),
    exclusion(
        "CS-A", 1, "2028-02-29 06:00", "2028-02-29 10:00", ExclusionCause.UTILITY_INTERRUPTION
    ),
    exclusion(
        "CS-A", None, "2028-01-10 07:00", "2028-01-10 17:00", ExclusionCause.SCHEDULED_MAINTENANCE
    ),
    exclusion("CS-A", 2, "2027-10-01 00:00", "2027-10-03 00:00", ExclusionCause.VANDALISM),
    exclusion(
        "CS-B", 2, "2027-05-05 00:00", "2027-05-05 04:00", ExclusionCause.UTILITY_INTERRUPTION
    ),
    exclusion("CS-B", 2, "2027-05-05 02:00", "2027-05-05 06:00", ExclusionCause.NATURAL_DISASTER),
    exclusion("CS-B", 2, "2027-06-01 22:00", "2027-06-02 06:00", ExclusionCause.OUTSIDE_HOURS),
    exclusion("CS-B", 2, "2027-08-01 00:00", "2027-08-01 01:00", ExclusionCause.VANDALISM),
]

#: port → (T_outage, T_excluded, μ to 4 places, month outage, month excluded, observed)
FEBRUARY_2028 = {
    A1: ("1845", "360", "99.7175", "1440", "240", "527040"),
    A2: ("3360", "3360", "100.0000", "0", "0", "241200"),
    B1: ("527040", "0", "0.0000", "41760", "0", "527040"),
    B2: ("960", "840", "99.9772", "0", "0", "527040"),
}


def intervals_of(port: PortRef) -> list[PortInterval]:
    steps = TIMELINES[port]
    out = []
    for index, (start, conditions) in enumerate(steps):
        end = at(steps[index + 1][0]) if index + 1 < len(steps) else None
        out.append(PortInterval(port, at(start), end, conditions))
    return out


def row(uptime: nevi.MonthlyUptime) -> tuple[str, ...]:
    return (
        decimal_text(uptime.t_outage, 0),
        decimal_text(uptime.t_excluded, 0),
        decimal_text(uptime.uptime_pct, 4),
        decimal_text(uptime.month_outage, 0),
        decimal_text(uptime.month_excluded, 0),
        decimal_text(uptime.observed_minutes, 0),
    )


@pytest.mark.parametrize("port", sorted(FEBRUARY_2028))
def test_february_2028_exact_minutes_and_percent(port: PortRef) -> None:
    uptime = nevi.monthly_uptime(port, intervals_of(port), EXCLUSIONS, 2028, 2, NOW)
    assert row(uptime) == FEBRUARY_2028[port]


def test_the_minutes_are_exact_not_rounded() -> None:
    uptime = nevi.monthly_uptime(A1, intervals_of(A1), EXCLUSIONS, 2028, 2, NOW)
    assert uptime.t_outage == Decimal(1845)
    assert uptime.t_excluded == Decimal(360)
    assert uptime.uptime_pct == (Decimal(525600) - Decimal(1485)) / Decimal(525600) * 100


def test_the_leap_window_holds_527040_minutes_but_the_constant_stays_525600() -> None:
    start, end = nevi.trailing_window(2028, 2)
    assert (start, end) == (at("2027-03-01 00:00"), at("2028-03-01 00:00"))
    assert nevi.minutes(end - start) == 527_040
    assert nevi.MINUTES_PER_YEAR == 525_600
    assert nevi.uptime_percent(Decimal(527_040), Decimal(0)) == 0  # −0.2740 clamped


def test_december_2027_window_without_leap_day() -> None:
    a1 = nevi.monthly_uptime(A1, intervals_of(A1), EXCLUSIONS, 2027, 12, NOW)
    assert row(a1)[:3] == ("465", "120", "99.9344")
    assert a1.month_outage == 45  # 00:00-00:45 on 1 December
    november = nevi.monthly_uptime(A1, intervals_of(A1), EXCLUSIONS, 2027, 11, NOW)
    assert november.month_outage == 30  # 23:30-24:00 on 30 November
    b1 = nevi.monthly_uptime(B1, intervals_of(B1), EXCLUSIONS, 2027, 12, NOW)
    assert b1.t_outage == 525_600
    assert b1.uptime_pct == 0  # exactly, no clamping needed in a 365-day window


def test_outages_are_clipped_to_the_window_and_carry_their_causes() -> None:
    window = nevi.trailing_window(2028, 2)
    found = nevi.outages(A1, intervals_of(A1), EXCLUSIONS, window, NOW)
    summary = [(o.start, int(o.minutes), int(o.excluded_minutes), o.causes) for o in found]
    assert summary == [
        (at("2027-03-01 00:00"), 60, 0, ()),
        (at("2027-07-04 10:00"), 270, 120, (ExclusionCause.NETWORK_PROVIDER_OUTAGE,)),
        (at("2027-11-30 23:30"), 75, 0, ()),
        (at("2028-02-29 00:00"), 1440, 240, (ExclusionCause.UTILITY_INTERRUPTION,)),
    ]


def test_months_follow_the_site_time_zone() -> None:
    from zoneinfo import ZoneInfo

    port = PortRef("CS-LA", 1)
    timeline = [
        PortInterval(port, at("2028-01-01 08:00"), at("2028-02-01 05:00"), UP),
        PortInterval(port, at("2028-02-01 05:00"), at("2028-02-01 09:00"), down(Condition.OFFLINE)),
        PortInterval(port, at("2028-02-01 09:00"), None, UP),
    ]
    la = ZoneInfo("America/Los_Angeles")  # 05:00-09:00 UTC = 21:00-01:00 PST across midnight
    january = nevi.monthly_uptime(port, timeline, [], 2028, 1, NOW, la)
    february = nevi.monthly_uptime(port, timeline, [], 2028, 2, NOW, la)
    assert (int(january.month_outage), int(february.month_outage)) == (180, 60)


async def test_storage_and_reports_give_the_same_numbers(tmp_path: Path) -> None:
    services, database = await make_services(tmp_path, clock=SteppingClock(NOW))
    try:
        await services.network.add_site(Site("S", "Reference site"))
        for station in ("CS-A", "CS-B"):
            await services.network.add_station(station, site_id="S")
        async with database.unit_of_work() as uow:
            for port, steps in TIMELINES.items():
                transitions = [
                    Transition(port, at(start), conditions) for start, conditions in steps
                ]
                await uow.repository(RELIABILITY_STORE).intervals.apply(transitions)
            for item in EXCLUSIONS:
                await uow.repository(RELIABILITY_STORE).exclusions.add(item)
            await uow.commit()
        rows = await services.feature(RELIABILITY).reports.uptime(2028, 2)
        assert {u.port: row(u) for u in rows} == FEBRUARY_2028
        quarter = await services.feature(RELIABILITY).reports.nevi_quarter("2028Q1")
        months = {(u.port, u.month): row(u) for u in quarter.uptime}
        assert months[(A1, 2)] == FEBRUARY_2028[A1]
        assert months[(A1, 1)][3] == "0"  # nothing down on CS-A/1 in January
        assert months[(A2, 1)][3:5] == ("480", "480")
    finally:
        await database.dispose()
