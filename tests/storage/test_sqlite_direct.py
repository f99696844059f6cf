"""SQLite's per-message statements on the driver (``storage/sqlite_direct.py``, ADR 0019): they
run inside the unit of work's transaction (with group commit on and off), a violated constraint
is a ``Conflict`` like on the Core path, big sample batches are split, and statement recorders
see them. Real SQLite files, never timed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forecourt.domain.errors import Conflict
from forecourt.domain.metering import Measurand, MeterSample
from forecourt.ports.repositories import StoredSample
from forecourt.storage import Database
from forecourt.storage.metering import DIRECT_ROWS_MAX
from forecourt.storage.tables import meter_samples
from tests.support.statements import recording

from .factories import T0, make_station, make_tx, sqlite_url


async def _database(tmp_path: Path, max_units: int) -> Database:
    db = Database.from_url(sqlite_url(tmp_path / "f.db"), group_commit_max_units=max_units)
    await db.migrate()
    async with db.unit_of_work() as uow:
        await uow.stations.add(make_station("CP-1"))
        await uow.commit()
    return db


def samples(count: int, tx_id: int | None = None) -> list[StoredSample]:
    return [
        StoredSample(
            "CP-1",
            1,
            tx_id,
            MeterSample(T0 + timedelta(seconds=n), Measurand.ENERGY_IMPORT_REGISTER, n, "Wh"),
        )
        for n in range(count)
    ]


async def _stored(db: Database) -> int:
    async with db.engine.connect() as connection:
        query = select(func.count()).select_from(meter_samples)
        return int((await connection.execute(query)).scalar_one())


@pytest.mark.parametrize("max_units", [1, 200], ids=["one transaction per unit", "group commit"])
async def test_driver_statements_are_undone_with_their_unit_of_work(
    tmp_path: Path, max_units: int
) -> None:
    db = await _database(tmp_path, max_units)
    try:
        async with db.unit_of_work() as uow:
            tx = await uow.transactions.add(make_tx())
            await uow.commit()
        async with db.unit_of_work() as uow:  # a unit of work that never commits
            assert await uow.meter.add(samples(3, tx.id)) == 3
            tx.energy_wh = 5.0
            await uow.transactions.save(tx)
        assert await _stored(db) == 0
        async with db.unit_of_work() as uow:
            assert (await uow.transactions.get(tx.id)) == make_tx(id=tx.id, station_tx_id="1")
            assert await uow.meter.add(samples(3, tx.id)) == 3
            await uow.commit()
        assert await _stored(db) == 3
    finally:
        await db.dispose()


async def test_a_violated_constraint_is_a_conflict(tmp_path: Path) -> None:
    db = await _database(tmp_path, 200)
    try:
        async with db.unit_of_work() as uow:
            tx = await uow.transactions.add(make_tx())
            await uow.commit()
        async with db.unit_of_work() as uow:
            tx.station_id = "CP-404"  # no such station: the UPDATE breaks the foreign key
            with pytest.raises(Conflict, match="refers to something that does not exist"):
                await uow.transactions.save(tx)
    finally:
        await db.dispose()


async def test_a_big_batch_is_split_and_replays_are_not_counted(tmp_path: Path) -> None:
    db = await _database(tmp_path, 200)
    count = 2 * DIRECT_ROWS_MAX + 5
    try:
        with recording(db.engine) as sql:
            async with db.unit_of_work() as uow:
                assert await uow.meter.add(samples(count)) == count
                assert await uow.meter.add(samples(count)) == 0  # all replays: none new
                await uow.commit()
        assert await _stored(db) == count
    finally:
        await db.dispose()
    assert sql.on("meter_samples") == ["INSERT"] * 6  # three statements per batch, seen
