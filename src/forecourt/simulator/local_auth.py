"""A simulated station's local authorization list, cache switch and reservations, shared by
both OCPP versions (the dialects only translate their messages into these calls)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from forecourt.simulator.session import ConnectorStatus, EvseState, utc_now


@dataclass
class SimReservation:
    reservation_id: int
    evse_id: int  # 0: any EVSE
    id_token: str
    group: str | None
    expires_at: datetime


@dataclass
class LocalAuthStore:
    """What the station keeps: list version and entries (token -> status), reservations."""

    version: int = 0
    entries: dict[str, str] = field(default_factory=dict)
    reservations: dict[int, SimReservation] = field(default_factory=dict)
    on_expired: Callable[[int], Awaitable[None]] | None = None  # 2.0.1 tells the CSMS
    cache_enabled: Callable[[], bool] = lambda: True  # AuthorizationCacheEnabled
    cache: dict[str, str] = field(default_factory=dict)  # token -> last status online
    _timers: dict[int, asyncio.Task[None]] = field(default_factory=dict)

    # -- the list -------------------------------------------------------------------------
    def update(self, version: int, full: bool, items: list[tuple[str, str | None]]) -> str:
        """Apply SendLocalList; a differential must move the version forward."""
        if not full and version <= self.version:
            return "VersionMismatch"
        if full:
            self.entries = {}
        for token, status in items:
            if status is None:
                self.entries.pop(token, None)
            else:
                self.entries[token] = status
        self.version = version
        return "Accepted"

    def remember(self, token: str | None, status: str) -> None:
        """An online answer, kept in the authorization cache while it is enabled."""
        if token is not None and self.cache_enabled():
            self.cache[token] = status

    def offline_verdict(self, token: str | None) -> bool:
        """Offline, a token on the list is admitted as the list says, then as the cache
        remembers it (when enabled); others are let in (AllowOfflineTxForUnknownId) unless a
        list is in use, which then is authoritative."""
        if token is not None and token in self.entries:
            return self.entries[token] == "Accepted"
        if token is not None and self.cache_enabled() and token in self.cache:
            return self.cache[token] == "Accepted"
        return not self.entries

    # -- reservations ---------------------------------------------------------------------
    def reserve(self, reservation: SimReservation, evses: list[EvseState]) -> str:
        """ReserveNow: Accepted, or why not (Occupied, Faulted, Unavailable, Rejected)."""
        targets = [e for e in evses if reservation.evse_id in (0, e.evse_id)]
        if not targets:
            return "Rejected"
        if all(e.status is ConnectorStatus.FAULTED for e in targets):
            return "Faulted"
        if all(not e.operative for e in targets):
            return "Unavailable"
        taken = {r.evse_id for r in self.reservations.values()
                 if r.reservation_id != reservation.reservation_id}  # fmt: skip
        free = [e for e in targets if e.is_free and e.evse_id not in taken]
        if not free or (reservation.evse_id == 0 and 0 in taken):
            return "Occupied"
        self.cancel(reservation.reservation_id)  # same id: replaces it (H01.FR.02)
        self.reservations[reservation.reservation_id] = reservation
        delay = max(0.0, (reservation.expires_at - utc_now()).total_seconds())
        self._timers[reservation.reservation_id] = asyncio.create_task(
            self._expire(reservation.reservation_id, delay)
        )
        return "Accepted"

    def cancel(self, reservation_id: int) -> bool:
        timer = self._timers.pop(reservation_id, None)
        if timer is not None:
            timer.cancel()
        return self.reservations.pop(reservation_id, None) is not None

    def holder(self, evse_id: int) -> SimReservation | None:
        return next((r for r in self.reservations.values() if r.evse_id == evse_id), None)

    def admits(self, evse_id: int, token: str | None) -> bool:
        """Only the reserved token (or its group) may start on a reserved EVSE."""
        held = self.holder(evse_id)
        return held is None or held.id_token == token or held.group == token

    def use(self, evse_id: int, token: str | None) -> int | None:
        """A transaction starts: the reservation it ends, if any."""
        for reservation in list(self.reservations.values()):
            if reservation.evse_id in (0, evse_id) and reservation.id_token == token:
                self.cancel(reservation.reservation_id)
                return reservation.reservation_id
        return None

    async def _expire(self, reservation_id: int, delay: float) -> None:
        await asyncio.sleep(delay)
        self._timers.pop(reservation_id, None)
        if self.reservations.pop(reservation_id, None) is not None and self.on_expired:
            await self.on_expired(reservation_id)
