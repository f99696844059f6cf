"""Session KPIs (visits, first-attempt success, interop matrix) and the export formats."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from forecourt.reliability.domain.export import (
    EVCHART_SESSION_COLUMNS,
    NEVI_SESSION_COLUMNS,
    OUTAGE_COLUMNS,
    UPTIME_COLUMNS,
    SessionRecord,
    evchart_session_row,
    nevi_session_row,
)
from forecourt.reliability.domain.kpis import Dimension, KpiSession, interop_matrix, kpis
from forecourt.reliability.domain.model import Condition, PortInterval, PortRef
from forecourt.reliability.domain.sessions import (
    SessionEnd,
    SessionOutcome,
    classify,
    fault_followed,
)
from forecourt.reliability.domain.thresholds import Thresholds
from forecourt.reliability.keys import RELIABILITY
from forecourt.reliability.ports import RELIABILITY_STORE
from forecourt.reliability.services.export import quarter_csv, quarter_json
from tests.reliability.test_nevi_reference import (
    EXCLUSIONS,
    NOW,
    TIMELINES,
    at,
)
from tests.support.harness import SteppingClock, make_services

T0 = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
LIMITS = Thresholds()


def attempt(
    station: str, evse: int, start_min: float, energy: float, token: str | None, vehicle: str
) -> KpiSession:
    start = T0 + timedelta(minutes=start_min)
    end = start + timedelta(minutes=30 if energy else 1)
    session = SessionEnd(
        PortRef(station, evse), 1, int(start_min), start, end, energy, 100_000.0,
        None if energy else "other", True, token, "app", 0, vehicle,
    )  # fmt: skip
    model = "SimDC-150" if station == "CS-1" else "Other-50"
    return KpiSession(session, "SITE", "Forecourt", model, "1.0.0")


SESSIONS = [
    # driver A: fails on CS-1/1, retries 3 minutes later on CS-1/2 and succeeds: 1 visit, 2 attempts
    attempt("CS-1", 1, 0, 0.0, "A", "Hatch"),
    attempt("CS-1", 2, 3, 20_000.0, "A", "Hatch"),
    # driver B: succeeds first time on CS-1/1
    attempt("CS-1", 1, 60, 20_000.0, "B", "Pickup"),
    # driver C: two failures on CS-2/1, gives up: a failed visit
    attempt("CS-2", 1, 0, 0.0, "C", "Hatch"),
    attempt("CS-2", 1, 2, 0.0, "C", "Hatch"),
    # driver A again hours later: a new visit
    attempt("CS-2", 1, 300, 20_000.0, "A", "Hatch"),
]


def test_visits_first_attempt_success_and_failed_visits_by_station() -> None:
    rows = {row.key: row for row in kpis(SESSIONS, Dimension.STATION, LIMITS)}
    one, two = rows["CS-1"], rows["CS-2"]
    assert (one.attempts, one.visits, one.successes) == (3, 2, 2)
    assert one.first_attempt_success_rate == 0.5  # A failed first, B did not
    assert one.failed_visit_rate == 0.0
    assert one.attempts_per_visit == 1.5
    assert (two.attempts, two.visits) == (3, 2)
    assert two.failed_visit_rate == 0.5
    assert two.zero_energy == 2
    assert two.stop_reasons["other"] == 2


def test_kpis_by_port_model_and_vehicle() -> None:
    ports = {row.key: row for row in kpis(SESSIONS, Dimension.PORT, LIMITS)}
    assert ports["CS-1/1"].success_rate == 0.5
    assert ports["CS-1/2"].visits == 0  # A's visit began on CS-1/1
    models = {row.key for row in kpis(SESSIONS, Dimension.FIRMWARE, LIMITS)}
    assert models == {"Forecourt SimDC-150 @ 1.0.0", "Forecourt Other-50 @ 1.0.0"}
    vehicles = {row.key: row.success_rate for row in kpis(SESSIONS, Dimension.VEHICLE, LIMITS)}
    assert vehicles == {"Hatch": 0.4, "Pickup": 1.0}


def test_the_german_charging_success_rate_counts_a_normal_short_session() -> None:
    short_start = T0 + timedelta(hours=8)
    short = SessionEnd(
        PortRef("CS-1", 1), 1, 99, short_start, short_start + timedelta(seconds=60), 400.0,
        20_000.0, "local", True, "D", "app",
    )  # fmt: skip
    faulted = SessionEnd(
        PortRef("CS-1", 1), 1, 98, short_start, short_start + timedelta(minutes=20), 5_000.0,
        50_000.0, "ground_fault", True, "E", "app",
    )  # fmt: skip
    items = [*SESSIONS[:3], KpiSession(short), KpiSession(faulted)]
    (row,) = kpis(items, Dimension.STATION, LIMITS)
    assert row.outcomes["short"] == 1
    assert row.outcomes["error_stop"] == 1
    assert row.success_rate == 2 / 5  # ours: a one-minute 0.4 kWh stop is not a success
    assert row.charging_success_rate == 3 / 5  # energy flowed, ended normally: a success


def test_chargex_stop_triggers_fault_after_and_its_three_rates() -> None:
    start = T0 + timedelta(hours=9)

    def ended(tx: int, reason: str | None, *, faulted: bool = False) -> SessionEnd:
        return SessionEnd(
            PortRef("CS-9", 1), 1, tx, start, start + timedelta(minutes=20), 10_000.0,
            50_000.0, reason, True, f"T{tx}", "app", faulted_after=faulted,
        )  # fmt: skip

    assert classify(ended(1, "stopped_by_ev"), LIMITS) is SessionOutcome.SUCCESS
    assert classify(ended(2, None), LIMITS) is SessionOutcome.SUCCESS  # 1.6: no reason = Local
    for interrupted in ("hard_reset", "reboot", "deauthorized", "unlock_command", "superseded"):
        assert classify(ended(3, interrupted), LIMITS) is SessionOutcome.ERROR_STOP, interrupted
    assert classify(ended(4, "local", faulted=True), LIMITS) is SessionOutcome.FAULT_AFTER

    items = [KpiSession(ended(n, r)) for n, r in ((5, "local"), (6, "reboot"))]
    nothing = replace(ended(7, "ev_disconnected"), energy_wh=0.0, peak_power_w=0.0)
    (row,) = kpis([*items, KpiSession(nothing)], Dimension.STATION, LIMITS)
    assert row.chargex_charge_start_success_rate == 2 / 3  # the third never drew power
    assert row.chargex_session_success_rate == 2 / 3  # ... but ended by a valid trigger
    assert row.chargex_charge_end_success_rate == 1 / 2  # of the two that charged, the reboot
    assert row.success_rate == 1 / 3


def test_a_fault_counts_only_right_after_the_stop_and_before_the_next_session() -> None:
    stop = T0 + timedelta(hours=10)
    port = PortRef("CS-9", 1)
    faulted = frozenset({Condition.FAULTED})

    def fault_at(seconds: float) -> list[PortInterval]:
        return [PortInterval(port, stop + timedelta(seconds=seconds), None, faulted)]

    assert fault_followed(stop, fault_at(5), LIMITS)
    assert fault_followed(stop, fault_at(-30), LIMITS)  # faulted already when it stopped
    assert not fault_followed(stop, fault_at(LIMITS.fault_after_s + 1), LIMITS)
    assert not fault_followed(stop, fault_at(20), LIMITS, next_start=stop + timedelta(seconds=10))
    unavailable = [PortInterval(port, stop, None, frozenset({Condition.UNAVAILABLE}))]
    assert not fault_followed(stop, unavailable, LIMITS)


def test_interop_matrix() -> None:
    cells = {
        (c.vehicle, c.station): (c.attempts, c.successes) for c in interop_matrix(SESSIONS, LIMITS)
    }
    assert cells == {
        ("Hatch", "Forecourt Other-50 @ 1.0.0"): (3, 1),
        ("Hatch", "Forecourt SimDC-150 @ 1.0.0"): (2, 1),
        ("Pickup", "Forecourt SimDC-150 @ 1.0.0"): (1, 1),
    }


RECORD = SessionRecord(
    transaction_id=42,
    station_id="CS-1",
    evse_id=2,
    connector_id=1,
    started_at=datetime(2026, 7, 3, 14, 0, tzinfo=UTC),
    stopped_at=datetime(2026, 7, 3, 14, 1, 30, tzinfo=UTC),
    energy_wh=0.0,
    peak_power_w=0.0,
    stop_reason="other",
    payment_method="card_at_dispenser",
    id_token="04A1B2C3",
    start_soc=21.5,
    end_soc=21.5,
    error_codes=("ConnectorLockFailure",),
)


def test_nevi_session_row_carries_the_error_codes_of_an_unsuccessful_session() -> None:
    row = nevi_session_row(RECORD, SessionOutcome.ZERO_ENERGY)
    assert tuple(row) == NEVI_SESSION_COLUMNS
    assert row["port_id"] == "CS-1/2"
    assert row["successful"] is False
    assert row["error_codes"] == "zero_energy,stop:other,ConnectorLockFailure"
    assert row["session_start"] == "2026-07-03T14:00:00Z"
    assert nevi_session_row(RECORD, SessionOutcome.SUCCESS)["error_codes"] == ""


def test_evchart_row_uses_the_spec_field_names_and_units() -> None:
    row = evchart_session_row(RECORD, SessionOutcome.ZERO_ENERGY)
    assert tuple(row) == EVCHART_SESSION_COLUMNS
    assert row["payment_type"] == "credit_card_terminal"
    assert row["session_duration"] == "00:01:30"
    assert row["charging_duration"] == "00:00:00"
    assert row["start_soc"] == 0.215  # the spec wants 0..1
    assert row["successful_completion"] is False
    assert row["user_id"] is not None
    assert "04A1B2C3" not in json.dumps(row)  # the token never leaves Forecourt


def test_a_stop_before_the_start_has_no_duration_rather_than_a_negative_one() -> None:
    skewed = replace(RECORD, stopped_at=datetime(2026, 7, 3, 13, 58, 30, tzinfo=UTC))
    row = evchart_session_row(skewed, SessionOutcome.ZERO_ENERGY)
    assert (row["session_duration"], row["charging_duration"]) == (None, "00:00:00")
    energetic = replace(skewed, energy_wh=500.0)
    assert evchart_session_row(energetic, SessionOutcome.SUCCESS)["charging_duration"] is None


async def test_quarter_files_from_storage(tmp_path: Path) -> None:
    from forecourt.domain.stations import Site
    from forecourt.reliability.domain.timeline import Transition

    services, database = await make_services(tmp_path, clock=SteppingClock(NOW))
    try:
        await services.network.add_site(Site("S", "Reference site"))
        for station in ("CS-A", "CS-B"):
            await services.network.add_station(station, site_id="S")
        async with database.unit_of_work() as uow:
            for port, steps in TIMELINES.items():
                await uow.repository(RELIABILITY_STORE).intervals.apply(
                    [Transition(port, at(start), conditions) for start, conditions in steps]
                )
            for item in EXCLUSIONS:
                await uow.repository(RELIABILITY_STORE).exclusions.add(item)
            await uow.commit()
        report = await services.feature(RELIABILITY).reports.nevi_quarter("2028Q1")
        files = quarter_csv(report)
        assert set(files) == {"sessions.csv", "uptime.csv", "outages.csv", "evchart_sessions.csv"}
        uptime = list(csv.DictReader(io.StringIO(files["uptime.csv"])))
        assert tuple(uptime[0]) == UPTIME_COLUMNS
        assert len(uptime) == 4 * 3  # four ports, three months
        feb = next(r for r in uptime if r["port_id"] == "CS-A/1" and r["month"] == "2028-02")
        assert (feb["uptime_pct"], feb["t_outage_min"], feb["t_excluded_min"]) == (
            "99.7175",
            "1845.000",
            "360.000",
        )
        outages = list(csv.DictReader(io.StringIO(files["outages.csv"])))
        assert tuple(outages[0]) == OUTAGE_COLUMNS
        leap = next(r for r in outages if r["outage_start"] == "2028-02-29T00:00:00Z")
        assert (leap["duration_min"], leap["excluded_min"]) == ("1440.000", "240.000")
        assert leap["excluded_causes"] == "utility_interruption"
        document = quarter_json(report)
        assert document["quarter"] == "2028Q1"
        assert document["minutes_per_year"] == 525_600
        ports = {p["port_id"]: p for p in document["ports"]}
        assert Decimal(ports["CS-B/1"]["uptime"][1]["uptime_pct"]) == 0
        json.dumps(document)  # serialisable as is
    finally:
        await database.dispose()
