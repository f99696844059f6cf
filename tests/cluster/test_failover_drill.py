"""Drills with real `forecourt serve` processes: three nodes on one PostgreSQL database and
the machine's NATS; a simulated station that knows all three URLs (as a station behind a
load balancer would reach any of them).

kill -9 of the node that holds the station mid-session: the station reconnects to another
node, the session continues and ends there, the energy is exact, stored once; commands from
a third node reach it; `forecourt cluster status` shows the dead node."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from forecourt.bootstrap import build_services, open_database
from forecourt.domain.transactions import TransactionState
from forecourt.services.history import TransactionFilter
from forecourt.simulator import SimulatedStation, StationConfig
from tests.e2e.conftest import PASSWORD, STATION, TAG
from tests.support.cluster import node_env, provision
from tests.support.harness import OfflineGateway
from tests.support.process import ServerProcess, start_server_process

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres, pytest.mark.slow]


async def start_nodes(tmp_path: Path, cluster: dict[str, Any], count: int) -> list[ServerProcess]:
    return [
        await start_server_process(tmp_path, node_env(cluster, f"node-{n}"))
        for n in range(1, count + 1)
    ]


def multi_url_station(nodes: list[ServerProcess]) -> SimulatedStation:
    config = StationConfig(
        station_id=STATION,
        protocol="1.6",
        url=",".join(node.ws_url for node in nodes),
        password=PASSWORD,
        id_tags=[TAG],
        meter_interval_s=0.3,
        speed=60.0,
        think_time_s=0.05,
        reconnect_delay_s=0.2,
    )
    return SimulatedStation(config, seed=11)


async def cluster_status(node: ServerProcess, key: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=node.http_url, timeout=60) as client:
        answer = await client.get("/api/cluster", headers={"Authorization": f"Bearer {key}"})
    status: dict[str, Any] = answer.json()
    return status


async def holder(node: ServerProcess, key: str, *, besides: str = "") -> str | None:
    """The live node that holds the station (other than ``besides``), as ``node`` sees it."""
    status = await cluster_status(node, key)
    for entry in status["nodes"]:
        held = any(s["station_id"] == STATION for s in entry["stations"])
        if entry["alive"] and held and entry["node_id"] != besides:
            return str(entry["node_id"])
    return None


async def lease_ran_out(node: ServerProcess, key: str, dead: str) -> bool:
    """Whether ``node`` shows ``dead`` as not alive (or no longer lists it)."""
    status = await cluster_status(node, key)
    return not any(n["alive"] for n in status["nodes"] if n["node_id"] == dead)


async def wait_for(probe: Any, timeout: float = 30.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await probe()
        if value:
            return value
        assert asyncio.get_running_loop().time() < deadline, "not reached in time"
        await asyncio.sleep(0.1)


def cli_status(node: ServerProcess, key: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FORECOURT_SERVER": node.http_url, "FORECOURT_API_KEY": key}
    return subprocess.run(
        [sys.executable, "-m", "forecourt.cli.main", "cluster", "status", "--json"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


async def test_kill9_of_the_holding_node_mid_session_loses_nothing(
    tmp_path: Path, cluster: dict[str, Any]
) -> None:
    key = await provision(cluster["database_url"], STATION, PASSWORD, TAG)
    nodes = await start_nodes(tmp_path, cluster, 3)
    station = multi_url_station(nodes)
    try:
        await station.start()
        await station.wait_ready(30)
        assert await wait_for(lambda: holder(nodes[2], key)) == "node-1"
        session = station.start_session(1)
        assert session is not None
        await session.wait_charging(30)
        await asyncio.sleep(1.0)  # meter values flow through node-1
        nodes[0].kill()  # kill -9: no goodbye to the station, the lease simply stops
        taken_over = await wait_for(lambda: holder(nodes[2], key, besides="node-1"))
        await asyncio.sleep(1.0)  # the session goes on through the surviving node
        async with httpx.AsyncClient(base_url=nodes[2].http_url, timeout=60) as client:
            command = await client.post(
                f"/api/stations/{STATION}/commands",
                json={"kind": "get_configuration", "keys": ["HeartbeatInterval"]},
                headers={"Authorization": f"Bearer {key}"},
            )
        await station.stop_session(1)
        await session.wait_ended(30)
        await station.wait_ready(30)
        # A killed node counts as alive until its lease (3 s here) runs out after its last
        # renewal: the failover above may take less than that (ADR 0013, Consequences).
        await wait_for(lambda: lease_ran_out(nodes[1], key, "node-1"))
        shown = cli_status(nodes[1], key)
    finally:
        await station.stop()
        for node in nodes:
            node.kill()
    assert taken_over in {"node-2", "node-3"}
    assert command.json()["status"] == "accepted", command.text
    database = open_database(cluster["database_url"])
    try:
        services = build_services(database, OfflineGateway())
        items, total = await services.history.list(TransactionFilter(STATION))
    finally:
        await database.dispose()
    assert total == 1  # the same session, not a second one after the failover
    (tx,) = items
    assert tx.state is TransactionState.ENDED
    assert tx.energy_wh == pytest.approx(session.energy_wh, rel=0.01)
    status = json.loads(shown.stdout)
    alive = {n["node_id"]: n["alive"] for n in status["nodes"]}
    assert alive.get("node-1") in (False, None)  # dead, or its lease already gone
    assert alive["node-2"]
    assert alive["node-3"]
    assert shown.returncode in (0, 1)
