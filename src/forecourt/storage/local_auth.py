"""Local authorization lists and reservations: tables (on the shared metadata), repositories."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Index,
    Integer,
    Row,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)

from forecourt.domain.errors import NotFound
from forecourt.domain.local_auth import (
    ListSync,
    LocalListEntry,
    LocalListState,
    Reservation,
    ReservationState,
)
from forecourt.domain.tokens import AuthorizationStatus, TokenKind
from forecourt.storage.context import DbContext
from forecourt.storage.tables import metadata, stations
from forecourt.storage.types import EnumText, UtcDateTime

local_list_members = Table(
    "local_list_members",
    metadata,
    Column("scope", Text, primary_key=True),  # "site" or "station"
    Column("scope_id", Text, primary_key=True),
    Column("token", Text, primary_key=True),
    Index(None, "token"),
)

local_list_states = Table(
    "local_list_states",
    metadata,
    Column("station_id", Text, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("entries", JSON, nullable=False),
    Column("sync", EnumText(ListSync), nullable=False),
    Column("detail", Text, nullable=False),
    Column("max_per_message", Integer),
    Column("auth_cache_enabled", Boolean),
    Column("updated_at", UtcDateTime),
)

reservations = Table(
    "reservations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # the wire reservationId
    Column("station_id", Text, nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("id_token", Text, nullable=False),
    Column("group_token", Text),
    Column("connector_type", Text),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("state", EnumText(ReservationState), nullable=False),
    Column("answer", Text, nullable=False),
    Column("ended_at", UtcDateTime),
    Column("transaction_id", Integer),
    Column("requested_by", Text, nullable=False),
    Index(None, "station_id", "state"),
)

_HOLDING = [ReservationState.REQUESTED.value, ReservationState.ACTIVE.value]


class SqlLocalListRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def members(self, scope: str, scope_id: str) -> builtins.list[str]:
        query = (
            select(local_list_members.c.token)
            .where(local_list_members.c.scope == scope, local_list_members.c.scope_id == scope_id)
            .order_by(local_list_members.c.token)
        )
        return [row.token for row in await self._db.execute(query)]

    async def set_members(self, scope: str, scope_id: str, tokens: Sequence[str]) -> None:
        c = local_list_members.c
        await self._db.execute(
            delete(local_list_members).where(c.scope == scope, c.scope_id == scope_id)
        )
        rows = [{"scope": scope, "scope_id": scope_id, "token": t} for t in sorted(set(tokens))]
        if rows:
            await self._db.execute(insert(local_list_members), rows)

    async def scopes_of(self, token: str) -> builtins.list[tuple[str, str]]:
        c = local_list_members.c
        query = select(c.scope, c.scope_id).where(c.token == token)
        return [(row.scope, row.scope_id) for row in await self._db.execute(query)]

    async def state(self, station_id: str) -> LocalListState | None:
        query = select(local_list_states).where(local_list_states.c.station_id == station_id)
        row = (await self._db.execute(query)).first()
        return None if row is None else _state_from_row(row)

    async def save_state(self, state: LocalListState) -> None:
        values = _state_values(state)
        c = local_list_states.c
        done = await self._db.execute(
            update(local_list_states).where(c.station_id == state.station_id).values(values)
        )
        if done.rowcount == 0:
            await self._db.execute(insert(local_list_states).values(values))

    async def states(self) -> builtins.list[LocalListState]:
        query = select(local_list_states).order_by(local_list_states.c.station_id)
        return [_state_from_row(row) for row in await self._db.execute(query)]


class SqlReservationRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add(self, reservation: Reservation) -> Reservation:
        statement = (
            insert(reservations)
            .values(_reservation_values(reservation))
            .returning(reservations.c.id)
        )
        reservation.id = int((await self._db.execute(statement)).scalar_one())
        return reservation

    async def save(self, reservation: Reservation) -> None:
        statement = (
            update(reservations)
            .where(reservations.c.id == reservation.id)
            .values(_reservation_values(reservation))
        )
        if (await self._db.execute(statement)).rowcount == 0:
            raise NotFound("reservation", reservation.id)

    async def get(self, reservation_id: int) -> Reservation | None:
        query = select(reservations).where(reservations.c.id == reservation_id)
        row = (await self._db.execute(query)).first()
        return None if row is None else _reservation_from_row(row)

    async def lock_station(self, station_id: str) -> None:
        """The station's row, locked until commit (PostgreSQL ``FOR NO KEY UPDATE``: rows
        that merely reference the station are not held up). SQLite needs nothing: one unit of
        work at a time writes (``uow.WriterGate``)."""
        query = select(stations.c.id).where(stations.c.id == station_id)
        await self._db.execute(query.with_for_update(key_share=True))

    async def holding(self, station_id: str) -> builtins.list[Reservation]:
        c = reservations.c
        query = select(reservations).where(c.station_id == station_id, c.state.in_(_HOLDING))
        return [_reservation_from_row(row) for row in await self._db.execute(query.order_by(c.id))]

    async def due(self, now: datetime) -> builtins.list[Reservation]:
        c = reservations.c
        query = select(reservations).where(c.state.in_(_HOLDING), c.expires_at <= now)
        return [_reservation_from_row(row) for row in await self._db.execute(query.order_by(c.id))]

    async def list(
        self, station_id: str | None = None, limit: int = 100
    ) -> builtins.list[Reservation]:
        query = select(reservations).order_by(reservations.c.id.desc()).limit(limit)
        if station_id is not None:
            query = query.where(reservations.c.station_id == station_id)
        return [_reservation_from_row(row) for row in await self._db.execute(query)]


def _entry_json(entry: LocalListEntry) -> dict[str, Any]:
    return {
        "kind": entry.kind.value,
        "status": entry.status.value if entry.status else None,
        "expires_at": entry.expires_at,
        "group": entry.group,
    }


def _entry_from_json(value: str, data: dict[str, Any]) -> LocalListEntry:
    status = data.get("status")
    return LocalListEntry(
        value,
        TokenKind(data.get("kind", TokenKind.RFID.value)),
        AuthorizationStatus(status) if status else None,
        data.get("expires_at"),
        data.get("group"),
    )


def _state_values(state: LocalListState) -> dict[str, Any]:
    return {
        "station_id": state.station_id,
        "version": state.version,
        "entries": {value: _entry_json(entry) for value, entry in state.entries.items()},
        "sync": state.sync,
        "detail": state.detail,
        "max_per_message": state.max_per_message,
        "auth_cache_enabled": state.auth_cache_enabled,
        "updated_at": state.updated_at,
    }


def _state_from_row(row: Row[Any]) -> LocalListState:
    return LocalListState(
        station_id=row.station_id,
        version=row.version,
        entries={value: _entry_from_json(value, data) for value, data in row.entries.items()},
        sync=row.sync,
        detail=row.detail,
        max_per_message=row.max_per_message,
        auth_cache_enabled=row.auth_cache_enabled,
        updated_at=row.updated_at,
    )


def _reservation_values(r: Reservation) -> dict[str, Any]:
    return {
        "station_id": r.station_id,
        "evse_id": r.evse_id,
        "id_token": r.id_token,
        "group_token": r.group,
        "connector_type": r.connector_type,
        "expires_at": r.expires_at,
        "created_at": r.created_at,
        "state": r.state,
        "answer": r.answer,
        "ended_at": r.ended_at,
        "transaction_id": r.transaction_id,
        "requested_by": r.requested_by,
    }


def _reservation_from_row(row: Row[Any]) -> Reservation:
    return Reservation(
        id=row.id,
        station_id=row.station_id,
        evse_id=row.evse_id,
        id_token=row.id_token,
        group=row.group_token,
        connector_type=row.connector_type,
        expires_at=row.expires_at,
        created_at=row.created_at,
        state=row.state,
        answer=row.answer,
        ended_at=row.ended_at,
        transaction_id=row.transaction_id,
        requested_by=row.requested_by,
    )
