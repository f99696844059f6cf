"""The outbox relay: delivers events once their unit of work is durable, then forgets them.

Units of work hand their committed events to ``committed`` (no I/O there: it runs on the
OCPP message path). Each event is delivered by ``deliver`` (the in-process bus on one node,
a JetStream publish in cluster mode, bus/jetstream.py), and the rows of delivered events are
removed in one DELETE per ``forget_interval_s``. Rows a crash left behind are delivered by
``start``, once the subscribers are in place (ADR 0012). Delivery is at least once: a crash after
delivering and before the DELETE delivers again, so durable consumers skip ids they know.

In cluster mode (``orphan_after_s``) the outbox is shared by every node, and a row may be
another live node's event in flight: a node delivers only rows it saw still stored in an
earlier sweep ``orphan_after_s`` ago, which their node did not deliver in that time (it died,
or cannot reach NATS: publishing again is harmless, the stream drops the duplicate id).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from forecourt.domain.events import DomainEvent
from forecourt.ports.repositories import UnitOfWorkFactory

log = logging.getLogger("forecourt.bus.outbox")

Deliver = Callable[[DomainEvent], Awaitable[None]]
RETRY_MAX_S = 5.0  # a delivery that failed (NATS down) is retried at most this far apart
STOP_GRACE_S = 1.0  # shutdown waits this long, in all, for subscribers still at work


class OutboxRelay:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        deliver: Deliver,
        *,
        forget_interval_s: float = 0.5,
        batch: int = 500,
        orphan_after_s: float | None = None,
    ) -> None:
        self._uow = uow
        self._deliver = deliver
        self._forget_interval_s = forget_interval_s
        self._batch = batch
        self._undelivered: dict[str, float] = {}  # event id -> committed at (monotonic)
        self._delivered: list[str] = []  # rows to remove
        self._handled: set[str] = set()  # taken by this process, until their rows are gone
        self._orphan_after_s = orphan_after_s  # cluster mode: see the module's docstring
        self._sighted: dict[str, float] = {}  # cluster mode: stored row -> first seen at
        self._tasks: set[asyncio.Task[None]] = set()
        self._background: asyncio.Task[None] | None = None  # recovery, then forgetting
        self.recovered = asyncio.Event()  # set once what earlier runs left is delivered
        self.delivered_total = 0

    # -- the message path ---------------------------------------------------------------------
    def committed(self, events: Sequence[DomainEvent]) -> None:
        """A unit of work's events are durable: deliver them."""
        now = time.monotonic()
        for event in events:
            if event.id:  # stored: its row is removed once delivered
                self._undelivered[event.id] = now
            self._spawn(event)

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        """In the background, deliver what earlier runs committed and never delivered, then
        forget delivered rows now and then. Call it once the subscribers are in place; it
        returns at once (a slow subscriber must not hold up the server's start)."""
        self._background = asyncio.create_task(self._recover_then_forget())

    async def _recover_then_forget(self) -> None:
        await self._recover_safely()
        self.recovered.set()
        sweep_every = (self._orphan_after_s or 0.0) / 2
        next_sweep = time.monotonic() + sweep_every
        while True:
            await asyncio.sleep(self._forget_interval_s)
            try:
                await self._forget()
            except Exception:  # the database is away: the ids wait for the next pass
                log.warning("delivered events not yet removed from the outbox", exc_info=True)
            if self._orphan_after_s is not None and time.monotonic() >= next_sweep:
                await self._recover_safely()  # rows a dead node left behind
                next_sweep = time.monotonic() + sweep_every

    async def _recover_safely(self) -> None:
        try:
            await self._recover()
        except Exception:  # the database is away: the rows wait for the next pass or start
            log.exception("events left by an earlier run not delivered")

    async def drain(self) -> None:
        """Wait until every event handed over so far is delivered (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Let deliveries in flight finish for up to ``grace_s``; a subscriber still busy then
        (a hung provider call) is cancelled and its event stays stored for the next start."""
        deadline = asyncio.get_running_loop().time() + grace_s
        if self._background is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.recovered.wait(), grace_s)
            self._background.cancel()
            await asyncio.gather(self._background, return_exceptions=True)
            self._background = None
        if self._tasks:
            left = max(0.0, deadline - asyncio.get_running_loop().time())
            _, late = await asyncio.wait(list(self._tasks), timeout=left)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self._forget()

    def lag(self) -> tuple[int, float]:
        """Events committed and not yet delivered, and the age of the oldest (s)."""
        if not self._undelivered:
            return 0, 0.0
        return len(self._undelivered), time.monotonic() - min(self._undelivered.values())

    # -- internals ----------------------------------------------------------------------------
    async def _recover(self) -> None:
        while True:
            async with self._uow() as uow:
                stored = await uow.outbox.pending(self._batch)
            for event in self._orphans(stored):
                if event.id not in self._handled:  # not already delivered live
                    self._handled.add(event.id)
                    self._undelivered.setdefault(event.id, time.monotonic())
                    await self._deliver_until_done(event)
            await self._forget()
            if len(stored) < self._batch or self._orphan_after_s is not None:
                return  # cluster mode: one batch per sweep (live nodes' rows stay stored)

    def _orphans(self, stored: list[DomainEvent]) -> list[DomainEvent]:
        """The stored rows this node should deliver: all of them on one node; in cluster
        mode those seen ``orphan_after_s`` ago already (rows gone since are forgotten)."""
        if self._orphan_after_s is None:
            return stored
        now = time.monotonic()
        self._sighted = {event.id: self._sighted.get(event.id, now) for event in stored}
        return [e for e in stored if now - self._sighted[e.id] >= self._orphan_after_s]

    def _spawn(self, event: DomainEvent) -> None:
        if event.id:
            self._handled.add(event.id)
        task = asyncio.create_task(self._deliver_until_done(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver_until_done(self, event: DomainEvent) -> None:
        delay = 0.05
        while True:
            try:
                await self._deliver(event)
                break
            except Exception:  # the stream is unreachable: the row waits, we retry
                log.warning("event %s not delivered yet; retrying", event.id, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_S)
        self.delivered_total += 1
        if event.id:
            self._undelivered.pop(event.id, None)
            self._delivered.append(event.id)

    async def _forget(self) -> None:
        ids, self._delivered = self._delivered, []
        if not ids:
            return
        try:
            async with self._uow() as uow:
                for start in range(0, len(ids), self._batch):
                    await uow.outbox.remove(ids[start : start + self._batch])
                await uow.commit()
        except BaseException:
            self._delivered[:0] = ids
            raise
        self._handled.difference_update(ids)
