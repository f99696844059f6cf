"""The event outbox table behind ``uow.outbox`` (ports/outbox.py, ADR 0012)."""

from __future__ import annotations

from collections.abc import Sequence

import orjson
from sqlalchemy import delete, select

from forecourt.domain.events import DomainEvent
from forecourt.storage.context import DbContext
from forecourt.storage.tables import event_outbox

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


def _row(event: DomainEvent) -> dict[str, object]:
    return {
        "event_id": event.id,
        "topic": event.topic,
        "station_id": event.station_id,
        "at": event.at,
        "data": orjson.dumps(event.data).decode(),
    }
