"""The station's link to us: offline, half-open, silent sockets and reconnect loops.

* **Offline**: disconnected for longer than ``offline_after_s``.
* **Heartbeat gap**: connected, yet nothing heard for several heartbeat intervals (the socket
  is dead in the station's direction).
* **Half-open**: our commands time out while its heartbeats keep arriving (dead in ours).
* **Reconnect loop**: many connections in a short window (crashing firmware, flaky modem).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from forecourt.reliability.domain.model import FaultKind, Finding, cleared
from forecourt.reliability.domain.thresholds import Thresholds

#: Command statuses that prove the station answered (anything but silence).
_NO_ANSWER = frozenset({"timeout", "offline", "pending"})


@dataclass(slots=True)
class LinkWatch:
    station_id: str
    connected: bool = False
    disconnected_at: datetime | None = None
    last_heard: datetime | None = None
    offline_reported: bool = False
    gap_reported: bool = False
    half_open: bool = False
    loop_reported: bool = False
    first_timeout: datetime | None = None
    _connects: deque[datetime] = field(default_factory=deque)
    _timeouts: deque[datetime] = field(default_factory=deque)

    def on_connected(self, at: datetime, limits: Thresholds) -> list[Finding]:
        findings = self._back(at, "the station reconnected")
        self.connected, self.disconnected_at, self.last_heard = True, None, at
        self._connects.append(at)
        _trim(self._connects, at, limits.reconnect_window_s)
        if len(self._connects) >= limits.reconnects and not self.loop_reported:
            self.loop_reported = True
            findings.append(self._loop_finding(at, limits))
        elif len(self._connects) <= 1 and self.loop_reported:
            self.loop_reported = False
            why = "connections are stable again"
            findings.append(cleared(FaultKind.RECONNECT_LOOP, self.station_id, None, at, why))
        return findings

    def on_disconnected(self, at: datetime) -> list[Finding]:
        self.connected, self.disconnected_at = False, at
        self.half_open, self.first_timeout = False, None
        self._timeouts.clear()
        return []

    def on_heard(self, at: datetime) -> list[Finding]:
        """Any message from the station (heartbeat, status, transaction)."""
        self.last_heard = at
        if self.gap_reported:
            self.gap_reported = False
            why = "the station is heard from again"
            return [cleared(FaultKind.OFFLINE, self.station_id, None, at, why)]
        return []

    def on_command(self, status: str, at: datetime, limits: Thresholds) -> list[Finding]:
        if status not in _NO_ANSWER:
            self._timeouts.clear()
            self.first_timeout = None
            if self.half_open:
                self.half_open = False
                why = "the station answered a command again"
                return [cleared(FaultKind.HALF_OPEN, self.station_id, None, at, why)]
            return []
        if status != "timeout":
            return []
        self._timeouts.append(at)
        _trim(self._timeouts, at, limits.command_window_s)
        self.first_timeout = self._timeouts[0]
        if len(self._timeouts) < limits.command_timeouts or not self._heartbeats_fresh(at, limits):
            return []
        self.half_open = True
        return [self._half_open_finding(at)]

    def tick(self, now: datetime, limits: Thresholds) -> list[Finding]:
        if not self.connected and self.disconnected_at is not None:
            if not self.offline_reported and _elapsed(self.disconnected_at, now) >= (
                limits.offline_after_s
            ):
                self.offline_reported = True
                return [self._offline_finding(now, self.disconnected_at)]
            return []
        if self.connected and self.last_heard is not None and not self.gap_reported:
            allowed = limits.heartbeat_interval_s * limits.heartbeat_gap_factor
            if _elapsed(self.last_heard, now) > allowed:
                self.gap_reported = True
                return [self._gap_finding(now, self.last_heard)]
        return []

    @property
    def silent_since(self) -> datetime | None:
        """When a connected station fell silent (heartbeat gap), else None."""
        return self.last_heard if self.gap_reported else None

    def _back(self, at: datetime, why: str) -> list[Finding]:
        findings = []
        if self.offline_reported or self.gap_reported:
            findings.append(cleared(FaultKind.OFFLINE, self.station_id, None, at, why))
        self.offline_reported = self.gap_reported = False
        return findings

    def _heartbeats_fresh(self, at: datetime, limits: Thresholds) -> bool:
        allowed = limits.heartbeat_interval_s * limits.heartbeat_gap_factor
        return self.last_heard is not None and _elapsed(self.last_heard, at) <= allowed

    def _offline_finding(self, now: datetime, since: datetime) -> Finding:
        minutes = _elapsed(since, now) / 60
        text = f"Disconnected since {since:%Y-%m-%d %H:%M} UTC ({minutes:.0f} min)."
        evidence = {"signal": "disconnected", "since": since.isoformat()}
        return Finding(FaultKind.OFFLINE, self.station_id, None, now, 0.95, text, evidence)

    def _gap_finding(self, now: datetime, since: datetime) -> Finding:
        text = (
            f"The station is still connected but has sent nothing since {since:%H:%M:%S} UTC, "
            "not even heartbeats: the connection is likely dead on its side."
        )
        evidence = {"signal": "heartbeat_gap", "last_heard": since.isoformat()}
        return Finding(FaultKind.OFFLINE, self.station_id, None, now, 0.85, text, evidence)

    def _half_open_finding(self, at: datetime) -> Finding:
        count = len(self._timeouts)
        text = (
            f"{count} commands timed out while the station's heartbeats kept arriving: the "
            "connection is half-open (the station no longer hears us)."
        )
        evidence = {
            "timeouts": count,
            "first_timeout": self.first_timeout.isoformat() if self.first_timeout else None,
            "last_heard": self.last_heard.isoformat() if self.last_heard else None,
        }
        return Finding(FaultKind.HALF_OPEN, self.station_id, None, at, 0.85, text, evidence)

    def _loop_finding(self, at: datetime, limits: Thresholds) -> Finding:
        count = len(self._connects)
        window = limits.reconnect_window_s / 60
        text = f"The station connected {count} times within {window:.0f} min: a reconnect loop."
        evidence = {"connections": count, "window_s": limits.reconnect_window_s}
        return Finding(FaultKind.RECONNECT_LOOP, self.station_id, None, at, 0.8, text, evidence)


def _elapsed(since: datetime, now: datetime) -> float:
    return (now - since).total_seconds()


def _trim(times: deque[datetime], now: datetime, window_s: float) -> None:
    horizon = now - timedelta(seconds=window_s)
    while times and times[0] < horizon:
        times.popleft()
