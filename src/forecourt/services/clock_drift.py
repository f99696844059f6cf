"""Station clock drift: compare the station's timestamps of live messages with ours."""

from __future__ import annotations

from datetime import datetime

from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.ports.repositories import UnitOfWork

# Network latency and processing make small differences meaningless; only record changes above it.
_RESOLUTION_S = 2.0


class ClockDriftTracker:
    """Remembers the last recorded drift per station so the hot path rarely touches storage."""

    def __init__(self, threshold_s: float) -> None:
        self.threshold_s = threshold_s
        self._last: dict[str, float] = {}

    def last_drift(self, station_id: str) -> float | None:
        """The drift last recorded for a station (seconds, + = station ahead), if any."""
        return self._last.get(station_id)

    async def observe(
        self, uow: UnitOfWork, station_id: str, reported: datetime, received: datetime
    ) -> None:
        """Call only for messages sent live, never for offline-queued ones (rightly in the past)."""
        drift = round((reported - received).total_seconds(), 3)
        previous = self._last.get(station_id)
        if previous is not None and abs(previous - drift) < _RESOLUTION_S:
            return
        if not await uow.stations.set_clock_drift(station_id, drift):
            return
        self._last[station_id] = drift
        if abs(drift) >= self.threshold_s and (
            previous is None or abs(previous) < self.threshold_s
        ):
            data = {"drift_s": drift, "threshold_s": self.threshold_s}
            await uow.events.add(
                StationEvent(station_id, StationEventKind.CLOCK_DRIFT, received, data)
            )
