"""Charging transactions."""

from __future__ import annotations

import builtins
import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Row,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    func,
    select,
    update,
)
from sqlalchemy.sql.dml import ReturningInsert

from forecourt.domain.errors import NotFound
from forecourt.domain.metering import RegisterReading, SignedMeterValue
from forecourt.domain.transactions import ChargingState, Transaction, TransactionState
from forecourt.ports.repositories import TransactionFilter
from forecourt.storage.context import DbContext
from forecourt.storage.sqlite_direct import Direct
from forecourt.storage.tables import transactions

#: Transaction attributes stored in a column of the same name.
_PLAIN_FIELDS = (
    "station_id",
    "evse_id",
    "connector_id",
    "station_tx_id",
    "start_key",
    "state",
    "started_at",
    "stopped_at",
    "updated_at",
    "id_token",
    "stop_id_token",
    "auth_status",
    "meter_start_wh",
    "meter_stop_wh",
    "energy_wh",
    "register_resets",
    "stop_reason",
    "last_seq_no",
    "seen_offline",
    "remote_start_id",
    "peak_power_w",
    "last_soc",
    "payment_method",
)
#: Transaction attributes kept as text in the ``details`` JSON column, under their own names.
_DETAIL_FLOATS = ("power_w", "power_offered_w", "rating_w")
_VEHICLE, _RECONCILED, _RECONSTRUCTED = "vehicle", "reconciled", "reconstructed"
_START_MISSING = "start missing"  # the value stored under "reconstructed"
#: The meter's signed start and end readings, each as JSON text (``SignedMeterValue``).
_SIGNED = ("signed_start", "signed_end")
_KNOWN_DETAILS = {*_DETAIL_FLOATS, _VEHICLE, _RECONCILED, _RECONSTRUCTED, *_SIGNED}
_NEWEST_FIRST = (transactions.c.started_at.desc(), transactions.c.id.desc())
_ACTIVE = transactions.c.state == TransactionState.ACTIVE

# Statements of the per-message paths are built once: on SQLite, building a Core statement
# costs more than running it. UPDATEs without .values() set the columns named in the params.
_TX_ID: BindParameter[Any] = bindparam("b_tx_id")
_STATION_ID: BindParameter[Any] = bindparam("b_station_id")
_INSERT = transactions.insert().returning(transactions.c.id)


def _numbered_insert(next_id: ColumnElement[int]) -> ReturningInsert[tuple[int]]:
    """One INSERT that draws the id and writes it as the wire id too (``station_tx_id`` =
    str(id), what 1.6 stations use), so a new transaction is never stored half-numbered."""
    drawn = select(next_id.label("id")).subquery("drawn")
    names = [c.name for c in transactions.c if c.name not in ("id", "station_tx_id")]
    params = [bindparam(f"v_{name}", type_=transactions.c[name].type) for name in names]
    chosen = select(drawn.c.id, cast(drawn.c.id, Text), *params)
    columns = ["id", "station_tx_id", *names]
    return transactions.insert().from_select(columns, chosen).returning(transactions.c.id)


#: By "is PostgreSQL": its sequence; SQLite numbers rows max + 1 itself, and writes one at a time.
_NUMBERED_INSERT = {
    True: _numbered_insert(func.nextval(func.pg_get_serial_sequence("transactions", "id"))),
    False: _numbered_insert(func.coalesce(func.max(transactions.c.id), 0) + 1),
}
_UPDATE = update(transactions).where(transactions.c.id == _TX_ID)
# FOR UPDATE on PostgreSQL; SQLite has no row locks (and needs none: one writer at a time).
_BY_ID_FOR_UPDATE = select(transactions).where(transactions.c.id == _TX_ID).with_for_update()
_BY_STATION_TX_ID = select(transactions).where(
    transactions.c.station_id == _STATION_ID,
    transactions.c.station_tx_id == bindparam("b_station_tx_id"),
)
_BY_STATION_TX_ID_FOR_UPDATE = _BY_STATION_TX_ID.with_for_update()
# SQLite: the per-message lookup on the driver (no FOR UPDATE there: one writer at a time).
_DIRECT_BY_STATION_TX_ID = Direct(_BY_STATION_TX_ID, result=list(transactions.c))


