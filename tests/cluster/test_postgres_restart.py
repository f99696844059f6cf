"""A private PostgreSQL server restarted (fast shutdown: every session cut) under two nodes
while a station charges through one of them: the nodes reconnect by themselves, a command
from the other node reaches the station again, and the session ends once, with its energy,
every committed event delivered — no operator action."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Any

import pytest

from forecourt.bootstrap import build_services, open_database
from forecourt.domain.commands import ClearCache, CommandStatus
from forecourt.domain.transactions import TransactionState
from forecourt.services.history import TransactionFilter
from tests.cluster.test_cross_node import provision, station_on, until
from tests.e2e.conftest import STATION
from tests.support.cluster import (
    MACHINE_NATS,
    cluster_settings,
    delete_buckets,
    private_postgres,
    two_nodes,
)
from tests.support.harness import OfflineGateway

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres, pytest.mark.slow]


async def test_nodes_recover_from_a_postgres_restart_mid_session(tmp_path: Path) -> None:
    name = f"t{secrets.token_hex(6)}"
    async with private_postgres(tmp_path) as postgres:
        settings: dict[str, Any] = cluster_settings(postgres.url, MACHINE_NATS, name)
        try:
            async with two_nodes(tmp_path, settings) as (a, b):
                await provision(a)
                station = station_on(a, b)
                await station.start()
                try:
                    await station.wait_ready(60)
                    session = station.start_session(1)
                    assert session is not None
                    await session.wait_charging(60)
                    await until(lambda: session.energy_wh > 0, timeout=60)
                    await asyncio.to_thread(postgres.stop)  # mid-session: sessions cut
                    await asyncio.to_thread(postgres.start)
                    after = await _retry_until_accepted(b.forecourt.services.remote)
                    await station.stop_session(1)
                    await session.wait_ended(60)
                    await station.wait_ready(60)
                    outbox = await _until_outbox_empty(a)
                finally:
                    await station.stop()
        finally:
            await delete_buckets(MACHINE_NATS, name)
        database = open_database(postgres.url)
        try:
            services = build_services(database, OfflineGateway())
            items, total = await services.history.list(TransactionFilter(STATION))
        finally:
            await database.dispose()
    assert after.status is CommandStatus.ACCEPTED
    assert outbox == []  # every event committed before, during and after: delivered
    assert total == 1  # the same session, not a second one after the restart
    (tx,) = items
    assert tx.state is TransactionState.ENDED
    assert tx.energy_wh == pytest.approx(session.energy_wh, rel=0.01)


async def _retry_until_accepted(remote: Any, timeout: float = 90.0) -> Any:
    """A command from node B to the station on node A, until the nodes have recovered."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        record = await remote.send(STATION, ClearCache(), timeout=5)
        if record.status is CommandStatus.ACCEPTED:
            return record
        assert asyncio.get_running_loop().time() < deadline, record
        await asyncio.sleep(0.5)


async def _until_outbox_empty(node: Any, timeout: float = 90.0) -> list[Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            async with node.forecourt.services.ctx.uow() as uow:
                left: list[Any] = await uow.outbox.pending(100)
        except Exception:  # the pool still holds a connection of the old server
            left = [None]
        if not left or asyncio.get_running_loop().time() >= deadline:
            return left
        await asyncio.sleep(0.5)
