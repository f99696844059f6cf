"""Sites, stations with their EVSEs and connectors, and connector status history."""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Row,
    and_,
    bindparam,
    exists,
    func,
    select,
    update,
)

from forecourt.domain.connectors import ConnectorRating, ConnectorType
from forecourt.domain.errors import NotFound
from forecourt.domain.stations import (
    Connector,
    Evse,
    ProtocolVersion,
    RegistrationStatus,
    Station,
    StatusReport,
)
from forecourt.storage.context import DbContext
from forecourt.storage.tables import connectors, evses, stations

#: Station ids per UPDATE when many are named (bound parameters per statement are limited).
_ID_CHUNK = 1000

_STATION_FIELDS = (
    "site_id",
    "registration",
    "password_hash",
    "previous_password_hash",
    "vendor",
    "model",
    "serial_number",
    "firmware_version",
    "protocol",
    "connected",
    "last_seen_at",
    "booted_at",
    "clock_drift_s",
)

# Statements of the per-message paths are built once: on SQLite, building a Core statement
# costs more than running it. UPDATEs without .values() set the columns named in the params.
_STATION_ID: BindParameter[Any] = bindparam("b_station_id")
_UPDATE_STATION = update(stations).where(stations.c.id == _STATION_ID)
_INSERT_STATION = stations.insert()
# One station with its EVSEs and connectors in one query: a row per connector (or per EVSE
# without any, or one for a station without EVSEs). No column names clash once the EVSE's own
# two columns are labelled.
_STATION_WITH_EQUIPMENT = (
    select(
        stations,
        evses.c.evse_id.label("evse_no"),
        evses.c.max_power_w.label("evse_max_power_w"),
        *connectors.c,
    )
    .select_from(
        stations.outerjoin(evses, evses.c.station_id == stations.c.id).outerjoin(
            connectors,
            and_(
                connectors.c.station_id == evses.c.station_id,
                connectors.c.evse_id == evses.c.evse_id,
            ),
        )
    )
    .where(stations.c.id == _STATION_ID)
    .order_by(evses.c.evse_id, connectors.c.connector_id)
)
_UPDATE_CONNECTOR = update(connectors).where(
    connectors.c.station_id == _STATION_ID,
    connectors.c.evse_id == bindparam("b_evse_id"),
    connectors.c.connector_id == bindparam("b_connector_id"),
)
_UPDATE_EVSE_CONNECTORS = update(connectors).where(
    connectors.c.station_id == _STATION_ID, connectors.c.evse_id == bindparam("b_evse_id")
)


class SqlStationRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def get(self, station_id: str) -> Station | None:
        key = {"b_station_id": station_id}
        rows = (await self._db.execute(_STATION_WITH_EQUIPMENT, key)).all()
        if not rows:
            return None
        by_number: dict[int, Evse] = {}
        for row in rows:
            if row.evse_no is None:
                continue  # a station without EVSEs
            evse = by_number.get(row.evse_no)
            if evse is None:
                evse = Evse(station_id, row.evse_no, [], row.evse_max_power_w)
                by_number[row.evse_no] = evse
            if row.connector_id is not None:
                evse.connectors.append(_connector_from_row(row))
        return _station_from_row(rows[0], list(by_number.values()))

    async def list(self, site_id: str | None = None) -> builtins.list[Station]:
        return await self._load(None if site_id is None else stations.c.site_id == site_id)

    async def ids(self) -> builtins.list[str]:
        return list((await self._db.execute(select(stations.c.id))).scalars())

    async def add(self, station: Station) -> None:
        async with self._db.guarded(f"station {station.id!r}"):
            values = _station_values(station)
            await self._db.execute(_INSERT_STATION, {"id": station.id, **values})
            evse_rows = [_evse_row(evse) for evse in station.evses]
            connector_rows = [_connector_row(c) for evse in station.evses for c in evse.connectors]
            if evse_rows:
                await self._db.execute(evses.insert(), evse_rows)
            if connector_rows:
                await self._db.execute(connectors.insert(), connector_rows)

    async def id_ignoring_case(self, station_id: str) -> str | None:
        folded = func.lower(stations.c.id) == station_id.lower()
        statement = select(stations.c.id).where(folded).order_by(stations.c.id).limit(1)
        found: str | None = (await self._db.execute(statement)).scalar()
        return found

    async def count_registered(self, registration: RegistrationStatus) -> int:
        statement = select(func.count()).where(stations.c.registration == registration)
        return int((await self._db.execute(statement)).scalar_one())

    async def save(self, station: Station) -> None:
        if not await self._update(station.id, **_station_values(station)):
            raise NotFound("station", station.id)

    async def touch(self, station_id: str, at: datetime) -> None:
        """One UPDATE; an unknown station is ignored (a connection may outlive its record)."""
        await self._update(station_id, last_seen_at=at)

    async def set_connected(
        self,
        station_id: str,
        connected: bool,
        at: datetime,
        protocol: ProtocolVersion | None = None,
    ) -> bool:
        """Like ``touch``: an unknown station is ignored (False)."""
        values: dict[str, Any] = {"connected": connected, "last_seen_at": at}
        if protocol is not None:
            values["protocol"] = protocol
        return await self._update(station_id, **values)

    async def set_clock_drift(self, station_id: str, drift_s: float) -> bool:
        return await self._update(station_id, clock_drift_s=drift_s)

    async def replace_password_hash(self, station_id: str, expected: str, new: str) -> bool:
        statement = (
            update(stations)
            .where(stations.c.id == station_id, stations.c.password_hash == expected)
            .values(password_hash=new)
        )
        return (await self._db.execute(statement)).rowcount > 0

    async def rotate_password_hash(self, station_id: str, expected: str, new: str) -> bool:
        statement = (
            update(stations)
            .where(stations.c.id == station_id, stations.c.password_hash == expected)
            .values(password_hash=new, previous_password_hash=expected)
        )
        return (await self._db.execute(statement)).rowcount > 0

    async def forget_previous_password(self, station_id: str) -> None:
        await self._update(station_id, previous_password_hash=None)

    async def _update(self, station_id: str, **values: Any) -> bool:
        """Set station columns in one UPDATE; False when there is no such station."""
        result = await self._db.execute(_UPDATE_STATION, {**values, "b_station_id": station_id})
        return result.rowcount > 0

    async def mark_all_disconnected(self, keep: Collection[str] = ()) -> None:
        statement = update(stations).where(stations.c.connected).values(connected=False)
        if not keep:
            await self._db.execute(statement)
            return
        # cluster mode: stations held by live nodes stay connected (chunks: bound parameters
        # are limited per statement, networks are not)
        connected = await self._db.execute(select(stations.c.id).where(stations.c.connected))
        stale = sorted(set(connected.scalars()) - set(keep))
        for start in range(0, len(stale), _ID_CHUNK):
            chunk = stale[start : start + _ID_CHUNK]
            await self._db.execute(statement.where(stations.c.id.in_(chunk)))
        return
        await self._db.execute(statement)

    async def upsert_connector(
        self,
        station_id: str,
        evse_id: int,
        connector_id: int,
        connector_type: ConnectorType | None = None,
        rating: ConnectorRating | None = None,
        built_in_plug: ConnectorType | None = None,
    ) -> None:
        changes: dict[str, Any] = {} if rating is None else _rating_values(rating)
        if connector_type is not None:  # a plug and its built-in adapter are declared together
            changes["type"] = connector_type
            changes["built_in_plug"] = built_in_plug
        await self._ensure_connector(station_id, evse_id, connector_id, changes)

    async def remove_connector(self, station_id: str, evse_id: int, connector_id: int) -> None:
        key = _connector_key(station_id, evse_id, connector_id)
        await self._db.execute(connectors.delete().where(key))

    async def set_evse_power(
        self, station_id: str, evse_id: int, max_power_w: float | None
    ) -> None:
        key = and_(evses.c.station_id == station_id, evses.c.evse_id == evse_id)
        statement = update(evses).where(key).values(max_power_w=max_power_w)
        if (await self._db.execute(statement)).rowcount == 0:
            await self._require_station(station_id)
            insert = self._db.insert(evses).values(
                station_id=station_id, evse_id=evse_id, max_power_w=max_power_w
            )
            upsert = insert.on_conflict_do_update(
                index_elements=[evses.c.station_id, evses.c.evse_id],
                set_={"max_power_w": max_power_w},
            )
            await self._db.execute(upsert)

    async def update_status(self, station_id: str, report: StatusReport) -> None:
        if report.evse_id == 0 or report.connector_id == 0:
            return  # station-wide: recorded in history only
        status = {
            "status": report.status,
            "status_detail": report.detail,
            "error_code": report.error_code,
            "status_at": report.timestamp,
        }
        key = {
            "b_station_id": station_id,
            "b_evse_id": report.evse_id,
            "b_connector_id": report.connector_id,
        }
        # One UPDATE for a known connector (or every cable of the EVSE, see
        # ``StatusReport.whole_evse``); discovery (rare) takes the slower path.
        if report.whole_evse:
            del key["b_connector_id"]
        statement = _UPDATE_EVSE_CONNECTORS if report.whole_evse else _UPDATE_CONNECTOR
        if (await self._db.execute(statement, {**status, **key})).rowcount == 0:
            await self._ensure_connector(station_id, report.evse_id, report.connector_id, status)

    async def _require_station(self, station_id: str) -> None:
        query = select(exists().where(stations.c.id == station_id))
        if not (await self._db.execute(query)).scalar_one():
            raise NotFound("station", station_id)

    async def _ensure_connector(
        self, station_id: str, evse_id: int, connector_id: int, changes: dict[str, Any]
    ) -> None:
        """Insert the EVSE and connector when missing, else apply ``changes`` to the connector."""
        await self._require_station(station_id)
        new_evse = self._db.insert(evses).values(station_id=station_id, evse_id=evse_id)
        evse_pk = [evses.c.station_id, evses.c.evse_id]
        await self._db.execute(new_evse.on_conflict_do_nothing(index_elements=evse_pk))
        insert = self._db.insert(connectors).values(
            station_id=station_id, evse_id=evse_id, connector_id=connector_id, **changes
        )
        pk = [connectors.c.station_id, connectors.c.evse_id, connectors.c.connector_id]
        if changes:
            await self._db.execute(insert.on_conflict_do_update(index_elements=pk, set_=changes))
        else:
            await self._db.execute(insert.on_conflict_do_nothing(index_elements=pk))

    async def _load(self, condition: ColumnElement[bool] | None) -> builtins.list[Station]:
        """Stations with EVSEs and connectors, in three queries whatever the count."""
        station_query = select(stations).order_by(stations.c.id)
        evse_query = select(evses).order_by(evses.c.station_id, evses.c.evse_id)
        connector_query = select(connectors).order_by(
            connectors.c.station_id, connectors.c.evse_id, connectors.c.connector_id
        )
        if condition is not None:
            chosen = select(stations.c.id).where(condition)
            station_query = station_query.where(condition)
            evse_query = evse_query.where(evses.c.station_id.in_(chosen))
            connector_query = connector_query.where(connectors.c.station_id.in_(chosen))
        station_rows = (await self._db.execute(station_query)).all()
        if not station_rows:
            return []
        by_evse: dict[tuple[str, int], builtins.list[Connector]] = defaultdict(builtins.list)
        for row in await self._db.execute(connector_query):
            by_evse[row.station_id, row.evse_id].append(_connector_from_row(row))
        by_station: dict[str, builtins.list[Evse]] = defaultdict(builtins.list)
        for row in await self._db.execute(evse_query):
            connectors_here = by_evse[row.station_id, row.evse_id]
            evse = Evse(row.station_id, row.evse_id, connectors_here, row.max_power_w)
            by_station[row.station_id].append(evse)
        return [_station_from_row(row, by_station[row.id]) for row in station_rows]


