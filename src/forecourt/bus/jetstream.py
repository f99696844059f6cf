"""Cluster mode's event stream: the outbox relay publishes to JetStream, durable consumers read.

One stream holds every event under ``forecourt.events.<topic>``. The relay publishes each stored
event with its id as ``Nats-Msg-Id``, so a relay that publishes it again (a crash before its
row was removed) is dropped by the stream's duplicate window: the stream holds it once. A
``DurableConsumer`` is a named pull consumer shared by every node: each event goes to one of
them, is acknowledged only after the subscriber returned (redelivered otherwise), and an id
already handled is acknowledged without calling the subscriber again: the ids are recorded in
the database (``uow.consumed``), so a consumer restarted on any node recognises them too. A
durable consumer created for the first time (a new or renamed subscriber) starts with the
events published from then on, never with the stream's seven days (ADR 0012).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any

import nats
import orjson
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext

from forecourt.domain.events import DomainEvent
from forecourt.ports.events import Subscriber
from forecourt.ports.repositories import UnitOfWorkFactory

log = logging.getLogger("forecourt.bus.jetstream")

STREAM = "FORECOURT_EVENTS"
SUBJECT_PREFIX = "forecourt.events"
DUPLICATE_WINDOW_S = 600.0  # longer than any restart: a re-published event is dropped
RETENTION_S = 7 * 24 * 3600.0  # a consumer away this long misses events
SEEN_IDS = 100_000  # ids a consumer remembers for redeliveries (bounded memory)
FETCH_WAIT_S = 1.0  # one pull request waits this long for new events
STOP_WAIT_S = 5.0  # at stop, the fetch loop gets this long to end (it is cancelled at once)


async def connect(url: str, name: str) -> NatsClient:
    """A NATS connection that keeps reconnecting (a NATS restart is not an outage)."""
    return await nats.connect(
        url, name=name, max_reconnect_attempts=-1, reconnect_time_wait=0.5, connect_timeout=5
    )


def encode(event: DomainEvent) -> bytes:
    at = event.at.isoformat()
    return orjson.dumps(
        {
            "id": event.id,
            "topic": event.topic,
            "station_id": event.station_id,
            "at": at,
            "data": event.data,
        }
    )


def decode(payload: bytes) -> DomainEvent:
    raw: dict[str, Any] = orjson.loads(payload)
    at = datetime.fromisoformat(raw["at"])
    return DomainEvent(raw["topic"], raw["station_id"], at, raw["data"], id=raw["id"])


def subject_for(topic_prefix: str, prefix: str = SUBJECT_PREFIX) -> str:
    """The subject filter of a topic prefix: "" all, "transaction." a family, else one topic."""
    if not topic_prefix:
        return f"{prefix}.>"
    if topic_prefix.endswith("."):
        return f"{prefix}.{topic_prefix}>"
    return f"{prefix}.{topic_prefix}"


class EventStream:
    """The JetStream stream of events (``stream`` and ``prefix`` differ only in tests)."""

    def __init__(
        self, client: NatsClient, stream: str = STREAM, prefix: str = SUBJECT_PREFIX
    ) -> None:
        self.js: JetStreamContext = client.jetstream()
        self.stream = stream
        self.prefix = prefix

    async def ensure(self) -> None:
        """Create the stream, or bring its settings up to date (every node does it at start)."""
        config: dict[str, Any] = {
            "name": self.stream,
            "subjects": [f"{self.prefix}.>"],
            "duplicate_window": DUPLICATE_WINDOW_S,
            "max_age": RETENTION_S,
        }
        try:
            await self.js.add_stream(**config)
        except nats.js.errors.BadRequestError:  # exists with other settings
            await self.js.update_stream(**config)

    async def publish(self, event: DomainEvent) -> None:
        """The relay's delivery: returns once the stream has stored the event."""
        headers = {"Nats-Msg-Id": event.id} if event.id else None
        subject = f"{self.prefix}.{event.topic}"
        await self.js.publish(subject, encode(event), stream=self.stream, headers=headers)


class SeenIds:
    """The most recent event ids a consumer handled, so a redelivery has no second effect."""

    def __init__(self, capacity: int = SEEN_IDS) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._capacity = capacity

    def __contains__(self, event_id: str) -> bool:
        return event_id in self._ids

    def add(self, event_id: str) -> None:
        self._ids[event_id] = None
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)


