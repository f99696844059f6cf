"""Reliability's active faults and open tickets for the overview (``ports.faults``)."""

from __future__ import annotations

from collections.abc import Collection

from forecourt.ports.faults import FaultSummary
from forecourt.reliability.domain.tickets import ACTIVE_STATES
from forecourt.reliability.ports import TicketFilter
from forecourt.reliability.services.tickets import TicketDesk

#: Upper bounds on rows read per overview; the page stays fast on large networks.
FAULTS_LIMIT = 200
TICKETS_LIMIT = 1000


class ReliabilityFaultBoard:
    """A :class:`~forecourt.ports.faults.FaultBoard` over the ticket desk, counting as the
    Reliability page does."""

    def __init__(self, desk: TicketDesk) -> None:
        self._desk = desk

    async def active_faults(self, station_ids: Collection[str]) -> list[FaultSummary]:
        faults = await self._desk.faults(active=True, limit=FAULTS_LIMIT)
        return [
            FaultSummary(f.station_id, f.evse_id, f.kind.value, f.explanation, f.last_seen)
            for f in faults
            if f.station_id in station_ids
        ]

    async def open_tickets(self, station_ids: Collection[str]) -> int:
        flt = TicketFilter(states=tuple(ACTIVE_STATES), limit=TICKETS_LIMIT)
        tickets, _ = await self._desk.list(flt)
        return sum(1 for ticket in tickets if ticket.station_id in station_ids)
