"""The event outbox port: events join the unit of work's transaction, delivery follows commit.

A service stages an event in the unit of work that makes the change (``uow.outbox.add``); the
unit of work writes every staged event with one multi-row INSERT just before it commits, and
hands them to the relay once they are durable. The relay delivers them (in-process bus, or a
JetStream stream in cluster mode) and then removes their rows; rows left behind by a crash
are delivered on the next start (ADR 0012).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from forecourt.domain.events import DomainEvent

#: Called with a unit of work's events once its commit is durable.
CommittedEvents = Callable[[Sequence[DomainEvent]], None]


class EventOutbox(Protocol):
    def add(self, event: DomainEvent) -> None:
        """Stage ``event``: stored with the unit of work's commit, delivered after it."""
        ...

    async def pending(self, limit: int) -> list[DomainEvent]:
        """Stored events not yet delivered, oldest first (recovery after a crash)."""
        ...

    async def remove(self, event_ids: Sequence[str]) -> None:
        """Forget delivered events (the caller commits)."""
        ...


@dataclass(frozen=True, slots=True)
class ConsumerTally:
    """What one durable consumer handled, by any node, within the stream's retention."""

    consumer: str
    consumed: int  # event ids recorded as handled
    last_at: datetime  # when the newest of them was handled


class ConsumedEvents(Protocol):
    """Event ids each durable consumer handled: a redelivery, even after the consumer's node
    restarted, is recognised and has no second effect (``uow.consumed``, ADR 0012)."""

    async def seen(self, consumer: str, event_id: str) -> bool: ...

    async def add(self, consumer: str, event_id: str, at: datetime) -> None:
        """Record a handled id (the caller commits); an id already recorded is kept as is."""
        ...

    async def prune(self, before: datetime) -> int:
        """Forget ids handled before ``before`` (older than the stream keeps events)."""
        ...

    async def tally(self) -> list[ConsumerTally]:
        """Per consumer (by name): the ids recorded and the newest one's time."""
        ...
