"""Contract tests for the hot-path methods: one-statement clock drift, locate-and-lock."""

from __future__ import annotations

from forecourt.storage import Database
from tests.storage.factories import make_station, make_tx


async def test_set_clock_drift_updates_only_known_stations(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.stations.add(make_station("CP-1"))
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert await uow.stations.set_clock_drift("CP-1", -12.5) is True
        assert await uow.stations.set_clock_drift("NOPE", 3.0) is False
        await uow.commit()
    async with database.unit_of_work() as uow:
        station = await uow.stations.get("CP-1")
    assert station is not None
    assert station.clock_drift_s == -12.5


async def test_by_station_tx_id_for_update_matches_station_and_its_id(database: Database) -> None:
    async with database.unit_of_work() as uow:
        for station_id in ("CP-1", "CP-2"):
            await uow.stations.add(make_station(station_id))
        tx = await uow.transactions.add(make_tx(station_tx_id="T-1"))
        await uow.commit()
    async with database.unit_of_work() as uow:
        found = await uow.transactions.by_station_tx_id_for_update("CP-1", "T-1")
        assert found == await uow.transactions.by_station_tx_id("CP-1", "T-1")
        assert found is not None
        assert found.id == tx.id
        assert await uow.transactions.by_station_tx_id_for_update("CP-2", "T-1") is None
        assert await uow.transactions.by_station_tx_id_for_update("CP-1", "T-2") is None
