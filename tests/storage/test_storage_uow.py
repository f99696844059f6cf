"""Units of work: commit/rollback, time zones, concurrency, URLs."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.exc import StatementError

from forecourt.domain.errors import Conflict
from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.domain.stations import Site
from forecourt.domain.transactions import start_key
from forecourt.ports.repositories import TransactionFilter, UnitOfWork, UnitOfWorkFactory
from forecourt.storage import Database
from forecourt.storage.sqlite_inline import DRIVER as SQLITE_DRIVER

from .factories import T0, make_station, make_tx, sqlite_url


def test_database_implements_the_port(tmp_path: Path) -> None:
    database = Database.from_url(sqlite_url(tmp_path / "x.db"))
    factory: UnitOfWorkFactory = database.unit_of_work  # checked by mypy
    uow: UnitOfWork = factory()
    assert uow is not None
    assert database.dialect == "sqlite"


async def test_only_committed_work_persists(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.sites.add(Site("kept", "A"))
        await uow.commit()
        await uow.sites.add(Site("rolled-back", "B"))
        await uow.rollback()
        await uow.sites.add(Site("kept-too", "C"))
        await uow.commit()
        await uow.sites.add(Site("never-committed", "D"))

    async def fail_midway() -> None:
        async with database.unit_of_work() as uow:
            await uow.sites.add(Site("failed", "E"))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await fail_midway()
    async with database.unit_of_work() as uow:
        assert [s.id for s in await uow.sites.list()] == ["kept", "kept-too"]


async def test_datetimes_come_back_aware_utc(database: Database) -> None:
    tokyo = timezone(timedelta(hours=9))
    async with database.unit_of_work() as uow:
        event_id = await uow.events.add(
            StationEvent("CP-1", StationEventKind.BOOT, T0.astimezone(tokyo))
        )
        await uow.commit()
    async with database.unit_of_work() as uow:
        (event,) = await uow.events.list()
    assert event.id == event_id
    assert event.at == T0
    assert event.at.tzinfo is not None
    assert event.at.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(database: Database) -> None:
    async with database.unit_of_work() as uow:
        with pytest.raises(StatementError, match="naive datetime"):
            await uow.events.add(StationEvent("CP-1", StationEventKind.BOOT, datetime(2025, 1, 1)))


async def test_fifty_concurrent_writers_all_succeed(database: Database) -> None:
    async def write(n: int) -> None:
        async with database.unit_of_work() as uow:
            seen = len(await uow.events.list(limit=1000))
            await uow.events.add(StationEvent(f"CP-{n}", StationEventKind.BOOT, T0, {"seen": seen}))
            await uow.commit()

    await asyncio.gather(*(write(n) for n in range(50)))
    async with database.unit_of_work() as uow:
        events = await uow.events.list(limit=1000)
    assert len(events) == 50
    if database.dialect == "sqlite":  # one writer at a time: each saw all earlier commits
        assert sorted(e.data["seen"] for e in events) == list(range(50))


async def test_sqlite_writers_in_two_processes_wait_instead_of_failing(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "shared.db")
    first, second = Database.from_url(url), Database.from_url(url)  # as two processes would
    await first.migrate()

    async def write(database: Database, n: int) -> None:
        async with database.unit_of_work() as uow:
            seen = len(await uow.events.list(limit=1000))
            await uow.events.add(StationEvent(f"CP-{n}", StationEventKind.BOOT, T0, {"seen": seen}))
            await asyncio.sleep(0)  # hold the write lock across a suspension
            await uow.commit()

    try:
        await asyncio.gather(*(write((first, second)[n % 2], n) for n in range(40)))
        async with first.unit_of_work() as uow:
            events = await uow.events.list(limit=1000)
    finally:
        await first.dispose()
        await second.dispose()
    assert sorted(e.data["seen"] for e in events) == list(range(40))


async def test_nested_unit_of_work_on_sqlite_fails_fast(tmp_path: Path) -> None:
    database = Database.from_url(sqlite_url(tmp_path / "nested.db"))
    try:
        async with database.unit_of_work():
            with pytest.raises(RuntimeError, match="nested unit of work"):
                async with database.unit_of_work():
                    pass
    finally:
        await database.dispose()


async def test_concurrent_starts_with_one_start_key_create_one_transaction(
    database: Database,
) -> None:
    async with database.unit_of_work() as uow:
        await uow.stations.add(make_station())
        await uow.commit()
    key = start_key("CP-1", 1, 1, T0, "TOKEN-1")

    async def start() -> None:
        async with database.unit_of_work() as uow:
            await uow.transactions.add(make_tx(start_key=key))
            await asyncio.sleep(0.05)  # keep the row uncommitted while the other one inserts
            await uow.commit()

    outcomes = await asyncio.gather(start(), start(), return_exceptions=True)
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "NoneType"]
    assert any(isinstance(o, Conflict) and "already exists" in str(o) for o in outcomes)
    async with database.unit_of_work() as uow:
        assert await uow.transactions.count(TransactionFilter()) == 1


def test_from_url_creates_the_sqlite_directory_and_accepts_plain_urls(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "forecourt.db"
    database = Database.from_url(f"sqlite:///{path}")
    assert path.parent.is_dir()
    assert database.dialect == "sqlite"
    assert database.engine.url.drivername == SQLITE_DRIVER  # SQLite on the event loop (ADR 0004)
    assert Database.from_url("postgresql://u@127.0.0.1/db").dialect == "postgresql"
    with pytest.raises(ValueError, match="unsupported database 'mysql'"):
        Database.from_url("mysql://u@127.0.0.1/db")
