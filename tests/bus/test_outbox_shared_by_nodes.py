"""Cluster mode shares one outbox table between nodes (PostgreSQL): a node's start-up recovery
and periodic sweep never deliver another live node's events in flight, and do deliver, once,
what a dead node committed and never published."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from forecourt.bus.outbox import OutboxRelay
from forecourt.domain.events import DomainEvent
from forecourt.storage.database import Database
from tests.support.cluster import fresh_postgres
from tests.support.waiting import until

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres]

AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
ORPHAN_AFTER_S = 1.5


def event(event_id: str) -> DomainEvent:
    return DomainEvent("transaction.ended", "CS-1", AT, {"transaction_id": 7}, id=event_id)


@pytest.fixture
async def postgres() -> AsyncIterator[str]:
    async with fresh_postgres() as url:
        yield url


async def node(url: str) -> Database:
    return Database.from_url(url)


async def commit(database: Database, *events: DomainEvent) -> None:
    async with database.unit_of_work() as uow:
        for each in events:
            uow.outbox.add(each)
        await uow.commit()


async def stored_ids(database: Database) -> list[str]:
    async with database.unit_of_work() as uow:
        return [e.id for e in await uow.outbox.pending(100)]


def cluster_relay(database: Database, delivered: list[str]) -> OutboxRelay:
    async def deliver(delivered_event: DomainEvent) -> None:
        delivered.append(delivered_event.id)

    relay = OutboxRelay(
        database.unit_of_work, deliver, forget_interval_s=0.05, orphan_after_s=ORPHAN_AFTER_S
    )
    database.on_committed = relay.committed
    return relay


async def test_a_starting_node_leaves_a_live_nodes_event_in_flight_alone(postgres: str) -> None:
    a, b = await node(postgres), await node(postgres)
    release = asyncio.Event()
    by_a: list[str] = []

    async def slow_publish(delivered_event: DomainEvent) -> None:  # NATS slow to answer
        await release.wait()
        by_a.append(delivered_event.id)

    relay_a = OutboxRelay(a.unit_of_work, slow_publish, forget_interval_s=0.05)
    a.on_committed = relay_a.committed
    await relay_a.start()
    by_b: list[str] = []
    relay_b = cluster_relay(b, by_b)
    try:
        await commit(a, event("in-flight"))
        await relay_b.start()  # B starts while A's event is stored and not yet published
        await asyncio.sleep(ORPHAN_AFTER_S / 4)
        assert by_b == []
        release.set()
        await until(lambda: by_a == ["in-flight"])
        await asyncio.sleep(ORPHAN_AFTER_S * 2)  # several sweeps of B
        assert by_b == []  # A published it and removed its row: B never saw it orphaned
        assert await stored_ids(a) == []
    finally:
        await relay_b.stop()
        await relay_a.stop()
        await a.dispose()
        await b.dispose()


async def test_a_dead_nodes_unpublished_event_is_delivered_once_by_a_live_node(
    postgres: str,
) -> None:
    dead, b = await node(postgres), await node(postgres)
    dead.on_committed = lambda _events: None  # killed between commit and publish
    await commit(dead, event("orphan"))
    await dead.dispose()
    by_b: list[str] = []
    relay_b = cluster_relay(b, by_b)
    await relay_b.start()
    try:
        await asyncio.sleep(ORPHAN_AFTER_S / 2)
        assert by_b == []  # not yet: it could be a live node's event in flight
        await until(lambda: by_b == ["orphan"], timeout=ORPHAN_AFTER_S * 5)
        await until_removed(b)
        await asyncio.sleep(ORPHAN_AFTER_S * 1.5)
        assert by_b == ["orphan"]  # once
    finally:
        await relay_b.stop()
        await b.dispose()


async def until_removed(database: Database) -> None:
    for _ in range(100):
        if await stored_ids(database) == []:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the delivered row was not removed")
