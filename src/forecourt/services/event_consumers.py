"""What the durable event consumers handled (ADR 0012): the operators' view of de-duplication.

Every event reaches a cluster's durable consumers at least once; each records the ids it
handled (``uow.consumed``, the ``consumed_events`` table) and skips a redelivery of one. The
tally is per consumer, by all nodes, within the stream's retention; duplicates skipped are
counted by each node's consumers in memory (cluster status, /metrics).
"""

from __future__ import annotations

from forecourt.ports.outbox import ConsumerTally
from forecourt.services.context import ServiceContext


class EventConsumers:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def tally(self) -> list[ConsumerTally]:
        """Per consumer: events recorded as handled and when the newest was (all nodes)."""
        async with self._ctx.uow() as uow:
            return await uow.consumed.tally()