class DurableConsumer:
    """``subscriber`` for the events under ``topic_prefix``, once per event cluster-wide."""

    def __init__(
        self,
        events: EventStream,
        name: str,
        topic_prefix: str,
        subscriber: Subscriber,
        *,
        ack_wait_s: float = 30.0,
        batch: int = 64,
        uow: UnitOfWorkFactory | None = None,
    ) -> None:
        self._events = events
        self.name = name
        self._subject = subject_for(topic_prefix, events.prefix)
        self._subscriber = subscriber
        # used only when the durable does not exist yet: it starts at the stream's end
        self._config = ConsumerConfig(
            ack_wait=ack_wait_s, max_deliver=-1, deliver_policy=DeliverPolicy.NEW
        )
        self._batch = batch
        self._seen = SeenIds()  # in front of the database: most redeliveries are recent
        self._uow = uow  # the durable record of handled ids (None: memory only, tests)
        self._task: asyncio.Task[None] | None = None
        self._subscription: JetStreamContext.PullSubscription | None = None
        self._stopping = False
        self.lag = 0  # events in the stream this consumer has not handled yet
        self.handled = 0
        self.skipped = 0  # redeliveries of ids already handled

    async def start(self) -> None:
        await self._prune()
        subscription = await self._events.js.pull_subscribe(
            self._subject, durable=self.name, stream=self._events.stream, config=self._config
        )
        self._subscription = subscription
        self._stopping = False
        self._task = asyncio.create_task(self._run(subscription))

    async def stop(self) -> None:
        """Bounded: the fetch loop is cancelled at once and given ``STOP_WAIT_S`` to end.
        nats-py turns a cancelled fetch into ``ConnectionClosedError`` once its client is
        closed, which the loop would take for NATS being away: ``_stopping`` ends it too."""
        self._stopping = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            _, late = await asyncio.wait([task], timeout=STOP_WAIT_S)
            if late:  # it ends at its next turn (``_stopping``); shutdown does not wait
                log.warning("consumer %s: fetch loop still running at stop", self.name)
        subscription, self._subscription = self._subscription, None
        if subscription is not None:  # else a draining client waits on its undelivered batch
            with contextlib.suppress(Exception):  # NATS away: the server forgets it anyway
                await asyncio.wait_for(subscription.unsubscribe(), STOP_WAIT_S)

    async def _run(self, subscription: JetStreamContext.PullSubscription) -> None:
        while not self._stopping:
            try:
                messages = await subscription.fetch(self._batch, timeout=FETCH_WAIT_S)
            except (NatsTimeout, TimeoutError):  # nats-py raises either when nothing is new
                self.lag = 0
                continue
            except Exception:  # NATS away: the client reconnects, we ask again
                if self._stopping:  # a cancelled fetch, reported as a closed connection
                    return
                log.warning("consumer %s cannot fetch; retrying", self.name, exc_info=True)
                await asyncio.sleep(0.5)
                continue
            for message in messages:
                if self._stopping:  # not acknowledged: redelivered to a node still running
                    return
                await self._handle(message)

    async def _handle(self, message: Msg) -> None:
        event = decode(message.data)
        self.lag = message.metadata.num_pending
        try:
            if event.id and await self._handled_before(event.id):
                self.skipped += 1
                await message.ack()
                return
            await self._subscriber(event)
        except Exception:  # not acknowledged: JetStream delivers it again
            log.exception("consumer %s failed on event %s", self.name, event.id)
            await message.nak(delay=1.0)
            return
        if event.id:
            self._seen.add(event.id)
            await self._record(event.id)
        self.handled += 1
        await message.ack()

    async def _handled_before(self, event_id: str) -> bool:
        if event_id in self._seen:
            return True
        if self._uow is None:
            return False
        async with self._uow() as uow:
            return await uow.consumed.seen(self.name, event_id)

    async def _record(self, event_id: str) -> None:
        """After the subscriber's effect, before the acknowledgement: a crash in between
        applies the event again, which subscribers tolerate (their effects are keyed)."""
        if self._uow is None:
            return
        try:
            async with self._uow() as uow:
                await uow.consumed.add(self.name, event_id, datetime.now(UTC))
                await uow.commit()
        except Exception:  # the database is away: this process still remembers the id
            log.warning("consumer %s: event %s not recorded", self.name, event_id, exc_info=True)

    async def _prune(self) -> None:
        """Ids older than the stream's retention can never come back: forget them."""
        if self._uow is None:
            return
        before = datetime.now(UTC) - timedelta(seconds=RETENTION_S)
        try:
            async with self._uow() as uow:
                await uow.consumed.prune(before)
                await uow.commit()
        except Exception:  # the next start prunes them
            log.warning("consumer %s: old ids not pruned", self.name, exc_info=True)