def _connector_key(station_id: str, evse_id: int, connector_id: int) -> ColumnElement[bool]:
    return and_(
        connectors.c.station_id == station_id,
        connectors.c.evse_id == evse_id,
        connectors.c.connector_id == connector_id,
    )


def _station_values(station: Station) -> dict[str, Any]:
    return {name: getattr(station, name) for name in _STATION_FIELDS}


def _station_from_row(row: Row[Any], station_evses: builtins.list[Evse]) -> Station:
    values = {name: getattr(row, name) for name in _STATION_FIELDS}
    return Station(id=row.id, evses=station_evses, **values)


def _evse_row(evse: Evse) -> dict[str, Any]:
    return {"station_id": evse.station_id, "evse_id": evse.evse_id, "max_power_w": evse.max_power_w}


def _rating_values(rating: ConnectorRating) -> dict[str, Any]:
    return {
        "power_type": rating.power_type,
        "max_voltage_v": rating.max_voltage_v,
        "max_current_a": rating.max_current_a,
        "max_power_w": rating.max_power_w,
        "cooled_cable": rating.cooled_cable,
        "cable_length_m": rating.cable_length_m,
    }


_NO_RATING: dict[str, Any] = dict.fromkeys(
    (
        "power_type",
        "max_voltage_v",
        "max_current_a",
        "max_power_w",
        "cooled_cable",
        "cable_length_m",
    )
)


def _connector_row(connector: Connector) -> dict[str, Any]:
    # Every row names every column: executemany needs the same keys in each row.
    rating = _NO_RATING if connector.rating is None else _rating_values(connector.rating)
    return {
        "station_id": connector.station_id,
        "evse_id": connector.evse_id,
        "connector_id": connector.connector_id,
        "type": connector.type,
        "built_in_plug": connector.built_in_plug,
        "status": connector.status,
        "status_detail": connector.status_detail,
        "error_code": connector.error_code,
        "status_at": connector.status_at,
        **rating,
    }


def _connector_from_row(row: Row[Any]) -> Connector:
    rating = None
    if row.power_type is not None:
        rating = ConnectorRating(
            row.power_type,
            row.max_voltage_v,
            row.max_current_a,
            row.max_power_w,
            bool(row.cooled_cable),
            row.cable_length_m,
        )
    return Connector(
        station_id=row.station_id,
        evse_id=row.evse_id,
        connector_id=row.connector_id,
        type=row.type,
        rating=rating,
        built_in_plug=row.built_in_plug,
        status=row.status,
        status_detail=row.status_detail,
        error_code=row.error_code,
        status_at=row.status_at,
    )