@lru_cache(maxsize=128)
def _direct_update(names: tuple[str, ...]) -> Direct:
    """SQLite: the UPDATE that sets ``names`` (a meter value changes the same few)."""
    values = {name: bindparam(name, type_=transactions.c[name].type) for name in names}
    return Direct(_UPDATE.values(values))


_ACTIVE_ON_EVSE = (
    select(transactions)
    .where(transactions.c.station_id == _STATION_ID)
    .where(transactions.c.evse_id == bindparam("b_evse_id"), _ACTIVE)
    .order_by(transactions.c.id)
)


class SqlTransactionRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db
        # Each transaction's columns as this unit of work last read or wrote them: a save
        # writes only what differs (a meter value changes 3-5 of 28 columns, and binding
        # every column cost more than the UPDATE itself). No other code writes this table.
        self._stored: dict[int, dict[str, Any]] = {}

    async def add(self, tx: Transaction) -> Transaction:
        """Stores ``tx`` in one INSERT and sets its ``id`` (and ``station_tx_id`` when empty,
        to str(id): the number the INSERT itself draws) in place."""
        subject = f"transaction {tx.station_tx_id or tx.start_key!r} of station {tx.station_id!r}"
        async with self._db.guarded(subject):
            if tx.station_tx_id:
                tx_id = (await self._db.execute(_INSERT, _values(tx))).scalar_one()
            else:
                numbered = _NUMBERED_INSERT[self._db.dialect == "postgresql"]
                values = {f"v_{k}": v for k, v in _values(tx).items() if k != "station_tx_id"}
                tx_id = (await self._db.execute(numbered, values)).scalar_one()
                tx.station_tx_id = str(tx_id)
        tx.id = tx_id
        self._stored[tx_id] = _values(tx)
        return tx

    async def get(self, tx_id: int) -> Transaction | None:
        return await self._one(transactions.c.id == tx_id)

    async def get_for_update(self, tx_id: int) -> Transaction | None:
        return await self._first(_BY_ID_FOR_UPDATE, {"b_tx_id": tx_id})

    async def by_station_tx_id(self, station_id: str, station_tx_id: str) -> Transaction | None:
        key = {"b_station_id": station_id, "b_station_tx_id": station_tx_id}
        return await self._first(_BY_STATION_TX_ID, key)

    async def by_station_tx_id_for_update(
        self, station_id: str, station_tx_id: str
    ) -> Transaction | None:
        key = {"b_station_id": station_id, "b_station_tx_id": station_tx_id}
        if self._db.dialect == "sqlite":  # every MeterValues asks this: on the driver
            row = (await self._db.run(_DIRECT_BY_STATION_TX_ID, key)).first()
            return None if row is None else self._from_dict(row)
        return await self._first(_BY_STATION_TX_ID_FOR_UPDATE, key)

    async def by_start_key(self, station_id: str, start_key: str) -> Transaction | None:
        if not start_key:
            return None  # '' means "no start key", never a match
        return await self._one(
            and_(transactions.c.station_id == station_id, transactions.c.start_key == start_key)
        )

    async def active_for_tokens(self, tokens: Sequence[str]) -> builtins.list[Transaction]:
        if not tokens:
            return []
        condition = and_(_ACTIVE, transactions.c.id_token.in_(list(tokens)))
        return await self._many(select(transactions).where(condition).order_by(transactions.c.id))

    async def active_on_evse(self, station_id: str, evse_id: int) -> builtins.list[Transaction]:
        key = {"b_station_id": station_id, "b_evse_id": evse_id}
        return [self._loaded(row) for row in await self._db.execute(_ACTIVE_ON_EVSE, key)]

    async def list(self, flt: TransactionFilter) -> builtins.list[Transaction]:
        query = _filtered(select(transactions), flt).order_by(*_NEWEST_FIRST)
        return await self._many(query.limit(flt.limit).offset(flt.offset))

    async def count(self, flt: TransactionFilter) -> int:
        query = _filtered(select(func.count()).select_from(transactions), flt)
        return int((await self._db.execute(query)).scalar_one())

    async def save(self, tx: Transaction) -> None:
        values = _values(tx)
        stored = self._stored.get(tx.id)
        if stored is None:
            changed = values
        else:
            changed = {
                name: v for name, v in values.items() if name not in stored or stored[name] != v
            }
            if not changed:
                return  # read in this unit of work and unchanged since: the row is as it is
        params = {**changed, "b_tx_id": tx.id}
        if self._db.dialect == "sqlite":  # every MeterValues saves: on the driver
            updated = (await self._db.run(_direct_update(tuple(changed)), params)).rowcount
        else:
            updated = (await self._db.execute(_UPDATE, params)).rowcount
        if updated == 0:
            raise NotFound("transaction", tx.id)
        self._stored[tx.id] = values

    async def _one(self, condition: ColumnElement[bool]) -> Transaction | None:
        return await self._first(select(transactions).where(condition))

    async def _first(
        self, query: Select[Any], params: dict[str, Any] | None = None
    ) -> Transaction | None:
        row = (await self._db.execute(query, params)).first()
        return None if row is None else self._loaded(row)

    async def _many(self, query: Select[Any]) -> builtins.list[Transaction]:
        return [self._loaded(row) for row in await self._db.execute(query)]

    def _loaded(self, row: Row[Any]) -> Transaction:
        return self._from_dict(row._asdict())

    def _from_dict(self, columns: dict[str, Any]) -> Transaction:
        self._stored[columns["id"]] = columns
        return _from_columns(columns)


