"""A private NATS server (JetStream on disk) stopped and started again under two nodes:
they reconnect by themselves, and a command from one node reaches a station on the other
again — no operator action."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from forecourt.domain.commands import ClearCache, CommandStatus
from tests.cluster.test_cross_node import provision, station_on, until
from tests.e2e.conftest import STATION
from tests.support.cluster import cluster_settings, private_nats, two_nodes

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres, pytest.mark.slow]


async def test_nodes_recover_from_a_nats_restart(tmp_path: Path, postgres: str) -> None:
    with private_nats(tmp_path) as nats_server:
        await until(nats_server.listening, timeout=60)
        settings: dict[str, Any] = cluster_settings(postgres, nats_server.url, "drill")
        async with two_nodes(tmp_path, settings) as (a, b):
            await provision(a)
            station = station_on(a)
            await station.start()
            try:
                await station.wait_ready(60)
                remote_b = b.forecourt.services.remote
                await until(lambda: remote_b.connected(STATION), timeout=60)
                nats_server.stop()
                await until(lambda: not b.forecourt.cluster.link.connected, timeout=60)  # type: ignore[union-attr]
                during = await remote_b.send(STATION, ClearCache(), timeout=2)
                nats_server.start()
                await until(lambda: b.forecourt.cluster.link.connected, timeout=60)  # type: ignore[union-attr]
                after = await _retry_until_accepted(remote_b)
                status = b.forecourt.cluster.status()  # type: ignore[union-attr]
            finally:
                await station.stop()
    assert during.status in {CommandStatus.OFFLINE, CommandStatus.TIMEOUT}
    assert after.status is CommandStatus.ACCEPTED
    assert status.nats_connected
    assert {n.node_id for n in status.nodes if n.alive} == {"node-a", "node-b"}


async def _retry_until_accepted(remote: Any, timeout: float = 60.0) -> Any:
    """The first attempts may still find the presence view catching up."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        record = await remote.send(STATION, ClearCache(), timeout=2)
        if record.status is CommandStatus.ACCEPTED:
            return record
        assert asyncio.get_running_loop().time() < deadline, record
        await asyncio.sleep(0.5)
