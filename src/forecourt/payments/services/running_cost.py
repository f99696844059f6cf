"""Pacing running-cost updates: at most one per interval per session, and the newest one
is deferred rather than dropped, so the last figure always reaches the station."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(slots=True)
class RunningCostPacer(Generic[T]):
    """``T``: what the caller needs to send a session's update later (its payment)."""

    interval_s: float
    _last: dict[int, datetime] = field(default_factory=dict)
    _deferred: dict[int, tuple[datetime, T]] = field(default_factory=dict)

    def may_send(self, tx_id: int, now: datetime, context: T) -> bool:
        """True: send now (and it counts as sent). False: deferred until the interval has
        passed; a newer update replaces a deferred one."""
        last = self._last.get(tx_id)
        if last is not None and (now - last).total_seconds() < self.interval_s:
            self._deferred[tx_id] = (last + timedelta(seconds=self.interval_s), context)
            return False
        self._last[tx_id] = now
        self._deferred.pop(tx_id, None)
        return True

    def take_due(self, now: datetime) -> list[tuple[int, T]]:
        """Deferred updates whose time has come; they count as sent now."""
        due = [(tx_id, ctx) for tx_id, (at, ctx) in self._deferred.items() if at <= now]
        for tx_id, _ in due:
            del self._deferred[tx_id]
            self._last[tx_id] = now
        return due

    def next_due(self) -> datetime | None:
        return min((at for at, _ in self._deferred.values()), default=None)

    def forget(self, tx_id: int) -> None:
        """The session ended: its final cost replaces any running one."""
        self._last.pop(tx_id, None)
        self._deferred.pop(tx_id, None)
