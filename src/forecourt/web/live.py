"""Live updates: one bus subscription fanned out to every open dashboard as server-sent events.

Each browser tab opens one ``EventSource`` (``static/js/live.js``); events are grouped so a
page listens only to what it shows (``?groups=station,connector``), optionally for one
station. A slow client never slows the bus: its queue is bounded, and when it overflows the
client is told to ``resync`` (reload its live regions) instead.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from forecourt.domain.events import DomainEvent
from forecourt.ports.events import EventBus

GROUPS = frozenset({"station", "connector", "session", "meter", "command", "alert"})
_STATION_LIFECYCLE = frozenset(
    {"station.connected", "station.disconnected", "station.booted", "station.registered"}
)
KEEPALIVE_S = 15.0
QUEUE_SIZE = 256


def group_of(topic: str) -> str | None:
    """Which page regions an event concerns; None for events no page shows."""
    if topic == "transaction.updated":
        return "meter"
    if topic.startswith("transaction."):
        return "session"
    if topic == "connector.status":
        return "connector"
    if topic == "command.completed":
        return "command"
    if topic in _STATION_LIFECYCLE:
        return "station"
    if topic.startswith("station."):
        return "alert"  # station.security, station.notify_event, ...
    return None


@dataclass(frozen=True, slots=True)
class LiveFilter:
    groups: frozenset[str]
    visible: Callable[[str], bool]  # may the user see this station?
    station_id: str | None = None
    reveal_tokens: bool = True

    def wants(self, group: str, station_id: str) -> bool:
        if group not in self.groups:
            return False
        if self.station_id is not None and station_id != self.station_id:
            return False
        return self.visible(station_id)


class LiveStream:
    def __init__(self, live_filter: LiveFilter) -> None:
        self.filter = live_filter
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self.overflowed = False

    def offer(self, group: str, event: DomainEvent) -> None:
        if not self.filter.wants(group, event.station_id):
            return
        data = dict(event.data)
        if not self.filter.reveal_tokens:
            data.pop("id_token", None)
        message = {
            "group": group,
            "topic": event.topic,
            "station_id": event.station_id,
            "at": event.at.isoformat(),
            "data": data,
        }
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed = True


class LiveFeed:
    def __init__(self, bus: EventBus) -> None:
        self._streams: set[LiveStream] = set()
        self._unsubscribe = bus.subscribe("", self._on_event, "every_node")  # its own browsers

    @property
    def open_streams(self) -> int:
        return len(self._streams)

    @contextmanager
    def open(self, live_filter: LiveFilter) -> Iterator[LiveStream]:
        stream = LiveStream(live_filter)
        self._streams.add(stream)
        try:
            yield stream
        finally:
            self._streams.discard(stream)

    def close(self) -> None:
        self._unsubscribe()

    async def _on_event(self, event: DomainEvent) -> None:
        group = group_of(event.topic)
        if group is None:
            return
        for stream in list(self._streams):
            stream.offer(group, event)


async def server_sent_events(feed: LiveFeed, live_filter: LiveFilter) -> AsyncGenerator[str, None]:
    """The text/event-stream body; ends when the client goes away (the task is cancelled)."""
    with feed.open(live_filter) as stream:
        yield "retry: 2000\n\n"  # reconnect quickly after a restart
        while True:
            if stream.overflowed:
                stream.overflowed = False
                yield _message({"group": "resync"})
            try:
                message = await asyncio.wait_for(stream.queue.get(), KEEPALIVE_S)
            except TimeoutError:
                yield ": keepalive\n\n"  # proxies close idle connections
                continue
            yield _message(message)


def _message(message: dict[str, Any]) -> str:
    return f"data: {json.dumps(message, default=str, separators=(',', ':'))}\n\n"
