"""Append-mostly logs: what stations reported (events) and what operators asked (commands)."""

from __future__ import annotations

import builtins
from typing import Any

from sqlalchemy import Row, select, update

from forecourt.domain.commands import CommandRecord
from forecourt.domain.errors import NotFound
from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.storage.context import DbContext
from forecourt.storage.tables import commands, station_events

_ADD_EVENT = station_events.insert().returning(station_events.c.id)  # built once: hot path


class SqlStationEventRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add(self, event: StationEvent) -> int:
        values = {
            "station_id": event.station_id,
            "kind": event.kind,
            "at": event.at,
            "data": event.data,
        }
        return int((await self._db.execute(_ADD_EVENT, values)).scalar_one())

    async def list(
        self,
        station_id: str | None = None,
        kind: StationEventKind | None = None,
        limit: int = 100,
    ) -> builtins.list[StationEvent]:
        query = select(station_events).order_by(
            station_events.c.at.desc(), station_events.c.id.desc()
        )
        if station_id is not None:
            query = query.where(station_events.c.station_id == station_id)
        if kind is not None:
            query = query.where(station_events.c.kind == kind)
        return [_event_from_row(row) for row in await self._db.execute(query.limit(limit))]


def _event_from_row(row: Row[Any]) -> StationEvent:
    return StationEvent(row.station_id, row.kind, row.at, row.data, row.id)


_COMMAND_FIELDS = (
    "station_id",
    "kind",
    "params",
    "requested_at",
    "requested_by",
    "status",
    "result",
    "error",
    "completed_at",
)


class SqlCommandRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add(self, record: CommandRecord) -> CommandRecord:
        """Stores ``record`` and sets its ``id`` in place."""
        statement = commands.insert().values(_command_values(record)).returning(commands.c.id)
        record.id = int((await self._db.execute(statement)).scalar_one())
        return record

    async def save(self, record: CommandRecord) -> None:
        statement = update(commands).where(commands.c.id == record.id)
        if (await self._db.execute(statement.values(_command_values(record)))).rowcount == 0:
            raise NotFound("command", record.id)

    async def get(self, command_id: int) -> CommandRecord | None:
        query = select(commands).where(commands.c.id == command_id)
        row = (await self._db.execute(query)).first()
        return None if row is None else _command_from_row(row)

    async def list(
        self, station_id: str | None = None, limit: int = 100
    ) -> builtins.list[CommandRecord]:
        query = select(commands).order_by(commands.c.requested_at.desc(), commands.c.id.desc())
        if station_id is not None:
            query = query.where(commands.c.station_id == station_id)
        return [_command_from_row(row) for row in await self._db.execute(query.limit(limit))]


def _command_values(record: CommandRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in _COMMAND_FIELDS}


def _command_from_row(row: Row[Any]) -> CommandRecord:
    return CommandRecord(id=row.id, **{name: getattr(row, name) for name in _COMMAND_FIELDS})
