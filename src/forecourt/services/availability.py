"""Connector status notifications with history (OCPP G01-G04, 1.6 StatusNotification)."""

from __future__ import annotations

from forecourt.domain.stations import ConnectorStatus, StatusReport
from forecourt.ports.repositories import StatusHistoryEntry
from forecourt.services.context import ServiceContext
from forecourt.services.transactions import Transactions


class Availability:
    def __init__(self, ctx: ServiceContext, transactions: Transactions) -> None:
        self._ctx = ctx
        self._transactions = transactions

    async def report(self, station_id: str, report: StatusReport) -> None:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            await uow.stations.update_status(station_id, report)
            await uow.statuses.add(StatusHistoryEntry(station_id, report, now))
            await self._ctx.drift.observe(uow, station_id, report.timestamp, now)
            self._ctx.stage_event(  # stored with the status it reports (ADR 0012)
                uow,
                "connector.status",
                station_id,
                evse_id=report.evse_id,
                connector_id=report.connector_id,
                status=report.status.value,
                detail=report.detail,
                error_code=report.error_code,
                vendor_id=report.vendor_id,
            )
            await uow.commit()
        if report.status is ConnectorStatus.AVAILABLE:
            await self._transactions.close_not_resumed(station_id, report.evse_id, report.timestamp)