def _filtered(query: Select[Any], flt: TransactionFilter) -> Select[Any]:
    """``since``/``until`` bound the start time: [since, until)."""
    if flt.station_id is not None:
        query = query.where(transactions.c.station_id == flt.station_id)
    if flt.state is not None:
        query = query.where(transactions.c.state == flt.state)
    if flt.id_token is not None:
        query = query.where(transactions.c.id_token == flt.id_token)
    if flt.since is not None:
        query = query.where(transactions.c.started_at >= flt.since)
    if flt.until is not None:
        query = query.where(transactions.c.started_at < flt.until)
    return query


def _values(tx: Transaction) -> dict[str, Any]:
    values = {name: getattr(tx, name) for name in _PLAIN_FIELDS}
    values["charging_state"] = tx.charging_state or ""
    values["details"] = _details(tx)
    last = tx.last_register
    values["last_register_at"] = None if last is None else last.timestamp
    values["last_register_wh"] = None if last is None else last.wh
    return values


def _details(tx: Transaction) -> dict[str, str]:
    """The typed fields as the ``details`` JSON has always held them: text, absent when unset."""
    details = dict(tx.extra)
    for name in _DETAIL_FLOATS:
        value = getattr(tx, name)
        if value is not None:
            details[name] = str(value)
    if tx.vehicle is not None:
        details[_VEHICLE] = tx.vehicle
    if tx.reconciled_why is not None:
        details[_RECONCILED] = tx.reconciled_why
    if tx.start_missing:
        details[_RECONSTRUCTED] = _START_MISSING
    for name in _SIGNED:
        signed: SignedMeterValue | None = getattr(tx, name)
        if signed is not None:
            details[name] = json.dumps(signed.to_dict(), separators=(",", ":"))
    return details


def _from_columns(row: dict[str, Any]) -> Transaction:
    """From a row as a dict: a dict lookup per column is cheaper than a ``Row`` attribute."""
    values = {name: row[name] for name in _PLAIN_FIELDS}
    last = None
    if row["last_register_at"] is not None:
        last = RegisterReading(row["last_register_at"], row["last_register_wh"])
    details: dict[str, str] = row["details"]
    return Transaction(
        id=row["id"],
        last_register=last,
        charging_state=ChargingState.parse(row["charging_state"]),
        power_w=_float(details.get("power_w")),
        power_offered_w=_float(details.get("power_offered_w")),
        rating_w=_float(details.get("rating_w")),
        vehicle=details.get(_VEHICLE),
        reconciled_why=details.get(_RECONCILED),
        start_missing=_RECONSTRUCTED in details,
        signed_start=_signed(details.get("signed_start")),
        signed_end=_signed(details.get("signed_end")),
        extra={k: v for k, v in details.items() if k not in _KNOWN_DETAILS},
        **values,
    )


def _float(text: str | None) -> float | None:
    return None if text is None else float(text)


def _signed(text: str | None) -> SignedMeterValue | None:
    return None if text is None else SignedMeterValue.from_dict(json.loads(text))
