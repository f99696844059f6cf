"""Cluster mode's event bus: the outbox relay publishes to JetStream, subscribers consume it.

Each subscription becomes a consumer of the stream, chosen by its ``Delivery`` (ports/events.py):
"shared" is a durable consumer every node pulls from (each event handled once cluster-wide);
"leased" is the same durable consumer pulled only by the node holding its lease (the
subscriber keeps state in memory); "every_node" is an ordered, ephemeral consumer of new
events on this node (the live feed of its own browsers). Subscriptions made before ``start``
(the NATS link is up only in the app's lifespan) begin at ``start`` (ADR 0012).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy

from forecourt.bus.jetstream import DurableConsumer, EventStream, decode, subject_for
from forecourt.domain.events import DomainEvent
from forecourt.ports.events import Delivery, Subscriber, lease_name
from forecourt.ports.leases import Lease, Leases
from forecourt.ports.repositories import UnitOfWorkFactory

log = logging.getLogger("forecourt.bus.cluster")

LEASE_CHECK_S = 1.0  # how soon a node notices it took (or lost) a leased consumer
STOP_GRACE_S = 2.0  # at stop, publishes in flight get this long (NATS may be away)
_NOT_A_NAME = re.compile(r"[^A-Za-z0-9_-]")


class Consumer(Protocol):
    name: str

    @property
    def lag(self) -> int: ...
    @property
    def handled(self) -> int: ...
    @property
    def skipped(self) -> int: ...

    async def start(self) -> None: ...
    async def stop(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ConsumerLag:
    name: str
    delivery: Delivery
    lag: int  # events in the stream it has not handled yet
    handled: int  # events it handled on this node since the start
    skipped: int  # redeliveries of events already handled, skipped on this node since the start
    active: bool  # consuming on this node (a leased consumer: only on the lease holder)


def consumer_name(topic_prefix: str, subscriber: Subscriber) -> str:
    """A durable name every node derives alike: the subscriber's qualified name and topics."""
    owner = getattr(subscriber, "__qualname__", type(subscriber).__qualname__)
    return _NOT_A_NAME.sub("_", f"{owner}-{topic_prefix or 'all'}")


class NodeConsumer:
    """Every event published from now on, on this node only (gone when the node is)."""

    def __init__(self, events: EventStream, topic_prefix: str, subscriber: Subscriber) -> None:
        self._events = events
        self._subject = subject_for(topic_prefix, events.prefix)
        self._subscriber = subscriber
        self._subscription: object | None = None
        self.name = consumer_name(topic_prefix, subscriber)
        self.lag = 0
        self.handled = 0
        self.skipped = 0  # an ordered consumer of new events is never redelivered one

    async def start(self) -> None:
        self._subscription = await self._events.js.subscribe(
            self._subject,
            cb=self._on_message,
            stream=self._events.stream,
            ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW),
        )

    async def stop(self) -> None:
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            with contextlib.suppress(Exception):  # NATS away: the server drops it anyway
                await subscription.unsubscribe()  # type: ignore[attr-defined]

    async def _on_message(self, message: Msg) -> None:
        self.lag = message.metadata.num_pending
        try:
            await self._subscriber(decode(message.data))
        except Exception:  # best effort by design: a live view, not a record
            log.exception("node consumer %s failed", self.name)
        self.handled += 1


class LeasedConsumer:
    """A durable consumer pulled only while this node holds its lease; takeover on loss."""

    def __init__(self, consumer: DurableConsumer, lease: Lease, check_s: float) -> None:
        self._consumer = consumer
        self._lease = lease
        self._check_s = check_s
        self._task: asyncio.Task[None] | None = None
        self.name = consumer.name
        self.active = False

    @property
    def lag(self) -> int:
        return self._consumer.lag

    @property
    def handled(self) -> int:
        return self._consumer.handled

    @property
    def skipped(self) -> int:
        return self._consumer.skipped

    async def start(self) -> None:
        self._task = asyncio.create_task(self._follow_lease())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self._consumer.stop()
        if self.active:
            self.active = False
            with contextlib.suppress(Exception):  # the session is gone: so is the lock
                await self._lease.release()

    async def _follow_lease(self) -> None:
        while True:
            try:
                held = await self._lease.held()
                if held and not self.active:
                    await self._consumer.start()
                    log.info("leased consumer %s active on this node", self.name)
                elif not held and self.active:
                    await self._consumer.stop()
                self.active = held
            except Exception:  # NATS or the database away: try again at the next check
                log.warning("leased consumer %s: lease check failed", self.name, exc_info=True)
            await asyncio.sleep(self._check_s)


