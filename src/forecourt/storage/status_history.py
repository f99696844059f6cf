"""Every status a connector reported, in the station's own time order."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select

from forecourt.domain.stations import StatusReport
from forecourt.ports.repositories import StatusHistoryEntry
from forecourt.storage.context import DbContext
from forecourt.storage.tables import status_history

_ADD_STATUS = status_history.insert()


class SqlStatusHistoryRepository:
    """Ordered by the station's own timestamp: queued reports land where they happened."""

    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add(self, entry: StatusHistoryEntry) -> None:
        report = entry.report
        row = {
            "station_id": entry.station_id,
            "evse_id": report.evse_id,
            "connector_id": report.connector_id,
            "status": report.status,
            "timestamp": report.timestamp,
            "detail": report.detail,
            "error_code": report.error_code,
            "info": report.info,
            "received_at": entry.received_at,
        }
        await self._db.execute(_ADD_STATUS, row)

    async def list(
        self, station_id: str, *, since: datetime | None = None, limit: int = 100
    ) -> builtins.list[StatusHistoryEntry]:
        query = (
            select(status_history)
            .where(status_history.c.station_id == station_id)
            .order_by(status_history.c.timestamp.desc(), status_history.c.id.desc())
            .limit(limit)
        )
        if since is not None:
            query = query.where(status_history.c.timestamp >= since)
        return [_history_from_row(row) for row in await self._db.execute(query)]


def _history_from_row(row: Row[Any]) -> StatusHistoryEntry:
    report = StatusReport(
        evse_id=row.evse_id,
        connector_id=row.connector_id,
        status=row.status,
        timestamp=row.timestamp,
        detail=row.detail,
        error_code=row.error_code,
        info=row.info,
    )
    return StatusHistoryEntry(row.station_id, report, row.received_at, row.id)
