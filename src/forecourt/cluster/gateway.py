"""The StationGateway port across the cluster: local sockets first, then the node that holds
the station (by its presence hold), else offline.

Presence is followed through a watch, so a node may name a holder that has just lost the
station (it reconnected elsewhere, or the holder died): that node answers "not here" without
sending anything, and the command follows the station once, when its hold changes within
``REROUTE_WAIT_S``."""

from __future__ import annotations

from forecourt.cluster.commands import CommandClient
from forecourt.cluster.presence import Presence
from forecourt.domain.commands import Command, CommandResult, CommandStatus
from forecourt.domain.stations import ProtocolVersion
from forecourt.ports.station_gateway import StationGateway

#: How long a command waits for a station that left its holder to appear elsewhere.
REROUTE_WAIT_S = 2.0


class ClusterStationGateway:
    def __init__(self, local: StationGateway, presence: Presence, client: CommandClient) -> None:
        self._local = local
        self._presence = presence
        self._client = client

    def is_connected(self, station_id: str) -> bool:
        return self._local.is_connected(station_id) or self._presence.holder(station_id) is not None

    def protocol_of(self, station_id: str) -> ProtocolVersion | None:
        protocol = self._local.protocol_of(station_id)
        if protocol is not None:
            return protocol
        hold = self._presence.holder(station_id)
        if hold is None:
            return None
        try:
            return ProtocolVersion(hold.protocol)
        except ValueError:
            return None

    def connected_ids(self) -> list[str]:
        local = self._local.connected_ids()
        remote = [
            h.station_id for h in self._presence.holds() if self._presence.holder(h.station_id)
        ]
        return local + sorted(set(remote) - set(local))

    async def send(self, station_id: str, command: Command, timeout: float) -> CommandResult:
        left = ""
        for _ in range(2):  # the holder named, then (once) where the station went
            if self._local.is_connected(station_id):
                return await self._local.send(station_id, command, timeout)
            hold = self._presence.holder(station_id)
            if hold is None:
                break
            result = await self._client.send(hold.node_id, station_id, command, timeout)
            if result is not None:
                return result
            left = f" (node {hold.node_id} no longer holds it)"
            await self._presence.moved(station_id, hold, REROUTE_WAIT_S)
        return CommandResult(CommandStatus.OFFLINE, error=f"station is not connected{left}")
