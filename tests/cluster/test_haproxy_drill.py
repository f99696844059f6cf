"""The deployment of docs/deploy.md, for real: three `forecourt serve` nodes behind HAProxy
running docs/examples/haproxy.cfg as shipped. A station knows one URL, the load balancer's;
the node holding it is killed (-9) mid-session; HAProxy sends the reconnecting station to a
live node, the session goes on and ends there, its energy exact and stored once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from forecourt.bootstrap import build_services, open_database
from forecourt.domain.transactions import TransactionState
from forecourt.services.history import TransactionFilter
from forecourt.simulator import SimulatedStation, StationConfig
from tests.cluster.test_failover_drill import holder, start_nodes, wait_for
from tests.e2e.conftest import PASSWORD, STATION, TAG
from tests.support.cluster import haproxy_in_front, provision
from tests.support.harness import OfflineGateway

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres, pytest.mark.slow]


def station_behind(url: str) -> SimulatedStation:
    config = StationConfig(
        station_id=STATION, protocol="2.0.1", url=url, password=PASSWORD, id_tags=[TAG],
        meter_interval_s=0.3, speed=60.0, think_time_s=0.05, reconnect_delay_s=0.2,
    )  # fmt: skip
    return SimulatedStation(config, seed=13)


async def test_kill9_behind_haproxy(tmp_path: Path, cluster: dict[str, Any]) -> None:
    key = await provision(cluster["database_url"], STATION, PASSWORD, TAG)
    nodes = await start_nodes(tmp_path, cluster, 3)
    by_id = {f"node-{n}": node for n, node in enumerate(nodes, start=1)}
    with haproxy_in_front(tmp_path, [node.port for node in nodes]) as balancer:
        await asyncio.sleep(2.5)  # HAProxy's first health checks mark the nodes up
        station = station_behind(balancer.ws_url)
        try:
            await station.start()
            await station.wait_ready(30)
            first = await wait_for(lambda: holder(nodes[0], key))
            session = station.start_session(1)
            assert session is not None
            await session.wait_charging(30)
            await asyncio.sleep(1.0)
            by_id[first].kill()
            survivor = next(node for name, node in by_id.items() if name != first)
            second = await wait_for(lambda: holder(survivor, key, besides=first))
            await asyncio.sleep(1.0)
            async with httpx.AsyncClient(base_url=survivor.http_url, timeout=60) as client:
                command = await client.post(
                    f"/api/stations/{STATION}/commands",
                    json={"kind": "trigger_message", "message": "heartbeat"},
                    headers={"Authorization": f"Bearer {key}"},
                )
            await station.stop_session(1)
            await session.wait_ended(30)
            await station.wait_ready(30)
        finally:
            await station.stop()
            for node in nodes:
                node.kill()
    assert second != first
    assert command.json()["status"] == "accepted", command.text
    database = open_database(cluster["database_url"])
    try:
        items, total = await build_services(database, OfflineGateway()).history.list(
            TransactionFilter(STATION)
        )
    finally:
        await database.dispose()
    assert total == 1
    assert items[0].state is TransactionState.ENDED
    assert items[0].energy_wh == pytest.approx(session.energy_wh, rel=0.01)
