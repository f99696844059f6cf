"""The vocabulary of reliability: ports, their conditions, outages, exclusions and findings.

A *port* is what NEVI counts and what OCPP calls an EVSE: the equipment that charges one
vehicle at a time, whatever number of cables (connectors) it carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, slots=True, order=True)
class PortRef:
    station_id: str
    evse_id: int

    def __str__(self) -> str:
        return f"{self.station_id}/{self.evse_id}"


class Condition(StrEnum):
    """Why a port cannot dispense energy right now. No condition means the port is up."""

    OFFLINE = "offline"  # the station is not connected
    UNREACHABLE = "unreachable"  # connected but not answering (half-open, silent socket)
    FAULTED = "faulted"  # the station says so (StatusNotification Faulted)
    UNAVAILABLE = "unavailable"  # taken out of service (Unavailable / Inoperative)
    FAILING_SESSIONS = "failing_sessions"  # "Available", but every recent session failed
    BELOW_MIN_POWER = "below_min_power"  # charges, but below the minimum power level
    SILENT = "silent"  # a busy port that stopped taking sessions altogether


class PortState(StrEnum):
    UP = "up"
    DOWN = "down"


def state_of(conditions: frozenset[Condition]) -> PortState:
    return PortState.DOWN if conditions else PortState.UP


@dataclass(slots=True)
class PortInterval:
    """One stretch of a port's timeline with one set of conditions; ``end`` None = still open."""

    port: PortRef
    start: datetime
    end: datetime | None
    conditions: frozenset[Condition] = frozenset()
    id: int = 0

    @property
    def state(self) -> PortState:
        return state_of(self.conditions)

    @property
    def down(self) -> bool:
        return bool(self.conditions)


class ExclusionCause(StrEnum):
    """Outage causes outside the operator's control that NEVI lets it exclude (T_excluded)."""

    UTILITY_INTERRUPTION = "utility_interruption"
    NETWORK_PROVIDER_OUTAGE = "network_provider_outage"
    VEHICLE_FAULT = "vehicle_fault"
    SCHEDULED_MAINTENANCE = "scheduled_maintenance"
    VANDALISM = "vandalism"
    NATURAL_DISASTER = "natural_disaster"
    OUTSIDE_HOURS = "outside_hours"  # outside the station's identified hours of operation


@dataclass(slots=True)
class Exclusion:
    """An operator's classification of outage time on a port (or every port of a station).

    ``evidence`` keeps what proves the cause: utility ticket numbers, photos, work orders.
    """

    station_id: str
    evse_id: int | None  # None: every port of the station
    start: datetime
    end: datetime
    cause: ExclusionCause
    evidence: list[str] = field(default_factory=list)
    note: str = ""
    created_by: str = ""
    created_at: datetime | None = None
    id: int = 0

    def covers(self, port: PortRef) -> bool:
        return port.station_id == self.station_id and self.evse_id in (None, port.evse_id)


class FaultKind(StrEnum):
    DERATED = "derated"
    POWER_MODULE_LOSS = "power_module_loss"
    CONNECTOR = "connector"  # latch, pins, cable: one connector fails while its sibling works
    PAYMENT_READER = "payment_reader"
    OFFLINE = "offline"
    HALF_OPEN = "half_open"
    RECONNECT_LOOP = "reconnect_loop"
    SILENT_OUTAGE = "silent_outage"
    CLOCK_DRIFT = "clock_drift"
    METER_ANOMALY = "meter_anomaly"
    DEVICE_ALERT = "device_alert"  # the station's own monitor tripped (2.0.1 NotifyEvent)
    PROFILE_EXCEEDED = "profile_exceeded"  # draws above the charging profile it accepted
    CERTIFICATE = "certificate"  # its client certificate near expiry, renewal not triggered
    CHARGEX = "chargex_error"  # the station reports a ChargeX error code (CX001…CX026)


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"

    @property
    def rank(self) -> int:
        """Higher is worse."""
        return {Severity.MINOR: 1, Severity.MAJOR: 2, Severity.CRITICAL: 3}[self]


#: How bad each fault is by default (a driver cannot charge at all → critical).
DEFAULT_SEVERITY: dict[FaultKind, Severity] = {
    FaultKind.DERATED: Severity.MAJOR,
    FaultKind.POWER_MODULE_LOSS: Severity.MAJOR,
    FaultKind.CONNECTOR: Severity.MAJOR,
    FaultKind.PAYMENT_READER: Severity.MAJOR,
    FaultKind.OFFLINE: Severity.CRITICAL,
    FaultKind.HALF_OPEN: Severity.MAJOR,
    FaultKind.RECONNECT_LOOP: Severity.MINOR,
    FaultKind.SILENT_OUTAGE: Severity.CRITICAL,
    FaultKind.CLOCK_DRIFT: Severity.MINOR,
    FaultKind.METER_ANOMALY: Severity.MINOR,
    FaultKind.DEVICE_ALERT: Severity.MAJOR,
    FaultKind.PROFILE_EXCEEDED: Severity.MAJOR,
    FaultKind.CERTIFICATE: Severity.MAJOR,
    FaultKind.CHARGEX: Severity.MAJOR,  # each code's own category sets it (domain/chargex.py)
}


@dataclass(frozen=True, slots=True)
class Finding:
    """What a detector concluded from the observations so far.

    ``active`` False means the condition it reported has cleared. ``evse_id`` None: the whole
    station. ``confidence`` is 0..1; below the ticket threshold a finding is only recorded.
    """

    kind: FaultKind
    station_id: str
    evse_id: int | None
    at: datetime
    confidence: float
    explanation: str
    evidence: dict[str, Any] = field(default_factory=dict)
    active: bool = True
    severity: Severity | None = None  # None: DEFAULT_SEVERITY[kind]

    @property
    def effective_severity(self) -> Severity:
        return self.severity or DEFAULT_SEVERITY[self.kind]

    @property
    def key(self) -> tuple[str, FaultKind, int | None]:
        return (self.station_id, self.kind, self.evse_id)


def cleared(
    kind: FaultKind, station_id: str, evse_id: int | None, at: datetime, why: str
) -> Finding:
    """A finding that says a fault went away."""
    return Finding(kind, station_id, evse_id, at, 1.0, why, active=False)


@dataclass(slots=True)
class Fault:
    """A finding as stored: deduplicated by (station, kind, port), counted and dated."""

    station_id: str
    evse_id: int | None
    kind: FaultKind
    severity: Severity
    confidence: float
    explanation: str
    evidence: dict[str, Any]
    first_seen: datetime
    last_seen: datetime
    occurrences: int = 1
    active: bool = True
    cleared_at: datetime | None = None
    ticket_id: int | None = None
    id: int = 0
