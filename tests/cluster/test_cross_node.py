"""Two nodes in this process, one PostgreSQL database, the machine's NATS: a command sent to
node B reaches a station connected to node A; a station that reconnects on B closes its
stale socket on A; a command for a station that just left the node named as its holder
follows it; the API and /metrics of either node see the whole cluster."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from forecourt.cluster.link import LinkConfig, NatsLink
from forecourt.cluster.presence import Presence
from forecourt.domain.tokens import TokenRecord
from forecourt.simulator import SimulatedStation, StationConfig
from tests.e2e.conftest import PASSWORD, STATION, TAG, technician_api
from tests.support.cluster import cluster_node, two_nodes
from tests.support.server import RunningServer

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres]


async def provision(node: RunningServer) -> None:
    services = node.forecourt.services
    await services.network.add_station(STATION, password=PASSWORD)
    await services.network.add_token(TokenRecord(TAG))


def station_on(
    *nodes: RunningServer, protocol: str = "1.6", reconnect_delay_s: float = 0.2
) -> SimulatedStation:
    config = StationConfig(
        station_id=STATION,
        protocol=protocol,  # type: ignore[arg-type]
        url=",".join(node.ws_url for node in nodes),
        password=PASSWORD,
        id_tags=[TAG],
        reconnect_delay_s=reconnect_delay_s,
    )
    return SimulatedStation(config, seed=3)


async def until(check: Any, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_command_on_one_node_reaches_a_station_on_another(
    tmp_path: Path, cluster: dict[str, Any]
) -> None:
    async with two_nodes(tmp_path, cluster) as (a, b):
        await provision(a)
        station = station_on(a)
        await station.start()
        try:
            await station.wait_ready(30)
            gateway_b = b.forecourt.services.remote  # the services of node B
            await until(lambda: gateway_b.connected(STATION))
            async with technician_api(b) as client:
                answer = await client.post(
                    f"/api/stations/{STATION}/commands",
                    json={"kind": "get_configuration", "keys": ["HeartbeatInterval"]},
                )
                listed = await client.get("/api/stations")
                status = (await client.get("/api/cluster")).json()
        finally:
            await station.stop()
    assert answer.status_code == 200, answer.text
    record = answer.json()
    assert record["status"] == "accepted", record
    assert [v["key"] for v in record["result"]["values"]] == ["HeartbeatInterval"]
    assert [s["connected"] for s in listed.json() if s["id"] == STATION] == [True]
    nodes = {n["node_id"]: n for n in status["nodes"]}
    assert set(nodes) == {"node-a", "node-b"}
    assert [s["station_id"] for s in nodes["node-a"]["stations"]] == [STATION]
    assert nodes["node-b"]["stations"] == []


async def test_command_for_a_station_nowhere_is_offline_on_every_node(
    tmp_path: Path, cluster: dict[str, Any]
) -> None:
    async with cluster_node(tmp_path / "a", "node-a", **cluster) as a:
        await provision(a)
        async with technician_api(a) as client:
            answer = await client.post(
                f"/api/stations/{STATION}/commands", json={"kind": "clear_cache"}
            )
    assert answer.json()["status"] == "offline"


async def test_newest_connection_wins_across_nodes(tmp_path: Path, cluster: dict[str, Any]) -> None:
    async with two_nodes(tmp_path, cluster) as (a, b):
        await provision(a)
        first = station_on(a)
        await first.start()
        await first.wait_ready(30)
        await until(lambda: a.forecourt.registry.get(STATION) is not None)
        second = station_on(b)  # the same station, reconnected through another node
        await second.start()
        try:
            await second.wait_ready(30)
            await until(lambda: a.forecourt.registry.get(STATION) is None)
            # One station, two sockets: the old one is gone for good (a simulator would dial
            # again and take the station back, flapping between the nodes).
            await first.stop()
            await until(lambda: b.forecourt.registry.get(STATION) is not None)
            holder_seen_by_a = a.forecourt.cluster.presence.holder(STATION)  # type: ignore[union-attr]
            async with technician_api(a) as client:
                answer = await client.post(
                    f"/api/stations/{STATION}/commands", json={"kind": "clear_cache"}
                )
                station_row = (await client.get(f"/api/stations/{STATION}")).json()
        finally:
            await first.stop()
            await second.stop()
    assert holder_seen_by_a is not None
    assert holder_seen_by_a.node_id == "node-b"
    assert answer.json()["status"] == "accepted"  # answered by the newest socket, on B
    assert station_row["connected"] is True  # A's stale socket closing is not a disconnect


async def test_a_command_follows_a_station_that_left_its_holder(
    tmp_path: Path, cluster: dict[str, Any]
) -> None:
    """Node C (a bare presence: no command server, as a node in its last breath) takes the
    station over; B's command goes to C, which does not answer, and follows the station to A,
    where it reconnected, instead of answering offline."""
    link = NatsLink(LinkConfig.parse(cluster["nats_url"], cluster["cluster_name"], "node-c"))
    ghost = Presence(link, 3.0)
    async with two_nodes(tmp_path, cluster) as (a, b):
        await provision(a)
        station = station_on(a, reconnect_delay_s=0.5)
        await station.start()
        await link.connect()
        await ghost.start()
        try:
            await station.wait_ready(30)
            presence_b = b.forecourt.cluster.presence  # type: ignore[union-attr]
            await until(lambda: presence_b.holder(STATION) is not None)
            await ghost.held(STATION, "1.6")  # A closes its socket; the station dials again
            await until(lambda: getattr(presence_b.holder(STATION), "node_id", "") == "node-c")
            async with technician_api(b) as client:
                answer = await client.post(
                    f"/api/stations/{STATION}/commands", json={"kind": "clear_cache"}
                )
        finally:
            await station.stop()
            await ghost.stop()
            await link.close()
    assert answer.json()["status"] == "accepted", answer.text


async def test_cluster_gauges_in_metrics(tmp_path: Path, cluster: dict[str, Any]) -> None:
    async with (
        cluster_node(tmp_path / "a", "node-a", **cluster) as a,
        httpx.AsyncClient(base_url=a.http_url) as client,
    ):
        text = (await client.get("/metrics")).text
    assert 'forecourt_cluster_node_alive{node="node-a"} 1.0' in text
    assert "forecourt_cluster_nats_connected 1.0" in text
