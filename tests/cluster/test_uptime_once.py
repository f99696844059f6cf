"""Uptime minutes in cluster mode: three nodes in this process on one PostgreSQL database and
the machine's NATS. The reliability monitor is a leased singleton: the nodes that join later
neither mark the station offline at their start nor tick its timeline, so each port-minute is
written by one node — the station stayed up, and its timeline says so, once."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from forecourt.reliability.domain.model import PortInterval
from forecourt.reliability.keys import RELIABILITY
from forecourt.reliability.ports import RELIABILITY_STORE
from forecourt.reliability.services.monitor import ReliabilityMonitor
from tests.cluster.test_cross_node import provision, station_on, until
from tests.e2e.conftest import STATION
from tests.support.cluster import cluster_node
from tests.support.server import RunningServer

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres, pytest.mark.slow]


def monitor(node: RunningServer) -> ReliabilityMonitor:
    monitor: ReliabilityMonitor = node.forecourt.services.feature(RELIABILITY).monitor
    return monitor


async def timeline(node: RunningServer) -> list[PortInterval]:
    now = datetime.now(UTC)
    async with node.forecourt.services.ctx.uow() as uow:
        store = uow.repository(RELIABILITY_STORE)
        return await store.intervals.overlapping(
            now - timedelta(days=1), now + timedelta(days=1), [STATION]
        )


async def until_up(node: RunningServer, timeout: float = 60.0) -> None:
    """The station's port 1 has an open interval with no down condition."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = await timeline(node)
        if any(i.port.evse_id == 1 and i.end is None and not i.conditions for i in found):
            return
        assert asyncio.get_running_loop().time() < deadline, found
        await asyncio.sleep(0.2)


async def test_nodes_joining_later_write_no_port_minute_of_the_station_twice(
    tmp_path: Path, cluster: dict[str, Any]
) -> None:
    async with cluster_node(tmp_path / "a", "node-a", **cluster) as a:
        await provision(a)
        station = station_on(a)
        await station.start()
        try:
            await station.wait_ready(60)
            await until_up(a)
            async with (
                cluster_node(tmp_path / "b", "node-b", **cluster) as b,
                cluster_node(tmp_path / "c", "node-c", **cluster) as c,
            ):
                nodes = (a, b, c)
                wanted = {n.forecourt.settings.node_id: monitor(n).passes + 2 for n in nodes}
                # every node's tick loop turns twice: the later ones only look at the lease
                await until(
                    lambda: all(
                        monitor(n).passes >= wanted[n.forecourt.settings.node_id] for n in nodes
                    ),
                    timeout=120,
                )
                active = [monitor(n).active for n in nodes]
                intervals = await timeline(b)
        finally:
            await station.stop()
    assert active == [True, False, False]
    ports = sorted({i.port.evse_id for i in intervals})
    assert ports  # the station's ports are on the timeline
    for evse_id in ports:
        spans = [i for i in intervals if i.port.evse_id == evse_id]
        assert all(not i.conditions for i in spans), spans  # never down, on no node's word
        for earlier, later in itertools.pairwise(spans):  # one stretch after another
            assert earlier.end is not None, spans
            assert earlier.end <= later.start, spans  # no overlap
