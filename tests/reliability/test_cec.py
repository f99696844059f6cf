"""California (CEC) uptime: per port, the CEC's exclusions with their limits, exact minutes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from forecourt.reliability.domain.cec import (
    HOURLY_COLUMNS,
    SEMIANNUAL_COLUMNS,
    cec_uptime,
    half_window,
    hourly,
    hourly_row,
    parse_half,
    semiannual_row,
)
from forecourt.reliability.domain.model import (
    Condition,
    Exclusion,
    ExclusionCause,
    PortInterval,
    PortRef,
)

PORT = PortRef("CS-1", 1)
NOW = datetime(2027, 1, 15, tzinfo=UTC)
DOWN = frozenset({Condition.FAULTED})


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def timeline(*outages: tuple[datetime, datetime]) -> list[PortInterval]:
    """Up from 1 January 2026, down during each outage."""
    intervals = [PortInterval(PORT, at(1, 1), None)]
    intervals += [PortInterval(PORT, start, end, DOWN) for start, end in outages]
    return intervals


def excluded(cause: ExclusionCause, start: datetime, end: datetime) -> Exclusion:
    return Exclusion("CS-1", None, start, end, cause)


def test_half_years_follow_the_site_zone() -> None:
    assert parse_half("2026h2") == (2026, 2)
    with pytest.raises(ValueError, match="2026H2"):
        parse_half("2026Q3")
    start, end = half_window(2026, 1, ZoneInfo("America/Los_Angeles"))
    assert start == datetime(2026, 1, 1, 8, tzinfo=UTC)
    assert end == datetime(2026, 7, 1, 7, tzinfo=UTC)


def test_vandalism_counts_ten_days_per_incident() -> None:
    outage = (at(3, 1), at(3, 21))  # twenty days down after vandalism
    row = cec_uptime(
        PORT, timeline(outage), [excluded(ExclusionCause.VANDALISM, *outage)], 2026, 1, NOW
    )
    assert row.down_min == 20 * 1440
    assert row.excluded_min == 10 * 1440
    observed = Decimal(181 * 1440)  # 1 January to 1 July 2026
    assert row.observed_min == observed
    assert row.uptime_pct == (observed - 10 * 1440) / observed * 100
    assert row.meets_standard is False  # 10 of 181 days: 94.5 %


def test_planned_maintenance_has_72_hours_a_year_spent_in_time_order() -> None:
    may = (at(5, 1), at(5, 3))  # 48 h
    june = (at(6, 1), at(6, 3))  # 48 h: only 24 h of the budget left
    september = (at(9, 1), at(9, 2))  # 24 h: none left
    maintenance = [
        excluded(ExclusionCause.SCHEDULED_MAINTENANCE, *s) for s in (may, june, september)
    ]
    first = cec_uptime(PORT, timeline(may, june, september), maintenance, 2026, 1, NOW)
    assert first.down_min == 96 * 60
    assert first.excluded_min == 72 * 60
    assert first.excluded_by_cause == {"scheduled_maintenance": Decimal(72 * 60)}
    second = cec_uptime(PORT, timeline(may, june, september), maintenance, 2026, 2, NOW)
    assert second.down_min == 24 * 60
    assert second.excluded_min == 0
    assert second.maintenance_used_min == 72 * 60


def test_grid_and_disaster_count_in_full_other_nevi_causes_do_not() -> None:
    grid, storm, network = (at(2, 1), at(2, 3)), (at(4, 1), at(4, 11)), (at(5, 5), at(5, 6))
    causes = [
        excluded(ExclusionCause.UTILITY_INTERRUPTION, *grid),
        excluded(ExclusionCause.NATURAL_DISASTER, *storm),
        excluded(ExclusionCause.NETWORK_PROVIDER_OUTAGE, *network),
    ]
    row = cec_uptime(PORT, timeline(grid, storm, network), causes, 2026, 1, NOW)
    assert row.down_min == (2 + 10 + 1) * 1440
    assert row.excluded_min == (2 + 10) * 1440
    assert row.excluded_by_cause == {
        "natural_disaster": Decimal(10 * 1440),
        "utility_interruption": Decimal(2 * 1440),
    }
    csv_row = semiannual_row(row)
    assert tuple(csv_row) == SEMIANNUAL_COLUMNS
    assert csv_row["excluded_grid_power_loss_minutes"] == "2880.000"
    assert csv_row["meets_97_percent"] == "TRUE"  # one day of 181 counts: 99.45 %


def test_a_port_not_yet_commissioned_has_no_uptime() -> None:
    later = [PortInterval(PORT, at(8, 1), None)]
    row = cec_uptime(PORT, later, [], 2026, 1, NOW)
    assert row.observed_min == 0
    assert row.uptime_pct is None
    assert semiannual_row(row)["uptime_percent"] == ""
    assert cec_uptime(PORT, later, [], 2026, 2, NOW).observed_min == (31 + 30 + 31 + 30 + 31) * 1440


def test_an_exclusion_over_up_time_excludes_nothing() -> None:
    row = cec_uptime(
        PORT, timeline(), [excluded(ExclusionCause.NATURAL_DISASTER, at(3, 1), at(3, 5))], 2026, 1,
        NOW,
    )  # fmt: skip
    assert (row.down_min, row.excluded_min, row.uptime_pct) == (0, 0, 100)


def test_hourly_interval_data_follows_local_hours_and_exclusions() -> None:
    outage = (datetime(2026, 3, 8, 10, 30, tzinfo=UTC), datetime(2026, 3, 8, 12, 0, tzinfo=UTC))
    grid = excluded(
        ExclusionCause.UTILITY_INTERRUPTION, outage[0], outage[0] + timedelta(minutes=30)
    )
    zone = ZoneInfo("America/Los_Angeles")  # 8 March 2026: clocks go forward, 23 hours
    hours = hourly(PORT, timeline(outage), [grid], date(2026, 3, 8), NOW, zone)
    assert len(hours) == 23
    assert hours[0].hour_start == datetime(2026, 3, 8, 8, tzinfo=UTC)
    by_start = {h.hour_start.hour: h for h in hours}
    assert (by_start[10].down_min, by_start[10].excluded_min) == (30, 30)
    assert (by_start[11].down_min, by_start[11].excluded_min) == (60, 0)
    rows = [hourly_row(h) for h in hours]
    assert tuple(rows[0]) == HOURLY_COLUMNS
    assert [r["up"] for r in rows if r["downtime_minutes"] != "0.000"] == ["TRUE", "FALSE"]
