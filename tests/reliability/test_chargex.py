"""ChargeX error codes (CX001…CX026): the table, and one rule for 1.6 status reports and
2.0.1/2.1 events (pure: no server)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from forecourt.reliability.domain.chargex import (
    CODES,
    VENDOR_ID,
    ChargeXCategory,
    codes_in,
    is_chargex_vendor,
    lookup,
)
from forecourt.reliability.domain.detectors.chargex import ChargeXWatch
from forecourt.reliability.domain.detectors.device import DeviceAlertWatch
from forecourt.reliability.domain.model import FaultKind, Severity

AT = datetime(2026, 12, 7, 12, tzinfo=UTC)


def test_the_table_has_every_code_once_with_a_source() -> None:
    assert list(CODES) == [f"CX{n:03d}" for n in range(1, 27)]
    for entry in CODES.values():
        assert entry.meaning
        assert entry.source
        assert entry.name
        assert entry.responsible
    assert CODES["CX001"].name == "ConnectorLockFailure"
    assert CODES["CX002"].severity is Severity.CRITICAL
    assert CODES["CX003"].category is ChargeXCategory.THERMAL


def test_the_five_codes_once_unsourced_have_the_reports_meaning() -> None:
    named = {code: (CODES[code].name, CODES[code].category) for code in
             ("CX007", "CX012", "CX013", "CX016", "CX021")}  # fmt: skip
    assert named == {
        "CX007": ("WeakSignal", ChargeXCategory.COMMUNICATION),
        "CX012": ("PreChargeFailure", ChargeXCategory.POWER),
        "CX013": ("NoInternet", ChargeXCategory.COMMUNICATION),
        "CX016": ("EVContactorFault", ChargeXCategory.VEHICLE),
        "CX021": ("CapacitanceFault", ChargeXCategory.SAFETY),
    }
    assert CODES["CX016"].severity is Severity.MINOR  # the car's contactor: not the port's
    assert CODES["CX021"].severity is Severity.CRITICAL
    assert CODES["CX013"].as_dict()["responsible"] == "CSO, EVSE"


def test_codes_are_read_forgivingly_but_only_chargex_ones() -> None:
    assert lookup(" cx025 ") == CODES["CX025"]
    assert lookup("CX027") is None
    assert lookup("CX1") is None
    assert lookup("ConnectorLockFailure") is None
    assert [c.code for c in codes_in("CX001,CX003")] == ["CX001", "CX003"]
    assert is_chargex_vendor(VENDOR_ID)
    assert is_chargex_vendor("https://chargex.inl.gov/")
    assert not is_chargex_vendor("com.evgo.mrec")


def test_a_16_status_report_raises_and_its_next_report_clears() -> None:
    watch = ChargeXWatch("CS-1")
    [raised] = watch.on_status(1, 1, VENDOR_ID, "CX001", AT)
    assert (raised.kind, raised.evse_id, raised.active) == (FaultKind.CHARGEX, 1, True)
    assert raised.severity is Severity.CRITICAL
    assert raised.evidence["codes"][0]["name"] == "ConnectorLockFailure"
    assert raised.evidence["via"] == "StatusNotification"
    assert "CX001 ConnectorLockFailure" in raised.explanation
    assert watch.on_status(1, 1, VENDOR_ID, "CX001", AT) == []  # unchanged: nothing new
    assert [c.code for c in watch.active(1)] == ["CX001"]
    [cleared] = watch.on_status(1, 1, "", "", AT)
    assert not cleared.active
    assert watch.active(1) == []


def test_another_vendors_cx_code_is_not_chargex() -> None:
    watch = ChargeXWatch("CS-1")
    assert watch.on_status(1, 1, "com.example", "CX001", AT) == []
    assert watch.on_status(1, 1, "", "GroundFailure", AT) == []


def event(**changes: Any) -> dict[str, Any]:
    data = {"key": "EVSE.Problem", "evse_id": 2, "trigger": "alerting", "actual_value": "true",
            "tech_code": "CX018", "cleared": False, "severity": None}  # fmt: skip
    return data | changes


def test_events_raise_and_clear_per_code_with_the_worst_severity() -> None:
    watch = ChargeXWatch("CS-1")
    [thermal] = watch.on_event(event(), AT)
    assert thermal.severity is Severity.MAJOR
    [both] = watch.on_event(event(tech_code="CX022"), AT)
    assert [c["code"] for c in both.evidence["codes"]] == ["CX018", "CX022"]
    assert both.severity is Severity.CRITICAL
    [one_left] = watch.on_event(event(tech_code="CX022", cleared=True), AT)
    assert one_left.active
    assert [c["code"] for c in one_left.evidence["codes"]] == ["CX018"]
    [gone] = watch.on_event(event(cleared=True), AT)
    assert not gone.active
    assert watch.on_event(event(tech_code="E42"), AT) == []


def test_a_station_wide_code_shows_on_every_port() -> None:
    watch = ChargeXWatch("CS-1")
    [raised] = watch.on_event(event(evse_id=None, tech_code="CX015"), AT)
    assert raised.evidence["codes"][0]["category"] == "grid"
    assert raised.evse_id is None
    assert [c.code for c in watch.active(1)] == ["CX015"]


def test_the_device_alert_rule_leaves_chargex_codes_to_their_own_rule() -> None:
    assert DeviceAlertWatch("CS-1").on_event(event(severity=1), AT) == []
    assert DeviceAlertWatch("CS-1").on_event(event(severity=1, tech_code=""), AT) != []
