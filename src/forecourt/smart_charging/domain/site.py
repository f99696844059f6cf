"""A site's grid limit: a base value, optional daily windows, and an external signal.

The limit in force is the lowest that applies: the base (or the daily window covering the
instant) and, until it ends, an external signal such as a utility demand-response event.
Amps are per phase and converted with the site's voltage and phases. A per-phase limit in
amps may hold besides the total (``phases.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from forecourt.domain.charging_profiles import NOMINAL_VOLTAGE, RateUnit, to_watts
from forecourt.domain.errors import InvalidInput
from forecourt.smart_charging.domain.phases import PhaseLimit

MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, slots=True)
class DailyWindow:
    """From ``start_minute`` to ``end_minute`` after midnight (UTC), the limit is ``limit``
    instead of the base (e.g. 17:00-21:00 peak hours: 1020-1260)."""

    start_minute: int
    end_minute: int
    limit: float

    def validate(self) -> None:
        if not 0 <= self.start_minute < self.end_minute <= MINUTES_PER_DAY:
            raise InvalidInput("a daily window is start < end, both within 0..1440 minutes")
        if self.limit < 0:
            raise InvalidInput("a window's limit must be >= 0")

    def covers(self, at: datetime) -> bool:
        minute = at.hour * 60 + at.minute
        return self.start_minute <= minute < self.end_minute


@dataclass(frozen=True, slots=True)
class LimitSignal:
    """An external limit until ``until`` (demand response, a utility's flexibility call)."""

    limit: float
    until: datetime
    source: str = "api"


@dataclass(frozen=True, slots=True)
class SiteLimit:
    site_id: str
    limit: float
    unit: RateUnit = RateUnit.WATTS
    phases: int = 3
    voltage: float = NOMINAL_VOLTAGE
    windows: tuple[DailyWindow, ...] = ()
    signal: LimitSignal | None = None
    phase_limit_a: float | None = None  # on every phase, besides the total (None: total only)

    def phase_limit(self) -> PhaseLimit | None:
        return None if self.phase_limit_a is None else PhaseLimit(self.phase_limit_a, self.voltage)

    def validate(self) -> None:
        if not 0 <= self.limit < 1e9:
            raise InvalidInput(f"a grid limit must be >= 0, got {self.limit}")
        if self.phases not in (1, 2, 3):
            raise InvalidInput(f"phases must be 1, 2 or 3, got {self.phases}")
        if self.phase_limit_a is not None and not 0 <= self.phase_limit_a < 1e6:
            raise InvalidInput(f"a phase limit must be >= 0 A, got {self.phase_limit_a}")
        if not 50 <= self.voltage <= 1000:
            raise InvalidInput(f"voltage must be 50..1000 V, got {self.voltage}")
        for window in self.windows:
            window.validate()
        if self.signal is not None:
            if self.signal.limit < 0:
                raise InvalidInput("a signal's limit must be >= 0")
            if self.signal.until.tzinfo is None:
                raise InvalidInput("a signal's end needs a time zone")

    def watts(self, value: float) -> float:
        return to_watts(value, self.unit, self.phases, self.voltage)

    def watts_at(self, at: datetime) -> float:
        """The limit in force at ``at``, in watts."""
        base = next((w.limit for w in self.windows if w.covers(at)), self.limit)
        limits = [base]
        if self.signal is not None and at < self.signal.until:
            limits.append(self.signal.limit)
        return self.watts(min(limits))
