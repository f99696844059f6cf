"""The cluster parts of one node, started and stopped together by the app's lifespan."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from forecourt.cluster.commands import CommandClient, CommandServer
from forecourt.cluster.gateway import ClusterStationGateway
from forecourt.cluster.link import LinkConfig, NatsLink
from forecourt.cluster.presence import Presence, StationHook
from forecourt.cluster.status import ClusterStatus, ConsumerLag, snapshot
from forecourt.ports.station_gateway import StationGateway


class ClusterNode:
    def __init__(self, nats_url: str, cluster_name: str, node_id: str, lease_s: float) -> None:
        self.link = NatsLink(LinkConfig.parse(nats_url, cluster_name, node_id))
        self.presence = Presence(self.link, lease_s)
        self._server: CommandServer | None = None
        #: this node's event consumers (set by the app: the bus is another adapter)
        self.consumer_lags: Callable[[], Sequence[ConsumerLag]] = tuple

    def serve(self, local: StationGateway) -> StationGateway:
        """The gateway the services use: ``local`` for this node's sockets, NATS for others'."""
        self._server = CommandServer(self.link, local)
        return ClusterStationGateway(local, self.presence, CommandClient(self.link))

    async def start(self, *, on_taken: StationHook, on_orphaned: StationHook) -> None:
        self.presence.on_taken = on_taken
        self.presence.on_orphaned = on_orphaned
        self.link.on_reconnected = self.presence.reconnected
        await self.link.connect()
        await self.presence.start()
        if self._server is not None:
            await self._server.start()

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop()
        await self.presence.stop()
        await self.link.close()

    def status(self) -> ClusterStatus:
        return snapshot(self.presence, self.link.connected, self.consumer_lags())

    def status_json(self) -> dict[str, Any]:
        return self.status().as_json()
