"""Sending commands to connected stations, whatever protocol they speak."""

from __future__ import annotations

from typing import Protocol

from forecourt.domain.commands import Command, CommandResult
from forecourt.domain.stations import ProtocolVersion


class StationGateway(Protocol):
    def is_connected(self, station_id: str) -> bool: ...
    def protocol_of(self, station_id: str) -> ProtocolVersion | None: ...
    async def send(self, station_id: str, command: Command, timeout: float) -> CommandResult: ...
    # ^ never raises for station-side failures: TIMEOUT, CALL_ERROR, OFFLINE, NOT_SUPPORTED
    #   come back as CommandResult statuses. Parameters the station's protocol cannot carry
    #   (a caller error) raise domain.errors.InvalidInput before anything is sent.
    def connected_ids(self) -> list[str]: ...
