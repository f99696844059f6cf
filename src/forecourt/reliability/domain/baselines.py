"""What the detectors learned about a station, kept across restarts (issue 13).

A restarted monitor that relearned from nothing would not know a port's usual peak power, its
session rhythm or the station's usual share of card-reader sessions for days: derating, silent
outage and dead-reader detection would be blind that long. These values are saved now and then
and restored at start; open faults and intervals are kept elsewhere (their own tables).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PortBaseline:
    learned_offer_w: float = 0.0  # PowerWatch: the most the station offered here
    best_peak_w: float = 0.0  # ... and delivered in one session
    sessions: int = 0  # SilenceWatch: the port's session rhythm
    mean_gap_s: float | None = None
    last_start: datetime | None = None


@dataclass(frozen=True, slots=True)
class StationBaseline:
    station_id: str
    reader_sessions: int = 0  # ReaderWatch: the usual payment mix
    other_sessions: int = 0
    streak: int = 0
    abandoned: int = 0
    ports: dict[int, PortBaseline] = field(default_factory=dict)
