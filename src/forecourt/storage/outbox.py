"""The event outbox table behind ``uow.outbox``, and the ids durable consumers handled behind
``uow.consumed`` (ports/outbox.py, ADR 0012)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import orjson
from sqlalchemy import delete, func, select

from forecourt.domain.events import DomainEvent
from forecourt.ports.outbox import ConsumerTally
from forecourt.storage.context import DbContext
from forecourt.storage.tables import consumed_events, event_outbox

_INSERT = event_outbox.insert()  # built once: every MeterValues unit of work may use it


class SqlEventOutbox:
    def __init__(self, db: DbContext) -> None:
        self._db = db
        self._staged: list[DomainEvent] = []

    def add(self, event: DomainEvent) -> None:
        self._staged.append(event)

    async def flush(self) -> list[DomainEvent]:
        """Write the staged events that have an id (one statement for all) before the commit;
        all of them go to the relay after it."""
        staged, self._staged = self._staged, []
        stored = [_row(event) for event in staged if event.id]
        if stored:
            await self._db.execute(_INSERT, stored)
        return staged

    def discard(self) -> None:
        """The unit of work did not commit: its events never happened."""
        self._staged.clear()

    async def pending(self, limit: int) -> list[DomainEvent]:
        query = select(event_outbox).order_by(event_outbox.c.seq).limit(limit)
        rows = (await self._db.execute(query)).all()
        return [
            DomainEvent(row.topic, row.station_id, row.at, orjson.loads(row.data), id=row.event_id)
            for row in rows
        ]

    async def remove(self, event_ids: Sequence[str]) -> None:
        if event_ids:
            await self._db.execute(
                delete(event_outbox).where(event_outbox.c.event_id.in_(list(event_ids)))
            )


class SqlConsumedEvents:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def seen(self, consumer: str, event_id: str) -> bool:
        query = select(consumed_events.c.event_id).where(
            consumed_events.c.consumer == consumer, consumed_events.c.event_id == event_id
        )
        return (await self._db.execute(query)).first() is not None

    async def add(self, consumer: str, event_id: str, at: datetime) -> None:
        insert = self._db.insert(consumed_events).values(
            consumer=consumer, event_id=event_id, at=at
        )
        await self._db.execute(insert.on_conflict_do_nothing())

    async def prune(self, before: datetime) -> int:
        stale = delete(consumed_events).where(consumed_events.c.at < before)
        result = await self._db.execute(stale)
        return int(result.rowcount or 0)

    async def tally(self) -> list[ConsumerTally]:
        c = consumed_events.c
        counted, last = func.count().label("counted"), func.max(c.at).label("last")
        query = select(c.consumer, counted, last).group_by(c.consumer)
        rows = (await self._db.execute(query.order_by(c.consumer))).all()
        return [ConsumerTally(row.consumer, int(row.counted), row.last) for row in rows]


def _row(event: DomainEvent) -> dict[str, object]:
    return {
        "event_id": event.id,
        "topic": event.topic,
        "station_id": event.station_id,
        "at": event.at,
        "data": orjson.dumps(event.data).decode(),
    }
