"""Station clock drift and meter anomalies (register resets, impossible power or energy).

Both matter for billing and for regulators: a session's energy and times must be right.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from forecourt.reliability.domain.model import FaultKind, Finding, cleared
from forecourt.reliability.domain.sessions import PowerSample, SessionEnd
from forecourt.reliability.domain.thresholds import Thresholds


@dataclass(slots=True)
class DriftWatch:
    station_id: str
    active: bool = False
    last_drift_s: float | None = None

    def on_drift(self, drift_s: float, at: datetime, limits: Thresholds) -> list[Finding]:
        if drift_s == self.last_drift_s:
            return []
        self.last_drift_s = drift_s
        beyond = abs(drift_s) >= limits.clock_drift_s
        if beyond and not self.active:
            self.active = True
            ahead = "ahead of" if drift_s > 0 else "behind"
            text = (
                f"The station's clock is {abs(drift_s):.0f} s {ahead} ours (limit "
                f"{limits.clock_drift_s:.0f} s): session times and offline records are skewed."
            )
            evidence = {"drift_s": drift_s, "limit_s": limits.clock_drift_s}
            return [Finding(FaultKind.CLOCK_DRIFT, self.station_id, None, at, 0.9, text, evidence)]
        if not beyond and self.active:
            self.active = False
            why = f"the clock is back within {limits.clock_drift_s:.0f} s"
            return [cleared(FaultKind.CLOCK_DRIFT, self.station_id, None, at, why)]
        return []


@dataclass(slots=True)
class MeterWatch:
    """Meter plausibility for one port. Anomalies stay until a person resolves them."""

    station_id: str
    evse_id: int
    _resets: dict[int, int] = field(default_factory=dict)  # resets seen per transaction

    def on_sample(
        self, sample: PowerSample, rated_w: float | None, limits: Thresholds
    ) -> list[Finding]:
        power = sample.power_w
        if power is None:
            return []
        if power < 0:
            return [self._anomaly(sample.at, f"negative power {power:.0f} W", sample)]
        if rated_w and power > rated_w * limits.implausible_power_ratio:
            why = f"power {power / 1000:.1f} kW on a port rated {rated_w / 1000:.0f} kW"
            return [self._anomaly(sample.at, why, sample)]
        return []

    def on_resets(self, transaction_id: int, resets: int, at: datetime) -> list[Finding]:
        seen = self._resets.get(transaction_id, 0)
        if resets <= seen:
            return []
        self._resets[transaction_id] = resets
        if len(self._resets) > 100:  # only recent transactions matter
            self._resets.pop(next(iter(self._resets)))
        why = f"the energy register went backwards {resets} time(s) during one session"
        return [self._anomaly(at, why, None, transaction_id=transaction_id, resets=resets)]

    def on_end(
        self, session: SessionEnd, rated_w: float | None, limits: Thresholds
    ) -> list[Finding]:
        findings = self.on_resets(
            session.transaction_id, session.register_resets, session.stopped_at
        )
        if session.energy_wh < 0:
            why = f"negative session energy {session.energy_wh:.0f} Wh"
            findings.append(
                self._anomaly(session.stopped_at, why, None, transaction_id=session.transaction_id)
            )
        elif rated_w and session.duration_s > 0:
            possible = rated_w * session.duration_s / 3600 * limits.implausible_power_ratio
            if session.energy_wh > possible + 1_000:
                why = (
                    f"{session.energy_wh / 1000:.1f} kWh in {session.duration_s / 60:.0f} min is "
                    f"more than a {rated_w / 1000:.0f} kW port can deliver"
                )
                findings.append(
                    self._anomaly(
                        session.stopped_at, why, None, transaction_id=session.transaction_id
                    )
                )
        return findings

    def _anomaly(
        self, at: datetime, why: str, sample: PowerSample | None, **evidence: object
    ) -> Finding:
        if sample is not None:
            evidence["transaction_id"] = sample.transaction_id
            evidence["power_w"] = sample.power_w
        text = f"Meter anomaly: {why}. Energy records of this port need checking."
        return Finding(
            FaultKind.METER_ANOMALY, self.station_id, self.evse_id, at, 0.7, text, dict(evidence)
        )
