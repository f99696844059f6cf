"""First-line remediation where it is safe: a soft reset for a station that stopped answering.

Safe means: never while a vehicle is charging there (a reset ends the session), at most once
per ``remediation_interval_s`` per ticket, and every attempt (or refusal) is written on the
ticket so a technician sees what was already tried.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from forecourt.domain.commands import Reset
from forecourt.domain.transactions import TransactionState
from forecourt.ports.repositories import TransactionFilter
from forecourt.reliability.domain.tickets import TicketEvent
from forecourt.reliability.ports import RELIABILITY_STORE
from forecourt.reliability.services.tickets import SYSTEM_ACTOR, RemediationRequest
from forecourt.services.context import ServiceContext
from forecourt.services.remote_control import RemoteControl

log = logging.getLogger("forecourt.reliability")


class Remediator:
    def __init__(self, ctx: ServiceContext, remote: RemoteControl) -> None:
        self._ctx = ctx
        self._remote = remote
        self._running: dict[str, asyncio.Task[None]] = {}

    def request(self, request: RemediationRequest) -> None:
        if request.station_id in self._running:
            return  # one attempt at a time per station
        task = asyncio.create_task(self._soft_reset(request))
        self._running[request.station_id] = task
        task.add_done_callback(lambda _: self._running.pop(request.station_id, None))

    async def stop(self) -> None:
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _soft_reset(self, request: RemediationRequest) -> None:
        try:
            if await self._claim(request):
                record = await self._remote.send(
                    request.station_id, Reset(hard=False), requested_by=SYSTEM_ACTOR
                )
                data = {
                    "action": "soft_reset",
                    "command_id": record.id,
                    "status": record.status.value,
                    "error": record.error,
                }
                await self._note(request.ticket_id, "remediation", data)
        except Exception:
            log.exception("remediation of %s failed", request.station_id)

    async def _claim(self, request: RemediationRequest) -> bool:
        """Check it is safe and not too soon; mark the attempt on the ticket."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            ticket = await uow.repository(RELIABILITY_STORE).tickets.get(request.ticket_id)
            if ticket is None or not ticket.active:
                return False
            last = ticket.last_remediation_at
            if last is not None and now - last < timedelta(seconds=request.interval_s):
                return False
            ticket.last_remediation_at = now
            await uow.repository(RELIABILITY_STORE).tickets.save(ticket)
            charging = TransactionFilter(
                station_id=request.station_id, state=TransactionState.ACTIVE
            )
            busy = await uow.transactions.count(charging)
            kind = "remediation_skipped" if busy else "remediation_started"
            data = {"action": "soft_reset"}
            if busy:
                data["why"] = f"{busy} session(s) charging: a reset would end them"
            await uow.repository(RELIABILITY_STORE).tickets.add_event(
                TicketEvent(ticket.id, now, SYSTEM_ACTOR, kind, data)
            )
            await uow.commit()
        return not busy

    async def _note(self, ticket_id: int, kind: str, data: dict[str, object]) -> None:
        async with self._ctx.uow() as uow:
            event = TicketEvent(ticket_id, self._ctx.clock.now(), SYSTEM_ACTOR, kind, data)
            await uow.repository(RELIABILITY_STORE).tickets.add_event(event)
            await uow.commit()
