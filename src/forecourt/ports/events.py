"""The event bus port: publish after commit, subscribe by topic prefix."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from forecourt.domain.events import DomainEvent

Subscriber = Callable[[DomainEvent], Awaitable[None]]


class EventBus(Protocol):
    async def publish(self, event: DomainEvent) -> None: ...
    def subscribe(self, topic_prefix: str, subscriber: Subscriber) -> Callable[[], None]: ...

    # ^ returns an unsubscribe function; "" subscribes to everything
