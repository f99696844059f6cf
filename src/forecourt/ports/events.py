"""The event bus port: publish after commit, subscribe by topic prefix."""

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
    async def publish(self, event: DomainEvent) -> None: ...
    def subscribe(
        self, topic_prefix: str, subscriber: Subscriber, delivery: Delivery = "shared"
    ) -> Callable[[], None]: ...

    # ^ returns an unsubscribe function; "" subscribes to everything
