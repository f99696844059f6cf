"""Live connections, one per station id. Duplicate policy: the newest authenticated wins."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from forecourt.ocpp.adapter import Link, VersionAdapter
from forecourt.ocpp.session import OcppSession

log = logging.getLogger("forecourt.gateway")


@dataclass(eq=False, slots=True)
class Connection:
    station_id: str
    session: OcppSession
    adapter: VersionAdapter
    link: Link
    close: Callable[[int, str], Awaitable[None]]
    connected_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class PresenceBoard(Protocol):
    """Where the cluster learns which node holds a station (cluster.presence.Presence)."""

    async def held(self, station_id: str, protocol: str) -> None: ...
    def dropped(self, station_id: str) -> None: ...


class ConnectionRegistry:
    def __init__(self, presence: PresenceBoard | None = None) -> None:
        self._connections: dict[str, Connection] = {}
        self._presence = presence

    def get(self, station_id: str) -> Connection | None:
        return self._connections.get(station_id)

    def ids(self) -> list[str]:
        return list(self._connections)

    def __len__(self) -> int:
        return len(self._connections)

    async def register(self, connection: Connection) -> None:
        """Make ``connection`` current; close the one it replaces (it may be half-open)."""
        previous = self._connections.get(connection.station_id)
        self._connections[connection.station_id] = connection
        if self._presence is not None:  # newest wins cluster-wide too
            await self._presence.held(connection.station_id, connection.adapter.protocol.value)
        if previous is not None:
            log.info(
                "newer connection replaces the open one",
                extra={"station_id": connection.station_id},
            )
            previous.session.close()
            await previous.close(1000, "replaced by a newer connection")

    def unregister(self, connection: Connection) -> bool:
        """Forget ``connection`` if it is still current; False when a newer one replaced it."""
        if self._connections.get(connection.station_id) is connection:
            del self._connections[connection.station_id]
            if self._presence is not None:
                self._presence.dropped(connection.station_id)
            return True
        return False

    async def evict(self, station_id: str) -> None:
        """The station connected to another node: close the stale socket here. Its session
        end then finds itself replaced, so the station is not recorded as disconnected."""
        connection = self._connections.pop(station_id, None)
        if connection is not None:
            connection.session.close()
            await connection.close(1000, "replaced by a newer connection on another node")
