"""The transactional outbox (ADR 0012) on SQLite and PostgreSQL: events are stored in the
transaction of their change, delivered after it, and what a crash left between commit and
delivery is delivered at the next start, exactly once."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from forecourt.bootstrap import outbox_relay
from forecourt.bus.inprocess import InProcessBus
from forecourt.domain.events import DomainEvent
from forecourt.storage import Database
from tests.storage.outbox_crash import SCENARIOS
from tests.support.statements import recording

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def event(topic: str, event_id: str) -> DomainEvent:
    return DomainEvent(topic, "CS-1", AT, {"transaction_id": 7}, id=event_id)


def recorder(bus: InProcessBus) -> list[DomainEvent]:
    seen: list[DomainEvent] = []

    async def record(delivered: DomainEvent) -> None:
        seen.append(delivered)

    bus.subscribe("", record)
    return seen


async def stored(database: Database) -> list[DomainEvent]:
    async with database.unit_of_work() as uow:
        return await uow.outbox.pending(100)


async def test_a_unit_of_work_stores_its_events_with_one_insert_and_delivers_after_commit(
    database: Database,
) -> None:
    bus = InProcessBus()
    seen = recorder(bus)
    relay = outbox_relay(database, bus)
    with recording(database.engine) as sql:
        async with database.unit_of_work() as uow:
            uow.outbox.add(event("transaction.started", "a"))
            uow.outbox.add(event("transaction.updated", ""))  # latest-wins: never stored
            uow.outbox.add(event("transaction.ended", "b"))
            assert seen == []
            await uow.commit()
    await relay.drain()

    assert sql.on("event_outbox") == ["INSERT"]  # one statement for the whole unit
    assert [e.topic for e in seen] == [
        "transaction.started", "transaction.updated", "transaction.ended",
    ]  # fmt: skip
    assert sorted(e.id for e in await stored(database)) == ["a", "b"]  # not yet forgotten
    await relay.stop()
    assert await stored(database) == []  # delivered rows are removed


async def test_events_of_a_unit_of_work_that_did_not_commit_never_happened(
    database: Database,
) -> None:
    bus = InProcessBus()
    seen = recorder(bus)
    relay = outbox_relay(database, bus)
    async with database.unit_of_work() as uow:
        uow.outbox.add(event("transaction.started", "rolled-back"))
    await relay.drain()

    assert seen == []
    assert await stored(database) == []


async def test_a_crash_between_commit_and_delivery_delivers_at_the_next_start_exactly_once(
    database_url: str, database: Database
) -> None:
    crashed = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.storage.outbox_crash", database_url,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(crashed.communicate(), 120)
    assert crashed.returncode == -9, output.decode()  # SIGKILL, right after the commit
    assert b"not killed" not in output
    (left,) = await stored(database)
    assert left.topic == "transaction.started"

    for run in range(2):  # the restart, and one more: nothing is delivered twice
        bus = InProcessBus()
        seen = recorder(bus)
        relay = outbox_relay(database, bus)
        await relay.start()
        await relay.stop()
        expected = [("transaction.started", left.id)] if run == 0 else []
        assert [(e.topic, e.id) for e in seen] == expected
        assert await stored(database) == []
    assert seen == []
    assert left.data["state"] == "active"  # the event as the change committed it
    async with database.unit_of_work() as uow:
        (tx,) = await uow.transactions.active_on_evse("CS-1", 1)
    assert tx.id == left.data["transaction_id"]


async def test_events_committed_while_the_relay_recovers_are_delivered_once(
    database: Database,
) -> None:
    async with database.unit_of_work() as uow:  # left by an earlier run
        uow.outbox.add(event("transaction.started", "old"))
        await uow.commit()
    bus = InProcessBus()
    seen = recorder(bus)
    relay = outbox_relay(database, bus)
    async with database.unit_of_work() as uow:  # this run, before the relay started
        uow.outbox.add(event("transaction.ended", "new"))
        await uow.commit()
    await relay.start()
    await relay.stop()

    assert sorted(e.id for e in seen) == ["new", "old"]
    assert await stored(database) == []


@pytest.mark.parametrize("scenario", ["boot", "disconnect", "firmware_status", "tariff", "status"])
async def test_every_publisher_stages_its_event_so_a_crash_after_commit_loses_none(
    database_url: str, database: Database, scenario: str
) -> None:
    """Provisioning, maintenance, payments and availability stage their events in the unit of
    work of the change (``ctx.stage``): killed right after the commit, the event is in the
    outbox and delivered once at the next start."""
    topic = SCENARIOS[scenario]
    crashed = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.storage.outbox_crash", database_url, scenario,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(crashed.communicate(), 120)
    assert crashed.returncode == -9, output.decode()  # SIGKILL, right after the commit
    left = await stored(database)  # the change's event (and a record stored before it)
    assert topic in [e.topic for e in left]

    for run in range(2):  # the restart, and one more: nothing is delivered twice
        bus = InProcessBus()
        seen = recorder(bus)
        relay = outbox_relay(database, bus)
        await relay.start()
        await relay.stop()
        expected = [(e.topic, e.id) for e in left] if run == 0 else []
        assert sorted((e.topic, e.id) for e in seen) == sorted(expected)
        assert await stored(database) == []


async def test_the_tally_counts_each_consumers_handled_ids_and_its_newest(
    database: Database,
) -> None:
    async with database.unit_of_work() as uow:
        assert await uow.consumed.tally() == []
        await uow.consumed.add("payments", "a", AT)
        await uow.consumed.add("payments", "b", AT.replace(hour=13))
        await uow.consumed.add("payments", "b", AT.replace(hour=14))  # a duplicate: kept as is
        await uow.consumed.add("monitor", "a", AT)
        await uow.commit()
    async with database.unit_of_work() as uow:
        tally = await uow.consumed.tally()
    assert [(t.consumer, t.consumed, t.last_at) for t in tally] == [
        ("monitor", 1, AT), ("payments", 2, AT.replace(hour=13)),
    ]  # fmt: skip
