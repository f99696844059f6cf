"""Storage of local authorization lists and reservations (the core's protocol block)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from forecourt.domain.local_auth import LocalListState, Reservation


class LocalListRepository(Protocol):
    async def members(self, scope: str, scope_id: str) -> list[str]: ...  # sorted token values
    async def set_members(self, scope: str, scope_id: str, tokens: Sequence[str]) -> None: ...
    async def scopes_of(self, token: str) -> list[tuple[str, str]]: ...  # (scope, scope_id)
    async def state(self, station_id: str) -> LocalListState | None: ...
    async def save_state(self, state: LocalListState) -> None: ...
    async def states(self) -> list[LocalListState]: ...


class ReservationRepository(Protocol):
    async def add(self, reservation: Reservation) -> Reservation: ...  # assigns id
    async def save(self, reservation: Reservation) -> None: ...
    async def get(self, reservation_id: int) -> Reservation | None: ...
    async def holding(self, station_id: str) -> list[Reservation]: ...  # requested or active
    async def lock_station(self, station_id: str) -> None:
        """Until this unit of work ends, another one's ``lock_station`` for the station waits:
        the clash check and the insert after it are one step across nodes."""
        ...

    async def due(self, now: datetime) -> list[Reservation]: ...  # holding, expires_at <= now
    async def list(
        self, station_id: str | None = None, limit: int = 100
    ) -> list[Reservation]: ...  # newest first
