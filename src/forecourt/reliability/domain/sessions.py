"""What one charging session tells about the port: observations and their outcome."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from forecourt.reliability.domain.model import Condition, PortInterval, PortRef
from forecourt.reliability.domain.thresholds import Thresholds


class SessionOutcome(StrEnum):
    SUCCESS = "success"
    ZERO_ENERGY = "zero_energy"  # ended without dispensing anything worth the name
    ERROR_STOP = "error_stop"  # ended by a fault (ground fault, power loss, timeout...)
    FAULT_AFTER = "fault_after"  # ended normally, but the port reported Faulted right after
    SHORT = "short"  # a few minutes and little energy: likely gave up
    NOT_AUTHORIZED = "not_authorized"  # the token was refused: not the port's failure
    ABANDONED = "abandoned"  # plugged in, never identified (e.g. the card was never read)


#: Stop reasons (``StopReason`` values) that end a session normally — ChargeX's valid stop
#: triggers (INL's OCPP 2.0.1 Interim KPI Calculator, ``transaction_parser.valid_stop``:
#: EnergyLimitReached, SOCLimitReached, Local, Remote, StoppedByEV, LocalOutofCredit,
#: TimeLimitReached, EVDisconnected). Every other reason — a fault, a reset or reboot, a
#: deauthorization, an unlock, a session Forecourt closed for the station — interrupted it.
NORMAL_STOP_REASONS = frozenset(
    {
        "energy_limit",
        "soc_limit",
        "local",
        "remote",
        "stopped_by_ev",
        "local_out_of_credit",
        "time_limit",
        "ev_disconnected",
    }
)


#: Stop reasons that are the station's own fault: what the hardware detectors count. A session
#: interrupted otherwise (a reset, a deauthorization) failed the driver, not the connector.
FAULT_STOP_REASONS = frozenset(
    {
        "emergency_stop",
        "ground_fault",
        "overcurrent",
        "power_loss",
        "power_quality",
        "timeout",
        "other",
    }
)


def stopped_by_fault(session: SessionEnd) -> bool:
    return session.stop_reason in FAULT_STOP_REASONS


def ended_normally(session: SessionEnd) -> bool:
    """Stopped for one of :data:`NORMAL_STOP_REASONS` (an unknown reason counts as normal:
    1.6 leaves ``reason`` out for a local stop)."""
    return session.stop_reason is None or session.stop_reason in NORMAL_STOP_REASONS


def charging_began(session: SessionEnd) -> bool:
    """Energy began to flow: ChargeX's "power delivery attempt" (the 2.0.1 ``Charging`` state),
    seen here as any energy or power at all."""
    return session.energy_wh > 0 or session.peak_power_w > 0


@dataclass(frozen=True, slots=True)
class PowerSample:
    """A live reading during a session (from a transaction update)."""

    port: PortRef
    connector_id: int
    transaction_id: int
    at: datetime
    power_w: float | None
    offered_w: float | None
    id_token: str | None = None


@dataclass(frozen=True, slots=True)
class SessionEnd:
    """A finished session, as the detectors and the KPIs see it."""

    port: PortRef
    connector_id: int
    transaction_id: int
    started_at: datetime
    stopped_at: datetime
    energy_wh: float
    peak_power_w: float
    stop_reason: str | None = None
    auth_accepted: bool = True
    id_token: str | None = None
    payment_method: str | None = None
    register_resets: int = 0
    vehicle: str | None = None
    faulted_after: bool = False  # the port reported Faulted within fault_after_s of the stop

    @property
    def duration_s(self) -> float:
        return max(0.0, (self.stopped_at - self.started_at).total_seconds())


def classify(session: SessionEnd, limits: Thresholds) -> SessionOutcome:
    """One outcome per session, the first that applies in this order (the criteria and their
    sources: docs/reliability.md, "Session-reliability KPIs")."""
    if not session.auth_accepted:
        return SessionOutcome.NOT_AUTHORIZED
    if session.energy_wh < limits.min_energy_wh:
        if session.id_token is None and session.payment_method is None:
            return SessionOutcome.ABANDONED
        return SessionOutcome.ZERO_ENERGY
    if not ended_normally(session):
        return SessionOutcome.ERROR_STOP
    if session.faulted_after:
        return SessionOutcome.FAULT_AFTER
    if session.duration_s < limits.short_session_s and session.energy_wh < limits.short_energy_wh:
        return SessionOutcome.SHORT
    return SessionOutcome.SUCCESS


def failed_to_dispense(outcome: SessionOutcome) -> bool:
    """The port took the vehicle but gave it no energy: what makes "Available" a lie."""
    return outcome is SessionOutcome.ZERO_ENERGY


def fault_followed(
    stopped_at: datetime,
    port_intervals: Sequence[PortInterval],
    limits: Thresholds,
    next_start: datetime | None = None,
) -> bool:
    """Whether the port's next state after a session is Faulted: its timeline shows it
    Faulted within ``fault_after_s`` of the stop, before the port's next session began. The
    session "succeeded" into a broken port."""
    until = stopped_at + timedelta(seconds=limits.fault_after_s)
    if next_start is not None:
        until = min(until, next_start)
    return any(
        Condition.FAULTED in i.conditions
        and i.start <= until
        and (i.end is None or i.end > stopped_at)
        for i in port_intervals
    )
