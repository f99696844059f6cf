"""In-process event bus: subscribers run as tasks so a slow one never blocks the publisher."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from forecourt.domain.events import DomainEvent
from forecourt.ports.events import Delivery, Subscriber

log = logging.getLogger("forecourt.bus")


class InProcessBus:
    def __init__(self) -> None:
        self._subscribers: list[tuple[str, Subscriber]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def deliver(self, event: DomainEvent) -> None:
        """Hand ``event`` to its subscribers and return once each has handled it (the outbox
        relay: the only publisher, ADR 0012)."""
        await asyncio.gather(*self.dispatch(event))

    def dispatch(self, event: DomainEvent) -> list[asyncio.Task[None]]:
        tasks = []
        for prefix, subscriber in list(self._subscribers):
            if event.topic.startswith(prefix):
                task = asyncio.create_task(self._deliver(subscriber, event))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                tasks.append(task)
        return tasks

    def subscribe(
        self, topic_prefix: str, subscriber: Subscriber, delivery: Delivery = "shared"
    ) -> Callable[[], None]:
        del delivery  # one node: every subscriber is the only one
        entry = (topic_prefix, subscriber)
        self._subscribers.append(entry)

        def unsubscribe() -> None:
            if entry in self._subscribers:
                self._subscribers.remove(entry)

        return unsubscribe

    async def drain(self) -> None:
        """Wait until every delivery in flight has finished (tests, shutdown), also those of
        events the outbox relay was just handed: its task dispatches them at its first turn."""
        while True:
            await asyncio.sleep(0)
            if not self._tasks:
                return
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    @staticmethod
    async def _deliver(subscriber: Subscriber, event: DomainEvent) -> None:
        try:
            await subscriber(event)
        except Exception:  # a broken subscriber must not break the publisher
            log.exception("event subscriber failed", extra={"station_id": event.station_id})
