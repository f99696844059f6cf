"""Alerts a station raises itself: a monitor of its device model tripped (OCPP 2.0.1
NotifyEvent, published by the core as ``device.event``), e.g. a temperature above its limit.

Severity 0-4 (danger, hardware failure, system failure, critical, error) is a fault; milder
events are the operator's own monitoring, not reliability's. A ``cleared`` event ends it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from forecourt.reliability.domain.chargex import lookup
from forecourt.reliability.domain.model import FaultKind, Finding, Severity, cleared

#: Monitor severities that are faults (OCPP 2.0.1 severity levels 0-4).
FAULT_SEVERITY = 4
_SEVERITY = {0: Severity.CRITICAL, 1: Severity.CRITICAL, 2: Severity.CRITICAL}


@dataclass(slots=True)
class DeviceAlertWatch:
    station_id: str
    _active: set[tuple[str, int | None]] = field(default_factory=set)

    def on_event(self, data: dict[str, Any], at: datetime) -> list[Finding]:
        key, evse_id = str(data.get("key", "")), data.get("evse_id")
        severity = data.get("severity")
        if data.get("trigger") != "alerting" or severity is None or severity > FAULT_SEVERITY:
            return []
        if lookup(str(data.get("tech_code") or "")) is not None:
            return []  # a ChargeX code: its own rule (detectors/chargex.py)
        where = (key, evse_id if isinstance(evse_id, int) else None)
        if data.get("cleared"):
            if where not in self._active:
                return []
            self._active.discard(where)
            why = f"{key} is back to normal ({data.get('actual_value')})"
            return [cleared(FaultKind.DEVICE_ALERT, self.station_id, where[1], at, why)]
        self._active.add(where)
        text = f"The station reports {key} = {data.get('actual_value')} (severity {severity})"
        evidence = {
            "key": key,
            "actual_value": data.get("actual_value"),
            "monitor_id": data.get("monitor_id"),
            "severity": severity,
            "tech_code": data.get("tech_code", ""),
        }
        finding = Finding(
            FaultKind.DEVICE_ALERT, self.station_id, where[1], at, 1.0, text, evidence,
            severity=_SEVERITY.get(severity, Severity.MAJOR),
        )  # fmt: skip
        return [finding]
