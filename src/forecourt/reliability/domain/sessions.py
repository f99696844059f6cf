"""What one charging session tells about the port: observations and their outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from forecourt.reliability.domain.model import PortRef
from forecourt.reliability.domain.thresholds import Thresholds


class SessionOutcome(StrEnum):
    SUCCESS = "success"
    ZERO_ENERGY = "zero_energy"  # ended without dispensing anything worth the name
    ERROR_STOP = "error_stop"  # ended by a fault (ground fault, power loss, timeout...)
    SHORT = "short"  # a few minutes and little energy: likely gave up
    NOT_AUTHORIZED = "not_authorized"  # the token was refused: not the port's failure
    ABANDONED = "abandoned"  # plugged in, never identified (e.g. the card was never read)


#: Stop reasons (``StopReason`` values) that mean something went wrong at the station.
ERROR_STOP_REASONS = frozenset(
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

    @property
    def duration_s(self) -> float:
        return max(0.0, (self.stopped_at - self.started_at).total_seconds())


def classify(session: SessionEnd, limits: Thresholds) -> SessionOutcome:
    """One outcome per session, the first that applies in this order."""
    if not session.auth_accepted:
        return SessionOutcome.NOT_AUTHORIZED
    if session.energy_wh < limits.min_energy_wh:
        if session.id_token is None and session.payment_method is None:
            return SessionOutcome.ABANDONED
        return SessionOutcome.ZERO_ENERGY
    if session.stop_reason in ERROR_STOP_REASONS:
        return SessionOutcome.ERROR_STOP
    if session.duration_s < limits.short_session_s and session.energy_wh < limits.short_energy_wh:
        return SessionOutcome.SHORT
    return SessionOutcome.SUCCESS


def failed_to_dispense(outcome: SessionOutcome) -> bool:
    """The port took the vehicle but gave it no energy: what makes "Available" a lie."""
    return outcome is SessionOutcome.ZERO_ENERGY
