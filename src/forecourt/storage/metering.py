"""Meter samples: the hottest write path, so batches go in as one multi-row insert."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, bindparam, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from forecourt.domain.metering import CUMULATIVE_REGISTERS, MeterSample
from forecourt.ports.repositories import StoredSample
from forecourt.storage.context import DbContext
from forecourt.storage.sqlite_direct import Direct
from forecourt.storage.tables import METER_SAMPLE_KEY, meter_samples

_NO_TRANSACTION = 0  # stored for None: a NULL would never match itself in the unique key
_TOTAL = ""  # stored for phase None, for the same reason

# Built once per dialect: on SQLite, building the statement costs more than running it.
# With RETURNING, SQLAlchemy batches the rows into multi-row VALUES ("insertmanyvalues");
# skipped duplicates return nothing, so the rows returned are exactly the new ones.
# A sample with the key of a stored one is a replay and skipped — except a cumulative register
# reading that is higher: the register only goes up, so it is a later reading the station
# stamped with the same (coarse) time, and it replaces the stored value (returned as new).
_SAMPLE_KEY = [meter_samples.c[name] for name in METER_SAMPLE_KEY]


def _upsert(statement: Any) -> Any:
    measurand = meter_samples.c.measurand
    # ORed equalities, not IN: an expanding IN cannot go into a multi-row insert
    is_register = or_(*(measurand == register for register in sorted(CUMULATIVE_REGISTERS)))
    higher_register = (statement.excluded.value > meter_samples.c.value) & is_register
    return statement.on_conflict_do_update(
        index_elements=_SAMPLE_KEY,
        set_={"value": statement.excluded.value},
        where=higher_register,
    ).returning(meter_samples.c.id)


_NEW_SAMPLE_IDS = {
    name: _upsert(insert(meter_samples))
    for name, insert in (("sqlite", sqlite.insert), ("postgresql", postgresql.insert))
}

#: SQLite: rows per INSERT on the driver (10 columns each, far below SQLite's variable limit).
DIRECT_ROWS_MAX = 100
_COLUMNS = [c.name for c in meter_samples.c if c.name != "id"]


@lru_cache(maxsize=DIRECT_ROWS_MAX)
def _direct_insert(rows: int) -> Direct:
    """SQLite: one INSERT of ``rows`` samples (replays skipped, a register read higher at the
    same instant raised, as ``_upsert``); returns the new or raised rows' ids.
    Every row's parameters are typed as their column (past the first row, SQLAlchemy would
    leave them untyped: no bind processing, so stored values would not match replays)."""
    values: list[dict[str, Any]] = [
        {name: bindparam(f"r{i}_{name}", type_=meter_samples.c[name].type) for name in _COLUMNS}
        for i in range(rows)
    ]
    return Direct(_upsert(sqlite.insert(meter_samples).values(values)), result=[meter_samples.c.id])


class SqlMeterRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add(self, samples: Sequence[StoredSample]) -> int:
        """Inserts the new samples, skips replays, raises a register read again higher at the
        same instant, and returns how many rows were new or raised."""
        rows = _distinct_rows(samples)
        if not rows:
            return 0
        if self._db.dialect == "sqlite":  # every MeterValues stores samples: on the driver
            new = 0
            for at in range(0, len(rows), DIRECT_ROWS_MAX):
                chunk = rows[at : at + DIRECT_ROWS_MAX]
                params = {f"r{i}_{k}": v for i, row in enumerate(chunk) for k, v in row.items()}
                new += len((await self._db.run(_direct_insert(len(chunk)), params)).all())
            return new
        inserted = await self._db.execute(_NEW_SAMPLE_IDS[self._db.dialect], rows)
        return len(inserted.all())

    async def for_transaction(self, tx_id: int) -> list[MeterSample]:
        query = (
            select(meter_samples)
            .where(meter_samples.c.transaction_id == tx_id)
            .order_by(meter_samples.c.timestamp, meter_samples.c.id)
        )
        return [_sample_from_row(row) for row in await self._db.execute(query)]

    async def latest_for_station(self, station_id: str, limit: int = 50) -> list[StoredSample]:
        """Newest first."""
        query = (
            select(meter_samples)
            .where(meter_samples.c.station_id == station_id)
            .order_by(meter_samples.c.timestamp.desc(), meter_samples.c.id.desc())
            .limit(limit)
        )
        return [_stored_from_row(row) for row in await self._db.execute(query)]


def _distinct_rows(samples: Sequence[StoredSample]) -> list[dict[str, Any]]:
    """Rows in input order, duplicates within the batch dropped (the database skips the rest);
    of a register's readings at one instant, the highest is kept."""
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for stored in samples:
        row = _row(stored)
        key = tuple(row[name] for name in METER_SAMPLE_KEY)
        kept = rows.setdefault(key, row)
        if row["measurand"] in CUMULATIVE_REGISTERS and row["value"] > kept["value"]:
            kept["value"] = row["value"]
    return list(rows.values())


def _row(stored: StoredSample) -> dict[str, Any]:
    sample = stored.sample
    return {
        "station_id": stored.station_id,
        "evse_id": stored.evse_id,
        "transaction_id": _NO_TRANSACTION
        if stored.transaction_id is None
        else stored.transaction_id,
        "timestamp": sample.timestamp,
        "measurand": sample.measurand,
        "phase": _TOTAL if sample.phase is None else sample.phase,
        "context": sample.context,
        "location": sample.location,
        "value": sample.value,
        "unit": sample.unit,
    }


def _sample_from_row(row: Row[Any]) -> MeterSample:
    return MeterSample(
        timestamp=row.timestamp,
        measurand=row.measurand,
        value=row.value,
        unit=row.unit,
        context=row.context,
        phase=None if row.phase == _TOTAL else row.phase,
        location=row.location,
    )


def _stored_from_row(row: Row[Any]) -> StoredSample:
    tx_id = None if row.transaction_id == _NO_TRANSACTION else row.transaction_id
    return StoredSample(row.station_id, row.evse_id, tx_id, _sample_from_row(row))
