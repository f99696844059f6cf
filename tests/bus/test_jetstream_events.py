"""Cluster mode's events over a real NATS JetStream (ADR 0012): the relay publishes what the
outbox holds, a relay that publishes again after a crash leaves one copy in the stream, and
durable consumers handle each event once, however often JetStream delivers it."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from nats.aio.client import Client as NatsClient

from forecourt.bus.jetstream import DurableConsumer, EventStream, connect, encode
from forecourt.bus.outbox import OutboxRelay
from forecourt.domain.events import DomainEvent
from forecourt.storage import Database
from forecourt.storage.database import Database as StorageDatabase
from tests.bus.nats_servers import SHARED_NATS_URL, PrivateNats, private_stream
from tests.support.waiting import until

AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def event(n: int, topic: str = "transaction.ended") -> DomainEvent:
    return DomainEvent(topic, "CS-1", AT, {"transaction_id": n}, id=f"event-{n}")


@pytest.fixture
async def client() -> AsyncIterator[NatsClient]:
    nc = await connect(SHARED_NATS_URL, "forecourt-test")
    yield nc
    await nc.close()


@pytest.fixture
async def stream(client: NatsClient) -> AsyncIterator[EventStream]:
    events = private_stream(client)
    await events.ensure()
    yield events
    await events.js.delete_stream(events.stream)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = StorageDatabase.from_url(f"sqlite:///{tmp_path / 'forecourt.db'}")
    await db.migrate()
    yield db
    await db.dispose()


async def commit(database: Database, *events: DomainEvent) -> None:
    async with database.unit_of_work() as uow:
        for each in events:
            uow.outbox.add(each)
        await uow.commit()


async def stream_size(stream: EventStream) -> int:
    return int((await stream.js.stream_info(stream.stream)).state.messages)


async def test_a_relay_that_publishes_again_after_a_crash_leaves_one_copy(
    database: Database, stream: EventStream
) -> None:
    crashed = OutboxRelay(database.unit_of_work, stream.publish)
    database.on_committed = crashed.committed
    await commit(database, event(1))
    await crashed.drain()  # published; the crash comes before its row is removed
    assert await stream_size(stream) == 1

    restarted = OutboxRelay(database.unit_of_work, stream.publish)
    await restarted.start()  # finds the row, publishes it again
    await restarted.stop()

    assert await stream_size(stream) == 1  # the stream's duplicate window dropped it
    async with database.unit_of_work() as uow:
        assert await uow.outbox.pending(10) == []


async def test_a_failed_event_is_redelivered_and_a_duplicate_has_no_second_effect(
    stream: EventStream,
) -> None:
    effects: Counter[str] = Counter()
    failures = {"event-1"}

    async def settle(delivered: DomainEvent) -> None:
        if delivered.id in failures:
            failures.discard(delivered.id)
            raise RuntimeError("provider down")  # not acknowledged: delivered again
        effects[delivered.id] += 1

    consumer = DurableConsumer(stream, "payments", "transaction.", settle, ack_wait_s=2)
    await consumer.start()
    try:
        await stream.publish(event(1))
        await stream.publish(event(2, "station.booted"))  # not this consumer's topic
        # the same event once more, without the id header (a republish outside the window)
        await stream.js.publish(f"{stream.prefix}.transaction.ended", encode(event(1)))
        await until(lambda: consumer.skipped == 1 and effects["event-1"] == 1)
    finally:
        await consumer.stop()
    assert effects == Counter({"event-1": 1})
    assert consumer.lag == 0


async def test_two_nodes_share_a_durable_consumer_and_handle_each_event_once(
    stream: EventStream,
) -> None:
    handled: list[tuple[str, str]] = []
    nodes = [await connect(SHARED_NATS_URL, f"node-{n}") for n in (1, 2)]

    def on(node: str) -> DurableConsumer:
        async def record(delivered: DomainEvent) -> None:
            handled.append((node, delivered.id))

        view = EventStream(nodes[int(node[-1]) - 1], stream.stream, stream.prefix)
        return DurableConsumer(view, "reliability", "", record, batch=4)

    consumers = [on("node-1"), on("node-2")]
    try:
        for consumer in consumers:
            await consumer.start()
        for n in range(40):
            await stream.publish(event(n))
        await until(lambda: len(handled) >= 40)
        await asyncio.sleep(0.3)  # and nothing more comes
    finally:
        for consumer in consumers:
            await consumer.stop()
        for node in nodes:
            await node.close()
    assert sorted(event_id for _, event_id in handled) == sorted(f"event-{n}" for n in range(40))


async def test_events_committed_while_nats_is_down_reach_the_consumer_after_it_restarts(
    tmp_path: Path, database: Database
) -> None:
    nats_server = PrivateNats(tmp_path / "jetstream")
    nats_server.start()
    client = await connect(nats_server.url, "node-1")
    try:
        stream = EventStream(client)
        await stream.ensure()
        seen: list[str] = []

        async def record(delivered: DomainEvent) -> None:
            seen.append(delivered.id)

        consumer = DurableConsumer(stream, "web", "", record)
        await consumer.start()
        relay = OutboxRelay(database.unit_of_work, stream.publish)
        database.on_committed = relay.committed
        await commit(database, event(1))
        await until(lambda: seen == ["event-1"])

        nats_server.kill()
        await commit(database, event(2), event(3))  # the change is stored; NATS is away
        await asyncio.sleep(1.0)
        assert relay.lag()[0] == 2
        nats_server.start()  # same port, same store

        await until(lambda: sorted(seen) == ["event-1", "event-2", "event-3"], timeout=30)
        await relay.stop()
        await consumer.stop()
    finally:
        await client.close()
        nats_server.kill()
    assert relay.lag() == (0, 0.0)


async def test_a_consumer_stops_even_when_its_fetch_swallows_the_cancellation(
    stream: EventStream,
) -> None:
    """Python 3.11's ``asyncio.wait_for`` (inside nats-py's fetch) may lose a cancellation
    that races a result, and nats-py reports a cancelled fetch as a closed connection once
    its client is closed: either way the fetch loop must still end at ``stop``."""

    async def record(_: DomainEvent) -> None:
        return None

    consumer = DurableConsumer(stream, "stopping", "", record)
    await consumer.start()
    subscription = consumer._subscription
    assert subscription is not None
    real_fetch = subscription.fetch
    swallowed: list[bool] = []

    async def fetch_that_loses_a_cancel(batch: int = 1, timeout: float | None = 5) -> Any:
        try:
            return await real_fetch(batch, timeout=timeout)
        except asyncio.CancelledError:  # the race: the loop sees an ordinary answer
            swallowed.append(True)
            return []

    subscription.fetch = fetch_that_loses_a_cancel  # type: ignore[method-assign]
    await until(lambda: consumer._task is not None)
    await asyncio.sleep(0)
    await asyncio.wait_for(consumer.stop(), 30)  # a hang guard, not a speed check
    assert swallowed == [True]


async def test_a_restarted_consumer_does_not_apply_an_event_it_handled_before(
    stream: EventStream, database: Database
) -> None:
    """The handled ids are in the database: a consumer with a fresh memory (its node
    restarted) acknowledges a redelivery without a second effect."""
    effects: Counter[str] = Counter()

    async def settle(delivered: DomainEvent) -> None:
        effects[delivered.id] += 1

    def payments() -> DurableConsumer:
        return DurableConsumer(stream, "payments", "", settle, uow=database.unit_of_work)

    before = payments()
    await before.start()
    try:
        await stream.publish(event(1))
        await until(lambda: effects["event-1"] == 1, timeout=30)
    finally:
        await before.stop()

    after = payments()  # the same durable, with nothing in memory
    await after.start()
    try:
        # delivered again (a republish outside the duplicate window), then a new event
        await stream.js.publish(f"{stream.prefix}.transaction.ended", encode(event(1)))
        await stream.publish(event(2))
        await until(lambda: effects["event-2"] == 1 and after.skipped == 1, timeout=30)
    finally:
        await after.stop()
    assert effects == Counter({"event-1": 1, "event-2": 1})
    async with database.unit_of_work() as uow:
        assert await uow.consumed.seen("payments", "event-1")
        assert not await uow.consumed.seen("web", "event-1")  # per consumer


async def test_a_new_durable_consumer_starts_with_new_events_not_the_streams_history(
    stream: EventStream, database: Database
) -> None:
    for n in range(3):
        await stream.publish(event(n))  # before the (renamed) subscriber exists
    seen: list[str] = []

    async def record(delivered: DomainEvent) -> None:
        seen.append(delivered.id)

    consumer = DurableConsumer(stream, "renamed", "", record, uow=database.unit_of_work)
    await consumer.start()
    try:
        await stream.publish(event(3))
        await until(lambda: seen == ["event-3"], timeout=30)
    finally:
        await consumer.stop()
    assert seen == ["event-3"]
