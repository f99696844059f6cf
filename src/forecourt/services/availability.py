"""Connector status notifications with history (OCPP G01-G04, 1.6 StatusNotification)."""

from __future__ import annotations

from forecourt.domain.stations import StatusReport
from forecourt.ports.repositories import StatusHistoryEntry
from forecourt.services.context import ServiceContext


class Availability:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def report(self, station_id: str, report: StatusReport) -> None:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            await uow.stations.update_status(station_id, report)
            await uow.statuses.add(StatusHistoryEntry(station_id, report, now))
            await self._ctx.drift.observe(uow, station_id, report.timestamp, now)
            await uow.commit()
        await self._ctx.publish(
            "connector.status",
            station_id,
            evse_id=report.evse_id,
            connector_id=report.connector_id,
            status=report.status.value,
            detail=report.detail,
            error_code=report.error_code,
        )
