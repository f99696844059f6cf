"""The single writer of reliability decisions.

The monitor decides in memory, synchronously, in event order; this writer persists the
decisions in that same order, batching whatever queued up meanwhile into one unit of work
(so a burst of events costs one commit, and the hot path never waits for the database).
Alerts go into the outbox in the same unit of work; remediation starts after commit.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from forecourt.reliability.domain.thresholds import Thresholds
from forecourt.reliability.domain.watch import Decisions
from forecourt.reliability.ports import RELIABILITY_STORE
from forecourt.reliability.services.alerts import AlertDispatcher
from forecourt.reliability.services.remediation import Remediator
from forecourt.reliability.services.tickets import Followups, TicketDesk
from forecourt.services.context import ServiceContext

log = logging.getLogger("forecourt.reliability")

_MAX_BATCH = 500


@dataclass(frozen=True, slots=True)
class Batch:
    station_id: str
    site_id: str | None
    limits: Thresholds
    decisions: Decisions


class DecisionWriter:
    def __init__(
        self,
        ctx: ServiceContext,
        desk: TicketDesk,
        alerts: AlertDispatcher,
        remediator: Remediator,
    ) -> None:
        self._ctx = ctx
        self._desk = desk
        self._alerts = alerts
        self._remediator = remediator
        self._queue: asyncio.Queue[Batch] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.written = 0  # batches persisted (tests, benchmarks)

    def submit(self, batch: Batch) -> None:
        decisions = batch.decisions
        nothing_to_verify = not self._desk.may_verify(batch.station_id)
        if not (decisions.transitions or decisions.findings) and nothing_to_verify:
            return  # a successful session where nothing awaits verification: no write
        self._queue.put_nowait(batch)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())

    async def drain(self) -> None:
        """Wait until everything submitted so far is persisted."""
        await self._queue.join()

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            await self.drain()
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def _run(self) -> None:
        while True:
            batches = [await self._queue.get()]
            while len(batches) < _MAX_BATCH and not self._queue.empty():
                batches.append(self._queue.get_nowait())
            try:
                await self._write(batches)
                self.written += len(batches)
            except Exception:
                # The in-memory state goes on; the timeline misses these changes. Logged
                # loudly because uptime reports depend on them.
                log.exception("could not persist %d reliability decision batches", len(batches))
            finally:
                for _ in batches:
                    self._queue.task_done()

    async def _write(self, batches: list[Batch]) -> None:
        follow = Followups()
        async with self._ctx.uow() as uow:
            transitions = [t for b in batches for t in b.decisions.transitions]
            if transitions:
                await uow.repository(RELIABILITY_STORE).intervals.apply(transitions)
            for batch in batches:
                limits = batch.limits
                for finding in batch.decisions.findings:
                    await self._desk.record(
                        uow,
                        finding,
                        batch.site_id,
                        limits.ticket_min_confidence,
                        limits.remediation_interval_s,
                        follow,
                    )
                for verification in batch.decisions.verified:
                    await self._desk.verify(uow, verification)
            queued = await self._alerts.enqueue(uow, follow.alerts, self._ctx.clock.now())
            await uow.commit()
        if queued:
            self._alerts.wake()
        for request in follow.remediations:
            self._remediator.request(request)
