"""Cluster mode's events in `forecourt serve`: two nodes in this process on one PostgreSQL
database and the machine's NATS. A station's events on node A are handled once cluster-wide by
shared consumers, by the live feed of every node, and by the reliability monitor and the
smart-charging load manager each on the one node holding its lease; the API, the CLI and
/metrics of either node show the consumers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from forecourt.bus.cluster_bus import ConsumerLag
from tests.cluster.test_cross_node import provision, station_on, until
from tests.e2e.conftest import technician_api
from tests.support.cluster import two_nodes
from tests.support.server import RunningServer

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres]

SHARED = "LocalAuthAutomation__booted-station_booted"  # local lists follow each boot
LIVE_FEED = "LiveFeed__on_event-all"


def consumers(node: RunningServer) -> dict[str, ConsumerLag]:
    assert node.forecourt.events is not None
    return {c.name: c for c in node.forecourt.events.lags()}


def handled(nodes: tuple[RunningServer, ...], name: str) -> list[int]:
    return [consumers(n)[name].handled if name in consumers(n) else 0 for n in nodes]


def leased_holders(nodes: tuple[RunningServer, ...]) -> dict[str, set[str]]:
    """Each leased consumer (the monitor's, the load manager's) and the nodes where it is
    active."""
    holders: dict[str, set[str]] = {}
    for n in nodes:
        for c in consumers(n).values():
            if c.delivery == "leased":
                found = holders.setdefault(c.name, set())
                if c.active:
                    found.add(n.forecourt.settings.node_id)
    return holders


def one_holder_each(nodes: tuple[RunningServer, ...]) -> bool:
    holders = leased_holders(nodes).values()
    return bool(holders) and all(len(h) == 1 for h in holders)


async def test_a_stations_events_reach_shared_leased_and_every_node_consumers(
    tmp_path: Path, cluster: dict[str, Any]
) -> None:
    async with two_nodes(tmp_path, cluster) as (a, b):
        nodes = (a, b)
        await provision(a)
        await until(lambda: one_holder_each(nodes))
        station = station_on(a)
        await station.start()
        try:
            await station.wait_ready(30)
            await until(lambda: sum(handled(nodes, SHARED)) >= 1, timeout=15)
            await until(lambda: min(handled(nodes, LIVE_FEED)) >= 1, timeout=15)
            await asyncio.sleep(2.0)  # room for a second delivery, if there were one
            shared = handled(nodes, SHARED)
            holders = leased_holders(nodes)
            async with technician_api(b) as client:
                status = (await client.get("/api/cluster")).json()
            async with httpx.AsyncClient(base_url=b.http_url) as client:
                metrics = (await client.get("/metrics")).text
            key, _ = await b.forecourt.services.api_keys.create("viewer")
            printed = await asyncio.to_thread(cli_status, b, key)
        finally:
            await station.stop()
    assert sum(shared) == 1  # one boot: handled once, by one node
    # the monitor's state and the load manager's rebalances live on their lease holder only
    assert all(len(found) == 1 for found in holders.values()), holders
    assert any(name.startswith("LoadManager_on_event") for name in holders), holders
    listed = {c["name"]: c for c in status["consumers"]}
    assert listed[SHARED]["delivery"] == "shared"
    assert listed[LIVE_FEED]["delivery"] == "every_node"
    assert listed[LIVE_FEED]["handled"] >= 1
    leased = [c for c in listed.values() if c["delivery"] == "leased"]
    assert leased
    assert all(c["active"] == ("node-b" in holders[c["name"]]) for c in leased)
    assert all(isinstance(c["lag"], int) and c["lag"] >= 0 for c in listed.values())
    labels = f'active="1",consumer="{SHARED}",delivery="shared"'
    assert f"forecourt_cluster_consumer_lag{{{labels}}}" in metrics
    assert printed.returncode == 0, printed.stderr
    assert "Event consumers on node-b" in printed.stdout
    assert SHARED in printed.stdout


def cli_status(node: RunningServer, key: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ, "FORECOURT_SERVER": node.http_url, "FORECOURT_API_KEY": key, "COLUMNS": "250"
    }  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "forecourt.cli.main", "cluster", "status"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
