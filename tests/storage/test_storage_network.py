"""Contract: sites, stations (EVSEs, connectors, live status) and status history."""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import event

from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType
from forecourt.domain.errors import Conflict, NotFound
from forecourt.domain.stations import (
    ConnectorStatus,
    RegistrationStatus,
    Site,
    StatusReport,
)
from forecourt.ports.repositories import StatusHistoryEntry
from forecourt.storage import Database

from .factories import T0, at, dc_rating, make_station, make_tx


async def add_station(database: Database, station_id: str = "CP-1") -> None:
    async with database.unit_of_work() as uow:
        await uow.stations.add(make_station(station_id))
        await uow.commit()


async def test_site_round_trip_list_and_save(database: Database) -> None:
    site = Site("S-1", "Main St", "1 Main St", "America/Chicago", 41.88, -87.63)
    async with database.unit_of_work() as uow:
        await uow.sites.add(site)
        await uow.sites.add(Site("S-0", "Depot"))
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert await uow.sites.get("S-1") == site
        assert await uow.sites.get("nope") is None
        assert [s.id for s in await uow.sites.list()] == ["S-0", "S-1"]
        site.name, site.latitude = "Main Street", None
        await uow.sites.save(site)
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert await uow.sites.get("S-1") == site


async def test_site_duplicate_is_conflict_and_unknown_save_is_not_found(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.sites.add(Site("S-1", "A"))
        with pytest.raises(Conflict, match="site 'S-1' already exists"):
            await uow.sites.add(Site("S-1", "B"))
        with pytest.raises(NotFound):
            await uow.sites.save(Site("S-9", "ghost"))
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert [s.name for s in await uow.sites.list()] == ["A"]


async def test_station_round_trips_every_field_with_evses_and_connectors(
    database: Database,
) -> None:
    station = make_station(site_id="S-1")
    station.registration = RegistrationStatus.PENDING
    station.connected = True
    station.last_seen_at = T0
    station.booted_at = at(-60)
    station.clock_drift_s = -1.5
    station.evses[1].connectors[0].status = ConnectorStatus.FAULTED
    station.evses[1].connectors[0].status_detail = "Faulted"
    station.evses[1].connectors[0].error_code = "GroundFailure"
    station.evses[1].connectors[0].status_at = at(5)
    async with database.unit_of_work() as uow:
        await uow.sites.add(Site("S-1", "Main"))
        await uow.stations.add(station)
        await uow.commit()
    async with database.unit_of_work() as uow:
        loaded = await uow.stations.get("CP-1")
        assert await uow.stations.get("CP-404") is None
    assert loaded == station
    assert loaded is not None
    assert loaded.last_seen_at is not None
    assert loaded.last_seen_at.tzinfo is not None
    assert loaded.last_seen_at.utcoffset() == timedelta(0)


async def test_station_get_and_list_use_a_fixed_number_of_queries(database: Database) -> None:
    await add_station(database)
    selects: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with database.unit_of_work() as uow:
            await uow.stations.get("CP-1")
            await uow.stations.list()
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    assert len(selects) == 4  # get: one joined query; list: stations, connectors, EVSEs (no N+1)


async def test_station_list_filters_by_site_in_id_order(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.sites.add(Site("S-1", "Main"))
        for station_id, site_id in [("CP-3", "S-1"), ("CP-1", None), ("CP-2", "S-1")]:
            await uow.stations.add(make_station(station_id, site_id=site_id))
        await uow.commit()
    async with database.unit_of_work() as uow:
        everything = await uow.stations.list()
        at_site = await uow.stations.list(site_id="S-1")
    assert [s.id for s in everything] == ["CP-1", "CP-2", "CP-3"]
    assert [s.id for s in at_site] == ["CP-2", "CP-3"]
    assert [len(e.connectors) for e in at_site[0].evses] == [2, 1]


async def test_station_duplicate_is_conflict_and_unit_of_work_stays_usable(
    database: Database,
) -> None:
    await add_station(database)
    async with database.unit_of_work() as uow:
        with pytest.raises(Conflict, match="station 'CP-1' already exists"):
            await uow.stations.add(make_station("CP-1"))
        await uow.stations.add(make_station("CP-2"))
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert [s.id for s in await uow.stations.list()] == ["CP-1", "CP-2"]


async def test_station_with_unknown_site_is_conflict(database: Database) -> None:
    async with database.unit_of_work() as uow:
        with pytest.raises(Conflict, match="does not exist"):
            await uow.stations.add(make_station(site_id="S-404"))


async def test_save_changes_station_fields_only(database: Database) -> None:
    await add_station(database)
    async with database.unit_of_work() as uow:
        station = await uow.stations.get("CP-1")
        assert station is not None
        station.firmware_version = "2.0.0"
        station.registration = RegistrationStatus.REJECTED
        station.password_hash = None
        station.evses = []  # not persisted by save
        await uow.stations.save(station)
        await uow.commit()
    async with database.unit_of_work() as uow:
        loaded = await uow.stations.get("CP-1")
        with pytest.raises(NotFound):
            await uow.stations.save(make_station("CP-404"))
    assert loaded is not None
    assert (loaded.firmware_version, loaded.registration) == ("2.0.0", RegistrationStatus.REJECTED)
    assert loaded.password_hash is None
    assert len(loaded.evses) == 2


async def test_touch_connect_and_mark_all_disconnected(database: Database) -> None:
    await add_station(database, "CP-1")
    await add_station(database, "CP-2")
    plus_two = timezone(timedelta(hours=2))
    async with database.unit_of_work() as uow:
        await uow.stations.set_connected("CP-1", True, at(10))
        await uow.stations.set_connected("CP-2", True, at(11))
        await uow.stations.touch("CP-1", at(20).astimezone(plus_two))
        await uow.commit()
    async with database.unit_of_work() as uow:
        one = await uow.stations.get("CP-1")
        assert one is not None
        assert one.connected
        assert one.last_seen_at == at(20)
        assert one.last_seen_at.tzinfo is not None
        assert one.last_seen_at.utcoffset() == timedelta(0)
        await uow.stations.mark_all_disconnected()
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert [s.connected for s in await uow.stations.list()] == [False, False]
        await uow.stations.touch("CP-404", T0)  # liveness of an unknown station: ignored
        await uow.stations.set_connected("CP-404", False, T0)
        assert await uow.stations.get("CP-404") is None


async def test_upsert_connector_creates_updates_and_leaves_none_unchanged(
    database: Database,
) -> None:
    await add_station(database)
    ac = ConnectorRating(PowerType.AC_3_PHASE, 230.0, 32.0, 22_080.0)
    async with database.unit_of_work() as uow:
        await uow.stations.upsert_connector("CP-1", 3, 1, ConnectorType.TYPE2, ac)  # new EVSE
        await uow.stations.upsert_connector("CP-1", 1, 1, ConnectorType.NACS)  # keeps rating
        await uow.stations.upsert_connector("CP-1", 2, 1, rating=dc_rating(62_500))  # keeps type
        await uow.stations.upsert_connector("CP-1", 2, 2)  # bare
        await uow.commit()
    async with database.unit_of_work() as uow:
        station = await uow.stations.get("CP-1")
        with pytest.raises(NotFound):
            await uow.stations.upsert_connector("CP-404", 1, 1, ConnectorType.CCS1)
    assert station is not None
    evse1, evse2, evse3 = station.evses
    assert (evse1.connectors[0].type, evse1.connectors[0].rating) == (
        ConnectorType.NACS,
        dc_rating(),
    )
    assert (evse2.connectors[0].type, evse2.connectors[0].rating) == (
        ConnectorType.CHADEMO,
        dc_rating(62_500),
    )
    assert (evse2.connectors[1].type, evse2.connectors[1].rating) == (ConnectorType.UNKNOWN, None)
    assert (evse3.evse_id, evse3.max_power_w, evse3.connectors[0].rating) == (3, None, ac)


async def test_remove_connector_keeps_history_and_transactions(database: Database) -> None:
    await add_station(database)
    report = StatusReport(1, 1, ConnectorStatus.OCCUPIED, T0, detail="Charging")
    async with database.unit_of_work() as uow:
        await uow.statuses.add(StatusHistoryEntry("CP-1", report, T0))
        tx = await uow.transactions.add(make_tx())
        await uow.stations.remove_connector("CP-1", 1, 1)
        await uow.stations.remove_connector("CP-1", 1, 9)  # unknown: nothing happens
        await uow.stations.upsert_connector("CP-1", 1, 1, ConnectorType.NACS, dc_rating())
        await uow.commit()
    async with database.unit_of_work() as uow:
        station = await uow.stations.get("CP-1")
        history = await uow.statuses.list("CP-1")
        kept = await uow.transactions.get(tx.id)
    assert station is not None
    assert [(c.connector_id, c.type) for c in station.evses[0].connectors] == [
        (1, ConnectorType.NACS),
        (2, ConnectorType.NACS),
    ]
    assert [h.report for h in history] == [report]
    assert kept is not None
    assert (kept.evse_id, kept.connector_id) == (1, 1)


async def test_set_evse_power_updates_or_creates_the_evse(database: Database) -> None:
    await add_station(database)
    async with database.unit_of_work() as uow:
        await uow.stations.set_evse_power("CP-1", 1, 150_000)
        await uow.stations.set_evse_power("CP-1", 2, None)
        await uow.stations.set_evse_power("CP-1", 5, 7_400)
        await uow.commit()
    async with database.unit_of_work() as uow:
        station = await uow.stations.get("CP-1")
        with pytest.raises(NotFound):
            await uow.stations.set_evse_power("CP-404", 1, 1.0)
    assert station is not None
    assert [(e.evse_id, e.max_power_w, len(e.connectors)) for e in station.evses] == [
        (1, 150_000, 2),
        (2, None, 1),
        (5, 7_400, 0),
    ]


async def test_update_status_sets_live_status_and_discovers_connectors(
    database: Database,
) -> None:
    await add_station(database)
    async with database.unit_of_work() as uow:
        await uow.stations.update_status(
            "CP-1", StatusReport(1, 2, ConnectorStatus.OCCUPIED, at(1), "Charging", "NoError")
        )
        await uow.stations.update_status(
            "CP-1", StatusReport(4, 1, ConnectorStatus.AVAILABLE, at(2))
        )
        await uow.stations.update_status("CP-1", StatusReport(0, 0, ConnectorStatus.FAULTED, at(3)))
        await uow.stations.update_status("CP-1", StatusReport(2, 0, ConnectorStatus.FAULTED, at(3)))
        await uow.commit()
    async with database.unit_of_work() as uow:
        station = await uow.stations.get("CP-1")
        with pytest.raises(NotFound):
            await uow.stations.update_status(
                "CP-404", StatusReport(1, 1, ConnectorStatus.AVAILABLE, T0)
            )
    assert station is not None
    nacs = station.evses[0].connectors[1]
    assert (nacs.status, nacs.status_detail, nacs.error_code, nacs.status_at) == (
        ConnectorStatus.OCCUPIED,
        "Charging",
        "NoError",
        at(1),
    )
    assert nacs.type is ConnectorType.NACS
    assert nacs.rating == dc_rating(250_000)
    discovered = station.evses[2].connectors[0]
    assert (station.evses[2].evse_id, discovered.connector_id) == (4, 1)
    assert (discovered.status, discovered.type) == (
        ConnectorStatus.AVAILABLE,
        ConnectorType.UNKNOWN,
    )
    assert (
        station.evses[1].connectors[0].status is ConnectorStatus.UNKNOWN
    )  # station-wide: untouched


async def test_a_whole_evse_status_reaches_every_cable_of_the_evse(database: Database) -> None:
    await add_station(database)
    async with database.unit_of_work() as uow:
        for evse_id in (1, 7):  # 7 is new: discovered with one connector
            report = StatusReport(evse_id, 1, ConnectorStatus.OCCUPIED, at(1), whole_evse=True)
            await uow.stations.update_status("CP-1", report)
        await uow.commit()
    async with database.unit_of_work() as uow:
        station = await uow.stations.get("CP-1")
    assert station is not None
    by_evse = {evse.evse_id: [c.status for c in evse.connectors] for evse in station.evses}
    assert len(by_evse[1]) == 2
    assert by_evse[1] == [ConnectorStatus.OCCUPIED] * 2
    assert by_evse[7] == [ConnectorStatus.OCCUPIED]
    assert set(by_evse[2]) == {ConnectorStatus.UNKNOWN}


async def test_status_history_newest_first_with_since_and_limit(database: Database) -> None:
    await add_station(database)
    await add_station(database, "CP-2")
    reports = [
        StatusReport(1, 1, ConnectorStatus.AVAILABLE, at(0)),
        StatusReport(1, 1, ConnectorStatus.OCCUPIED, at(60), "Preparing", "", "plugged"),
        StatusReport(1, 1, ConnectorStatus.FAULTED, at(30), "", "OverCurrentFailure", "late"),
    ]
    async with database.unit_of_work() as uow:
        for seconds, report in enumerate(reports):
            await uow.statuses.add(StatusHistoryEntry("CP-1", report, at(100 + seconds)))
        await uow.statuses.add(StatusHistoryEntry("CP-2", reports[0], at(100)))
        await uow.commit()
    async with database.unit_of_work() as uow:
        everything = await uow.statuses.list("CP-1")
        recent = await uow.statuses.list("CP-1", since=at(30))
        newest = await uow.statuses.list("CP-1", limit=1)
    assert [e.report for e in everything] == [reports[1], reports[2], reports[0]]
    assert [e.received_at for e in everything] == [at(101), at(102), at(100)]
    assert all(e.station_id == "CP-1" and e.id > 0 for e in everything)
    assert [e.report for e in recent] == [reports[1], reports[2]]
    assert [e.report for e in newest] == [reports[1]]


async def test_station_ids_and_a_password_hash_replaced_only_if_unchanged(
    database: Database,
) -> None:
    async with database.unit_of_work() as uow:
        for station_id in ("CP-2", "CP-1"):
            station = make_station(station_id)
            station.password_hash = "scrypt$old"
            await uow.stations.add(station)
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert sorted(await uow.stations.ids()) == ["CP-1", "CP-2"]
        assert await uow.stations.replace_password_hash("CP-1", "scrypt$old", "scrypt$new")
        # changed meanwhile (here: just now): a stale expectation writes nothing
        assert not await uow.stations.replace_password_hash("CP-1", "scrypt$old", "scrypt$x")
        assert not await uow.stations.replace_password_hash("CP-9", "scrypt$old", "scrypt$x")
        await uow.commit()
    async with database.unit_of_work() as uow:
        stored = {s.id: s.password_hash for s in await uow.stations.list()}
    assert stored == {"CP-1": "scrypt$new", "CP-2": "scrypt$old"}