@dataclass(slots=True)
class _Subscription:
    topic_prefix: str
    subscriber: Subscriber
    delivery: Delivery
    consumer: Consumer | None = None


class JetStreamBus:
    """The ``EventBus`` of cluster mode: the outbox relay ``deliver``s to the stream, durable
    consumers hand events to subscribers (no other way in: ADR 0012)."""

    def __init__(self, stream: str, prefix: str, *, lease_check_s: float = LEASE_CHECK_S) -> None:
        self._stream_name = stream
        self._prefix = prefix
        self._lease_check_s = lease_check_s
        self._events: EventStream | None = None
        self._leases: Leases | None = None
        self._uow: UnitOfWorkFactory | None = None
        self._subscriptions: list[_Subscription] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, client: NatsClient, leases: Leases, uow: UnitOfWorkFactory) -> None:
        """``uow``: where durable consumers record the event ids they handled."""
        self._events = EventStream(client, self._stream_name, self._prefix)
        self._leases = leases
        self._uow = uow
        await self._events.ensure()
        for subscription in self._subscriptions:
            await self._start(subscription)

    async def stop(self) -> None:
        if self._events is None:
            return
        if self._tasks:
            _, late = await asyncio.wait(list(self._tasks), timeout=STOP_GRACE_S)
            for task in late:
                task.cancel()
        self._events = None
        for subscription in self._subscriptions:
            await self._stop(subscription)

    async def deliver(self, event: DomainEvent) -> None:
        """The outbox relay's delivery: returns once the stream stored the event, raises
        otherwise (the relay keeps the row and retries)."""
        if self._events is None:
            raise RuntimeError("the cluster event bus is not started yet")
        await self._events.publish(event)

    def subscribe(
        self, topic_prefix: str, subscriber: Subscriber, delivery: Delivery = "shared"
    ) -> Callable[[], None]:
        subscription = _Subscription(topic_prefix, subscriber, delivery)
        self._subscriptions.append(subscription)
        if self._events is not None:
            self._spawn(self._start(subscription))

        def unsubscribe() -> None:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)
                self._spawn(self._stop(subscription))

        return unsubscribe

    def lags(self) -> list[ConsumerLag]:
        """This node's consumers and how far behind the stream each is."""
        return [
            ConsumerLag(
                s.consumer.name,
                s.delivery,
                s.consumer.lag,
                s.consumer.handled,
                s.consumer.skipped,
                _active(s.consumer),
            )
            for s in self._subscriptions
            if s.consumer is not None
        ]

    async def _start(self, subscription: _Subscription) -> None:
        if subscription.consumer is None:
            subscription.consumer = self._consumer(subscription)
            await subscription.consumer.start()

    @staticmethod
    async def _stop(subscription: _Subscription) -> None:
        consumer, subscription.consumer = subscription.consumer, None
        if consumer is not None:
            await consumer.stop()

    def _consumer(self, subscription: _Subscription) -> Consumer:
        assert self._events is not None
        assert self._leases is not None
        prefix, subscriber = subscription.topic_prefix, subscription.subscriber
        if subscription.delivery == "every_node":
            return NodeConsumer(self._events, prefix, subscriber)
        name = consumer_name(prefix, subscriber)
        durable = DurableConsumer(self._events, name, prefix, subscriber, uow=self._uow)
        if subscription.delivery == "shared":
            return durable
        return LeasedConsumer(durable, self._leases(lease_name(subscriber)), self._lease_check_s)

    def _spawn(self, work: object) -> None:
        task: asyncio.Task[None] = asyncio.create_task(work)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _active(consumer: Consumer) -> bool:
    return bool(getattr(consumer, "active", True))
