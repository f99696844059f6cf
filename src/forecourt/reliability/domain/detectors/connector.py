"""Connector faults (latch, pins, cable): one connector's sessions keep failing to dispense
energy while a sibling connector of the same station keeps working.

The sibling is what separates a broken connector from a broken station or a bad night: the
same failures on every connector point elsewhere (power, network, payment).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from forecourt.reliability.domain.model import FaultKind, Finding, PortRef, cleared
from forecourt.reliability.domain.sessions import SessionEnd, SessionOutcome, stopped_by_fault
from forecourt.reliability.domain.thresholds import Thresholds


@dataclass(slots=True)
class _Failure:
    transaction_id: int
    at: datetime
    outcome: SessionOutcome
    stop_reason: str | None
    energy_wh: float


@dataclass(slots=True)
class ConnectorWatch:
    """All connectors of one station (siblings must see each other)."""

    station_id: str
    _streaks: dict[tuple[int, int], list[_Failure]] = field(default_factory=dict)
    _last_success: dict[tuple[int, int], datetime] = field(default_factory=dict)
    _active: set[tuple[int, int]] = field(default_factory=set)

    def on_end(
        self, session: SessionEnd, outcome: SessionOutcome, limits: Thresholds
    ) -> list[Finding]:
        key = (session.port.evse_id, session.connector_id)
        if outcome is SessionOutcome.NOT_AUTHORIZED:
            return []  # the driver's token, not the connector
        if outcome is SessionOutcome.SUCCESS:
            return self._succeeded(key, session.stopped_at)
        if outcome not in (SessionOutcome.ZERO_ENERGY, SessionOutcome.ERROR_STOP):
            return []
        if outcome is SessionOutcome.ERROR_STOP and not stopped_by_fault(session):
            return []  # interrupted (a reset, a deauthorization), not by the hardware
        streak = self._streaks.setdefault(key, [])
        streak.append(
            _Failure(
                session.transaction_id,
                session.stopped_at,
                outcome,
                session.stop_reason,
                session.energy_wh,
            )
        )
        if len(streak) < limits.connector_failures:
            return []
        self._active.add(key)
        return [self._finding(key, streak)]

    def _succeeded(self, key: tuple[int, int], at: datetime) -> list[Finding]:
        self._last_success[key] = at
        self._streaks.pop(key, None)
        if key not in self._active:
            return []
        self._active.discard(key)
        why = f"connector {key[1]} completed a session again"
        return [cleared(FaultKind.CONNECTOR, self.station_id, key[0], at, why)]

    def _finding(self, key: tuple[int, int], streak: list[_Failure]) -> Finding:
        since = streak[0].at
        siblings = sorted(
            f"{evse}/{connector}"
            for (evse, connector), at in self._last_success.items()
            if (evse, connector) != key and at >= since
        )
        confidence = 0.9 if siblings else 0.65
        reasons = sorted({f.stop_reason or "unknown" for f in streak})
        text = (
            f"Connector {key[1]} of EVSE {key[0]}: the last {len(streak)} sessions ended without "
            f"energy (stop reasons: {', '.join(reasons)})"
        )
        text += (
            f", while {', '.join(siblings)} charged normally: a latch, pin or cable fault."
            if siblings
            else "; no sibling connector charged meanwhile to compare with."
        )
        evidence = {
            "connector_id": key[1],
            "failed_sessions": [f.transaction_id for f in streak][-10:],
            "stop_reasons": reasons,
            "outcomes": sorted({f.outcome.value for f in streak}),
            "working_siblings": siblings,
        }
        port = PortRef(self.station_id, key[0])
        return Finding(
            FaultKind.CONNECTOR, port.station_id, port.evse_id, streak[-1].at, confidence, text,
            evidence,
        )  # fmt: skip
