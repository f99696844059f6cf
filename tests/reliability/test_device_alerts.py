"""A station's own monitors (2.0.1 NotifyEvent, published as ``device.event``) open and clear
a device alert fault; mild severities and periodic reports do not."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from forecourt.reliability.domain.detectors.device import DeviceAlertWatch
from forecourt.reliability.domain.model import FaultKind, Severity

AT = datetime(2026, 12, 7, 12, tzinfo=UTC)


def event(**changes: Any) -> dict[str, Any]:
    data = {"key": "ChargingStation.Temperature", "evse_id": None, "trigger": "alerting",
            "actual_value": "85", "severity": 3, "monitor_id": 1, "cleared": False}  # fmt: skip
    return data | changes


def test_an_alert_opens_a_fault_and_its_clearing_closes_it() -> None:
    watch = DeviceAlertWatch("CS-1")

    [opened] = watch.on_event(event(), AT)
    assert watch.on_event(event(), AT)[0].active  # repeated alerts refresh the same fault
    [closed] = watch.on_event(event(cleared=True, actual_value="60"), AT)

    assert (opened.kind, opened.active, opened.severity) == (
        FaultKind.DEVICE_ALERT,
        True,
        Severity.MAJOR,
    )
    assert opened.explanation == (
        "The station reports ChargingStation.Temperature = 85 (severity 3)"
    )
    assert not closed.active
    assert watch.on_event(event(cleared=True), AT) == []  # nothing open any more


def test_mild_or_unknown_severities_and_periodic_reports_are_not_faults() -> None:
    watch = DeviceAlertWatch("CS-1")
    assert watch.on_event(event(severity=7), AT) == []
    assert watch.on_event(event(severity=None), AT) == []
    assert watch.on_event(event(trigger="periodic"), AT) == []
    [danger] = watch.on_event(event(severity=0, evse_id=2), AT)
    assert (danger.severity, danger.evse_id) == (Severity.CRITICAL, 2)
