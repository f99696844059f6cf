"""Power detectors of one port: thermal/cooling derating and lost power modules.

* **Derated**: the station itself lowers Power.Offered below the port's rating while the
  vehicle takes all it is offered (delivered ≈ offered, so the limit is the station's, not the
  car's). One such session is an observation; several within the recent sessions, ideally
  from different vehicles, is a pattern.
* **Power-module loss**: delivered power stops at the same ceiling, a clear step below the
  port's best, session after session, while Power.Offered still claims the full rating (the
  station does not know, or does not say). Vehicle-limited sessions (a 50 kW car) are told
  apart because they stop below the ceiling, not at it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from forecourt.reliability.domain.model import FaultKind, Finding, PortRef, cleared
from forecourt.reliability.domain.sessions import PowerSample, SessionEnd
from forecourt.reliability.domain.thresholds import Thresholds


@dataclass(slots=True)
class _SessionPower:
    transaction_id: int
    samples: int = 0
    derated: int = 0
    max_offered_w: float = 0.0
    min_derated_offer_w: float | None = None
    max_power_w: float = 0.0
    at_peak: int = 0  # samples within 3 % of the running peak: a flat top


@dataclass(slots=True)
class _Capped:
    peak_w: float
    token: str | None
    transaction_id: int


@dataclass(slots=True)
class PowerWatch:
    port: PortRef
    rated_w: float | None = None  # from connectors / EVSE / model thresholds
    learned_offer_w: float = 0.0  # the most the station ever offered here
    best_peak_w: float = 0.0  # the most it ever delivered in one session
    derate_active: bool = False
    derated_offer_w: float | None = None
    module_active: bool = False
    ceiling_w: float | None = None
    _session: _SessionPower | None = None
    _recent: deque[tuple[bool, str | None, float | None]] = field(
        default_factory=lambda: deque(maxlen=20)
    )
    _capped: list[_Capped] = field(default_factory=list)

    # -- what the port can give ------------------------------------------------------------
    @property
    def reference_w(self) -> float | None:
        """The power this port should offer: its rating, else the most it ever offered."""
        return self.rated_w or (self.learned_offer_w or None)

    @property
    def capability_w(self) -> float | None:
        """What the port can give today, given the faults found (None: unknown)."""
        limits = [w for w in (self.reference_w, self._derate_limit(), self._module_limit()) if w]
        return min(limits) if limits else None

    def _derate_limit(self) -> float | None:
        return self.derated_offer_w if self.derate_active else None

    def _module_limit(self) -> float | None:
        return self.ceiling_w if self.module_active else None

    def expected_peak_w(self) -> float | None:
        """What a capable vehicle should reach here: the best so far, within the rating."""
        candidates = [w for w in (self.reference_w, self.best_peak_w) if w]
        return min(candidates) if candidates else None

    # -- observations ------------------------------------------------------------------------
    def on_sample(self, sample: PowerSample, limits: Thresholds) -> None:
        current = self._session
        if current is None or current.transaction_id != sample.transaction_id:
            current = self._session = _SessionPower(sample.transaction_id)
        offered, power = sample.offered_w, sample.power_w
        if offered:
            self.learned_offer_w = max(self.learned_offer_w, offered)
            current.max_offered_w = max(current.max_offered_w, offered)
        if power is None:
            return
        if power >= current.max_power_w * 0.97:
            current.at_peak = current.at_peak + 1 if power <= current.max_power_w * 1.03 else 1
        current.max_power_w = max(current.max_power_w, power)
        reference = self.reference_w
        if not (offered and reference and power > 0):
            return
        current.samples += 1
        if offered < reference * limits.derate_ratio and power >= offered * limits.binding_ratio:
            current.derated += 1
            low = current.min_derated_offer_w
            current.min_derated_offer_w = offered if low is None else min(low, offered)

    def on_end(self, session: SessionEnd, dispensed: bool, limits: Thresholds) -> list[Finding]:
        """Findings from a finished session (``dispensed``: it gave real energy)."""
        power = self._take_session(session.transaction_id)
        if not dispensed:
            return []
        peak = max(session.peak_power_w, power.max_power_w if power else 0.0)
        derated = power is not None and _was_derated(power, limits)
        offer = power.min_derated_offer_w if derated and power else None
        self._recent.append((derated, session.id_token, offer))
        findings = self._derate_findings(session, derated, limits)
        findings += self._module_findings(session, peak, power, derated, limits)
        if not self._capped and not derated:
            self.best_peak_w = max(self.best_peak_w, peak)
        return findings

    def is_normal(self, session: SessionEnd, limits: Thresholds) -> bool:
        """A session at normal power: what verifies a power repair."""
        expected = self.expected_peak_w()
        if expected is None or self.derate_active or self.module_active:
            return not (self.derate_active or self.module_active)
        return session.peak_power_w >= expected * limits.normal_power_ratio

    def _take_session(self, transaction_id: int) -> _SessionPower | None:
        power, self._session = self._session, None
        return power if power is not None and power.transaction_id == transaction_id else None

    # -- derating ----------------------------------------------------------------------------
    def _derate_findings(
        self, session: SessionEnd, derated: bool, limits: Thresholds
    ) -> list[Finding]:
        if not derated:
            if self.derate_active:
                self.derate_active, self.derated_offer_w = False, None
                why = "a session ran at the full offered power again"
                return [cleared(FaultKind.DERATED, *self._where(), session.stopped_at, why)]
            return []
        window = list(self._recent)[-limits.derate_window :]
        hits = [(token, offer) for was, token, offer in window if was]
        vehicles = len({token for token, _ in hits if token})
        offers = [offer for _, offer in hits if offer]
        pattern = len(hits) >= limits.derate_sessions
        if pattern:
            self.derate_active = True
            self.derated_offer_w = min(offers) if offers else None
        confidence = _pattern_confidence(len(hits), vehicles, pattern)
        return [self._derate_finding(session.stopped_at, hits, vehicles, offers, confidence)]

    def _derate_finding(
        self,
        at: datetime,
        hits: list[tuple[str | None, float | None]],
        vehicles: int,
        offers: list[float],
        confidence: float,
    ) -> Finding:
        rated = self.reference_w or 0.0
        offered = min(offers) if offers else 0.0
        kw = f"~{offered / 1000:.0f} kW of {rated / 1000:.0f} kW"
        if len(hits) < 2:
            text = f"One session was derated ({kw}); watching whether it repeats."
        else:
            text = (
                f"The station itself limited {len(hits)} recent sessions from {vehicles or 1} "
                f"vehicle(s) to {kw}, while the vehicles took all they were offered: a cooling "
                "or thermal problem is likely."
            )
        evidence = {
            "rated_w": rated,
            "offered_w": offered,
            "derated_sessions": len(hits),
            "vehicles": vehicles,
        }
        return Finding(FaultKind.DERATED, *self._where(), at, confidence, text, evidence)

    # -- lost power modules ---------------------------------------------------------------------
    def _module_findings(
        self,
        session: SessionEnd,
        peak: float,
        power: _SessionPower | None,
        derated: bool,
        limits: Thresholds,
    ) -> list[Finding]:
        best = self.best_peak_w
        if derated or power is None or best <= 0:
            return []
        if self._capped and peak > _ceiling(self._capped) * (1 + limits.module_plateau_ratio):
            return self._module_recovered(session.stopped_at)
        offer_claims_full = power.max_offered_w >= best * 0.95
        stepped = peak <= best * (1 - limits.module_step_ratio)
        flat = power.at_peak >= 3
        if not (offer_claims_full and stepped and flat):
            return []
        if self._capped and peak < _ceiling(self._capped) * (1 - limits.module_plateau_ratio):
            return []  # stopped below the ceiling: the vehicle's own limit, not evidence
        self._capped.append(_Capped(peak, session.id_token, session.transaction_id))
        if len(self._capped) < limits.module_sessions:
            return []
        self.module_active, self.ceiling_w = True, _ceiling(self._capped)
        return [self._module_finding(session.stopped_at, best)]

    def _module_recovered(self, at: datetime) -> list[Finding]:
        was_active = self.module_active
        self._capped.clear()
        self.module_active, self.ceiling_w = False, None
        if not was_active:
            return []
        why = "a session went above the former ceiling"
        return [cleared(FaultKind.POWER_MODULE_LOSS, *self._where(), at, why)]

    def _module_finding(self, at: datetime, best: float) -> Finding:
        ceiling = _ceiling(self._capped)
        vehicles = len({c.token for c in self._capped if c.token})
        # One vehicle model stopping at the same power could be the car's own limit: a ceiling
        # shared by different vehicles is what makes it the station's.
        confidence = min(0.95, 0.25 + 0.1 * len(self._capped) + (0.25 if vehicles > 1 else 0.0))
        text = (
            f"Delivered power stops at ~{ceiling / 1000:.0f} kW in {len(self._capped)} sessions "
            f"in a row, a step down from ~{best / 1000:.0f} kW, while the station still offers "
            "full power: a failed power module is likely."
        )
        evidence = {
            "best_peak_w": best,
            "ceiling_w": ceiling,
            "step_w": best - ceiling,
            "sessions": [c.transaction_id for c in self._capped][-10:],
            "vehicles": vehicles,
        }
        return Finding(FaultKind.POWER_MODULE_LOSS, *self._where(), at, confidence, text, evidence)

    def _where(self) -> tuple[str, int]:
        return self.port.station_id, self.port.evse_id


def _was_derated(power: _SessionPower, limits: Thresholds) -> bool:
    return power.derated >= limits.derate_min_samples and power.derated * 2 >= power.samples


def _ceiling(capped: list[_Capped]) -> float:
    return max(c.peak_w for c in capped)


def _pattern_confidence(sessions: int, vehicles: int, pattern: bool) -> float:
    if not pattern:
        return 0.35
    return min(0.95, 0.5 + 0.1 * sessions + (0.15 if vehicles > 1 else 0.0))
