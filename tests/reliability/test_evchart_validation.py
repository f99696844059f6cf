"""The export's checks against the EV Charging Use Data Specification v1.0 validation reference:
errors refuse the export, warnings travel with it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from forecourt.reliability.domain.evchart import (
    check_outages,
    check_sessions,
    check_uptime,
    refusal,
)

QUARTER = (datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))


def session(**changes: Any) -> dict[str, Any]:
    row = {
        "session_id": "42", "port_id": "CS-1/1",
        "plug_start_datetime": "2026-07-03T14:00:00Z", "plug_end_datetime": "2026-07-03T14:30:00Z",
        "charge_start_datetime": "2026-07-03T14:00:00Z",
        "charge_end_datetime": "2026-07-03T14:30:00Z",
        "session_duration": "00:30:00", "charging_duration": "00:30:00", "energy_kwh": 30.0,
        "peak_kw": 120.0, "total_fee_charged": None, "energy_fee": None, "session_fee": None,
        "time_fee": None, "user_id": "abc", "successful_completion": True, "ended_by": "local",
        "start_soc": 0.2, "end_soc": 0.8, "error_code": "", "payment_type": "membership",
    }  # fmt: skip
    return row | changes


def problems(*rows: dict[str, Any]) -> list[tuple[int, str, bool]]:
    found = check_sessions(list(rows), [QUARTER] * len(rows))
    return [(p.row, p.field, p.error) for p in found]


def test_a_conforming_session_passes() -> None:
    assert problems(session()) == []


def test_type_format_and_consistency_errors() -> None:
    assert problems(session(payment_type="bitcoin")) == [(1, "payment_type", True)]
    assert problems(session(end_soc=1.2)) == [(1, "end_soc", True)]
    assert problems(session(energy_kwh=-1.0)) == [(1, "energy_kwh", True)]
    assert problems(session(session_duration="-1:55:00")) == [(1, "session_duration", True)]
    assert problems(session(port_id="")) == [(1, "port_id", True)]
    assert problems(session(successful_completion="yes")) == [(1, "successful_completion", True)]
    assert problems(session(plug_end_datetime="2026-07-03T13:00:00Z")) == [
        (1, "plug_end_datetime", True)
    ]
    early = "2026-06-30T23:00:00Z"
    assert problems(session(plug_start_datetime=early, charge_start_datetime=early)) == [
        (1, "plug_start_datetime", True),
        (1, "charge_start_datetime", True),
    ]
    assert problems(session(), session()) == [(2, "session_id", True)]


def test_a_session_ending_before_it_starts_is_one_error_not_a_negative_duration() -> None:
    skewed = {"plug_end_datetime": "2026-07-03T13:00:00Z", "charge_end_datetime": None,
              "session_duration": None, "charging_duration": None}  # fmt: skip
    [problem] = check_sessions([session(**skewed)], [QUARTER])
    assert problem.field == "plug_end_datetime"
    assert "ends before it starts" in problem.message
    assert "clock skew" in problem.message


def test_date_times_and_booleans_are_ev_charts() -> None:
    assert problems(session(plug_end_datetime="2026-07-03T14:30:00")) == []  # UTC, as EV-ChART
    assert problems(session(plug_end_datetime="2026-07-03T14:30:00.250Z")) == []
    for other in ("2026-07-03T16:30:00+02:00", "2026-07-03 14:30:00Z", "20260703 14:30:00",
                  "2026-07-03", "2026-02-30T14:30:00Z"):  # fmt: skip
        [problem] = check_sessions([session(plug_end_datetime=other)], [QUARTER])
        assert (problem.field, problem.error) == ("plug_end_datetime", True), other
        assert "YYYY-MM-DDThh:mm:ssZ" in problem.message


def test_warnings_flag_what_a_person_should_look_at() -> None:
    assert problems(session(energy_kwh=0.0, successful_completion=False)) == [
        (1, "energy_kwh", False)  # kept: NEVI wants unsuccessful sessions
    ]
    assert problems(session(energy_kwh=300.0)) == [(1, "energy_kwh", False)]
    assert problems(session(charging_duration="00:40:00")) == [(1, "charging_duration", False)]
    assert problems(session(session_duration="00:00:30", charging_duration="00:00:30")) == [
        (1, "session_duration", False)
    ]


def test_uptime_and_outage_files_and_the_refusal_message() -> None:
    uptime = {"uptime_pct": "101.0000", "t_outage_min": "1.000", "t_excluded_min": "2.000"}
    outage = {"outage_start": "2026-07-03T14:00:00Z", "outage_end": "2026-07-03T13:00:00Z",
              "duration_min": "1.000", "excluded_min": "0.000"}  # fmt: skip
    found = [*check_uptime([uptime]), *check_outages([outage])]
    assert [(p.file, p.field) for p in found] == [
        ("uptime.csv", "uptime_pct"),
        ("uptime.csv", "t_excluded_min"),
        ("outages.csv", "outage_end"),
    ]
    message = refusal(found, limit=2)
    assert message.startswith("the export does not pass the EV Charging Use Data Specification")
    assert "uptime.csv row 1 uptime_pct='101.0000': outside 0..100" in message
    assert message.endswith("(and 1 more)")
