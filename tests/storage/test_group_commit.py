"""SQLite group commit (ADR 0008): units of work of many tasks share one transaction, each in
its own savepoint; ``commit()`` returns once the shared COMMIT is done. Counted statement by
statement with SQLite's own trace (savepoints and COMMIT included), never timed."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from forecourt.bootstrap import open_database
from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.domain.stations import Site
from forecourt.storage import Database
from forecourt.storage.group_commit import BatchFailed

from .factories import T0, make_station, sqlite_url

LONG_DELAY = 5.0  # batches close by size in these tests: a delay never decides a count


class Traced:
    """A migrated SQLite database whose every SQL statement (from any connection) is kept."""

    def __init__(self, path: Path, **group: Any) -> None:
        self.path = path
        self.database = open_database(sqlite_url(path), **group)  # features' branches too
        self.sql: list[str] = []

    async def start(self) -> None:
        await self.database.migrate()
        await self.database.engine.dispose()  # the next connections are traced from birth

        @event.listens_for(self.database.engine.sync_engine, "connect")
        def trace(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.set_trace_callback(lambda sql: self.sql.append(" ".join(sql.split())))

    def count(self, prefix: str) -> int:
        return sum(s.startswith(prefix) for s in self.sql)


@pytest.fixture
async def traced(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Traced]:
    """Batches of 5 units (``@pytest.mark.parametrize("traced", [n], indirect=True)``: n)."""
    units = getattr(request, "param", 5)
    db = Traced(tmp_path / "group.db", group_commit_max_units=units,
                group_commit_max_delay_s=LONG_DELAY)  # fmt: skip
    await db.start()
    yield db
    await db.database.dispose()


async def add_event(database: Database, n: int) -> None:
    async with database.unit_of_work() as uow:
        await uow.events.add(StationEvent(f"CP-{n}", StationEventKind.BOOT, T0, {"n": n}))
        await uow.commit()


async def stored_events(database: Database) -> list[int]:
    async with database.unit_of_work() as uow:
        return sorted(e.data["n"] for e in await uow.events.list(limit=1000))


async def test_units_of_twenty_tasks_share_four_commits(traced: Traced) -> None:
    await asyncio.gather(*(add_event(traced.database, n) for n in range(20)))
    # 20 units, 5 per batch: 4 transactions, 4 fsyncs instead of 20
    writes = [s for s in traced.sql if not s.startswith(("SELECT", "PRAGMA"))]
    assert await stored_events(traced.database) == list(range(20))
    assert writes.count("BEGIN IMMEDIATE") == 4
    assert writes.count("COMMIT") == 4
    assert writes.count("SAVEPOINT fc_unit") == 20
    assert writes.count("RELEASE fc_unit") == 20
    assert sum(s.startswith("INSERT INTO station_events") for s in writes) == 20


async def test_a_lone_unit_commits_after_the_delay(tmp_path: Path) -> None:
    traced = Traced(tmp_path / "lone.db", group_commit_max_delay_s=0.001)
    await traced.start()
    try:
        await add_event(traced.database, 1)  # returns only once its batch committed
        assert traced.count("COMMIT") == 1
        assert await stored_events(traced.database) == [1]
    finally:
        await traced.database.dispose()


@pytest.mark.parametrize("traced", [3], indirect=True)
async def test_a_failing_unit_leaves_the_rest_of_its_batch_stored(traced: Traced) -> None:
    async def fail(n: int) -> None:
        async with traced.database.unit_of_work() as uow:
            await uow.events.add(StationEvent(f"CP-{n}", StationEventKind.BOOT, T0, {"n": n}))
            raise RuntimeError("boom")

    outcomes = await asyncio.gather(
        add_event(traced.database, 1), fail(2), add_event(traced.database, 3), fail(4),
        add_event(traced.database, 5), return_exceptions=True,
    )  # fmt: skip
    assert [type(o).__name__ for o in outcomes] == [
        "NoneType", "RuntimeError", "NoneType", "RuntimeError", "NoneType",
    ]  # fmt: skip
    assert await stored_events(traced.database) == [1, 3, 5]
    assert traced.count("ROLLBACK TO fc_unit") >= 2
    assert traced.count("COMMIT") == 1


@pytest.mark.parametrize("traced", [2], indirect=True)
async def test_a_failed_commit_fails_every_unit_of_its_batch(traced: Traced) -> None:
    async def dangling_station() -> None:
        async with traced.database.unit_of_work() as uow:
            # Checked at COMMIT, not at the INSERT: the whole shared transaction fails.
            await uow._db.connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            await uow.stations.add(make_station("CP-DANGLING", site_id="no-such-site"))
            await uow.commit()

    async def good_site() -> None:
        async with traced.database.unit_of_work() as uow:
            await uow.sites.add(Site("S-GOOD", "Good"))
            await uow.commit()

    async def reader() -> list[str]:  # sees S-GOOD before it is stored: must not answer
        async with traced.database.unit_of_work() as uow:
            return [s.id for s in await uow.sites.list()]

    outcomes = await asyncio.gather(
        good_site(), reader(), dangling_station(), return_exceptions=True
    )
    assert all(isinstance(o, BatchFailed) for o in outcomes), outcomes
    async with traced.database.unit_of_work() as uow:
        assert await uow.sites.list() == []  # acknowledged nothing, stored nothing
        assert await uow.stations.get("CP-DANGLING") is None
    await asyncio.gather(add_event(traced.database, 7), add_event(traced.database, 8))
    assert await stored_events(traced.database) == [7, 8]  # the next batch works


async def test_a_cancelled_waiter_does_not_cancel_its_batch(traced: Traced) -> None:
    first = asyncio.create_task(add_event(traced.database, 1))
    await asyncio.sleep(0)  # its unit is in the batch, waiting for the COMMIT
    first.cancel()
    await asyncio.gather(*(add_event(traced.database, n) for n in range(2, 6)))
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await stored_events(traced.database) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("traced", [2], indirect=True)
async def test_a_read_waits_for_the_batch_whose_changes_it_saw(traced: Traced) -> None:
    async def reader() -> list[str]:
        async with traced.database.unit_of_work() as uow:
            seen = [s.id for s in await uow.sites.list()]
        traced.sql.append("-- reader answered")
        return seen

    async def add_site(site_id: str) -> None:
        async with traced.database.unit_of_work() as uow:
            await uow.sites.add(Site(site_id, site_id))
            await uow.commit()

    _, seen, _ = await asyncio.gather(add_site("S-1"), reader(), add_site("S-2"))
    assert seen == ["S-1"]
    assert traced.sql.index("-- reader answered") > traced.sql.index("COMMIT")


async def test_a_read_only_unit_leaves_the_write_lock_free(traced: Traced) -> None:
    async with traced.database.unit_of_work() as uow:
        assert await uow.sites.list() == []
    other = sqlite3.connect(traced.path, timeout=0, isolation_level=None)  # another process
    try:
        other.execute("BEGIN IMMEDIATE")  # "database is locked" if the batch stayed open
        other.execute("ROLLBACK")
    finally:
        other.close()


async def test_a_unit_used_again_after_commit_joins_the_next_batch(tmp_path: Path) -> None:
    traced = Traced(tmp_path / "again.db", group_commit_max_delay_s=0.001)
    await traced.start()
    database = traced.database
    try:
        async with database.unit_of_work() as uow:
            await uow.sites.add(Site("S-1", "One"))
            await uow.commit()
            assert [s.id for s in await uow.sites.list()] == ["S-1"]  # re-enters to read
            await uow.sites.add(Site("S-2", "Two"))
            await uow.commit()
            await uow.sites.add(Site("S-3", "never committed"))
        async with database.unit_of_work() as uow:
            assert [s.id for s in await uow.sites.list()] == ["S-1", "S-2"]
        assert traced.count("COMMIT") == 2
    finally:
        await database.dispose()


async def test_grouping_off_commits_every_unit_alone(tmp_path: Path) -> None:
    traced = Traced(tmp_path / "alone.db", group_commit_max_units=1)
    await traced.start()
    try:
        assert traced.database.group_commit is None
        await asyncio.gather(*(add_event(traced.database, n) for n in range(3)))
        assert traced.count("COMMIT") == 3
        assert traced.count("SAVEPOINT") == 0
    finally:
        await traced.database.dispose()
