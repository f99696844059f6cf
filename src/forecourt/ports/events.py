"""The event bus port: subscribe by topic prefix.

Services never publish: they stage events in the unit of work of their change
(``ServiceContext.stage_event``), and the outbox relay delivers them once the commit is
durable (ports/outbox.py, ADR 0012). So the port services see has no ``publish``; the
relay's side is ``DeliveringBus``, wired in the composition root only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal, Protocol

from forecourt.domain.events import DomainEvent

Subscriber = Callable[[DomainEvent], Awaitable[None]]

#: Who handles an event in cluster mode (one node: the subscriber, always; ADR 0012):
#: "shared" once cluster-wide, by any node; "leased" once, by the node holding the
#: subscriber's lease (state kept in memory); "every_node" on each node (its own clients).
Delivery = Literal["shared", "leased", "every_node"]


def lease_name(subscriber: Subscriber) -> str:
    """The lease of a "leased" subscriber: one per subscribing object, so all its topics are
    consumed on the same node; its other singleton work (timers) asks the same lease."""
    owner = getattr(subscriber, "__self__", subscriber)
    return f"events.{getattr(owner, '__qualname__', type(owner).__qualname__)}"


class EventBus(Protocol):
    def subscribe(
        self, topic_prefix: str, subscriber: Subscriber, delivery: Delivery = "shared"
    ) -> Callable[[], None]: ...

    # ^ returns an unsubscribe function; "" subscribes to everything


class DeliveringBus(EventBus, Protocol):
    """The outbox relay's side of a bus (bootstrap.outbox_relay): never handed to services."""

    async def deliver(self, event: DomainEvent) -> None:
        """Hand ``event`` to its subscribers (one node: and wait for them) or to the stream
        (cluster: return once stored); raise when it could not be delivered."""
        ...
