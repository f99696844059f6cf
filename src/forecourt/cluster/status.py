"""`forecourt cluster status`, the dashboard panel and /metrics read one snapshot."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from forecourt.cluster.presence import Presence


class ConsumerLag(Protocol):
    """One of this node's event consumers (bus/cluster_bus.py) and how far behind it is."""

    @property
    def name(self) -> str: ...
    @property
    def delivery(self) -> str: ...
    @property
    def lag(self) -> int: ...
    @property
    def handled(self) -> int: ...
    @property
    def skipped(self) -> int: ...
    @property
    def active(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class HeldStation:
    station_id: str
    protocol: str
    held_for_s: float


@dataclass(frozen=True, slots=True)
class NodeStatus:
    node_id: str
    alive: bool
    lease_age_s: float  # since the node last renewed its lease
    up_for_s: float
    stations: list[HeldStation] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ClusterStatus:
    node_id: str  # the node that answered
    nats_connected: bool
    lease_s: float
    nodes: list[NodeStatus]
    orphaned: list[str]  # held by a dead node, not yet released
    consumers: Sequence[ConsumerLag] = ()  # the answering node's event consumers

    def as_json(self) -> dict[str, Any]:
        return {
            "mode": "cluster",
            "node_id": self.node_id,
            "nats_connected": self.nats_connected,
            "lease_s": self.lease_s,
            "nodes": [
                {
                    "node_id": n.node_id,
                    "alive": n.alive,
                    "lease_age_s": round(n.lease_age_s, 3),
                    "up_for_s": round(n.up_for_s, 1),
                    "station_count": len(n.stations),
                    "stations": [dataclasses.asdict(s) for s in n.stations],
                }
                for n in self.nodes
            ],
            "orphaned_stations": self.orphaned,
            "consumers": [
                {
                    "name": c.name,
                    "delivery": c.delivery,
                    "lag": c.lag,
                    "handled": c.handled,
                    "skipped": c.skipped,
                    "active": c.active,
                }
                for c in self.consumers
            ],
        }


def snapshot(
    presence: Presence, nats_connected: bool, consumers: Sequence[ConsumerLag] = ()
) -> ClusterStatus:
    now = time.time()
    by_node: dict[str, list[HeldStation]] = {}
    orphaned: list[str] = []
    for hold in presence.holds():
        mine = hold.node_id == presence.node_id and hold.incarnation == presence.incarnation
        if not (mine or presence.alive(hold)):
            orphaned.append(hold.station_id)
            continue
        held = HeldStation(hold.station_id, hold.protocol, now - hold.since)
        by_node.setdefault(hold.node_id, []).append(held)
    nodes = [
        NodeStatus(
            lease.node_id,
            now - lease.renewed < presence.lease_s,
            now - lease.renewed,
            now - lease.started,
            sorted(by_node.get(lease.node_id, []), key=lambda s: s.station_id),
        )
        for lease in sorted(presence.nodes(), key=lambda n: n.node_id)
    ]
    return ClusterStatus(
        presence.node_id, nats_connected, presence.lease_s, nodes, sorted(orphaned), consumers
    )
