"""Silent outage: a normally busy port that stopped taking sessions, while it says Available.

The port's own history gives its session rate: an exponentially weighted mean gap between
session starts. If sessions arrive at that rate, a gap of length g happens with probability
exp(−g / mean). A gap so long that this falls below ``silence_alpha`` is no longer bad luck.
Remote starts refused by the station while it claims to be Available are direct evidence.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from forecourt.reliability.domain.model import FaultKind, Finding, cleared
from forecourt.reliability.domain.thresholds import Thresholds

_EWMA_WEIGHT = 0.3  # recent gaps count more: a port's busy hours shift over the months


@dataclass(slots=True)
class SilenceWatch:
    """One port's session rhythm."""

    station_id: str
    evse_id: int
    sessions: int = 0
    mean_gap_s: float | None = None
    last_start: datetime | None = None
    active: bool = False

    def on_start(self, at: datetime) -> list[Finding]:
        if self.last_start is not None and at > self.last_start:
            gap = (at - self.last_start).total_seconds()
            mean = self.mean_gap_s
            self.mean_gap_s = (
                gap if mean is None else (1 - _EWMA_WEIGHT) * mean + _EWMA_WEIGHT * gap
            )
        self.sessions += 1
        self.last_start = at if self.last_start is None else max(at, self.last_start)
        if not self.active:
            return []
        self.active = False
        why = "the port took a session again"
        return [cleared(FaultKind.SILENT_OUTAGE, self.station_id, self.evse_id, at, why)]

    def limit_s(self, limits: Thresholds) -> float | None:
        """The longest gap this port's history explains, or None without enough history."""
        if self.sessions < limits.silence_min_sessions or not self.mean_gap_s:
            return None
        return max(limits.silence_min_s, self.mean_gap_s * math.log(1 / limits.silence_alpha))

    def tick(self, now: datetime, limits: Thresholds, can_charge: bool) -> list[Finding]:
        """``can_charge``: nothing else explains the silence (not offline, faulted, in use)."""
        limit = self.limit_s(limits)
        if self.active or limit is None or self.last_start is None or not can_charge:
            return []
        gap = (now - self.last_start).total_seconds()
        if gap < limit:
            return []
        self.active = True
        assert self.mean_gap_s is not None
        chance = math.exp(-gap / self.mean_gap_s)
        text = (
            f"No session for {_duration(gap)}, while this port usually gets one every "
            f"{_duration(self.mean_gap_s)}; it says Available but nobody manages to charge."
        )
        evidence = {
            "gap_s": round(gap, 1),
            "mean_gap_s": round(self.mean_gap_s, 1),
            "sessions_seen": self.sessions,
            "chance": chance,
        }
        confidence = min(0.95, 0.6 + 0.1 * math.log10(1 / max(chance, 1e-12)) / 3)
        return [
            Finding(
                FaultKind.SILENT_OUTAGE, self.station_id, self.evse_id, now, confidence, text,
                evidence,
            )
        ]  # fmt: skip


@dataclass(slots=True)
class RefusalWatch:
    """Remote starts an "Available" station refuses: direct evidence of a silent outage."""

    station_id: str
    active: bool = False
    _refusals: deque[datetime] = field(default_factory=deque)

    def on_session(self, at: datetime) -> list[Finding]:
        """A session started: the station takes sessions after all."""
        self._refusals.clear()
        if not self.active:
            return []
        self.active = False
        return [cleared(FaultKind.SILENT_OUTAGE, self.station_id, None, at, "a session started")]

    def on_remote_start(
        self, status: str, at: datetime, idle: bool, limits: Thresholds
    ) -> list[Finding]:
        if status == "accepted":
            self._refusals.clear()
            if self.active:
                self.active = False
                why = "the station accepted a remote start again"
                return [cleared(FaultKind.SILENT_OUTAGE, self.station_id, None, at, why)]
            return []
        if status != "rejected" or not idle:
            return []
        self._refusals.append(at)
        if len(self._refusals) < limits.silence_rejected_starts:
            return []
        self.active = True
        text = (
            f"The station refused {len(self._refusals)} remote starts in a row while its "
            "connectors said Available: it is not taking sessions."
        )
        evidence = {"refused_remote_starts": len(self._refusals)}
        return [Finding(FaultKind.SILENT_OUTAGE, self.station_id, None, at, 0.8, text, evidence)]


def _duration(seconds: float) -> str:
    if seconds >= 7200:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"
