"""Admission control at the websocket edge: how many handshakes at once, and who may try again.

Everything here is decided from memory, before any database work or password hashing, so a
refusal is cheap. The policy (docs/security.md, "Station connections"):

- failed logins are counted per source address and per station id; after
  ``failures_before_backoff`` of them the address (or the station id) is refused with 429 for a
  back-off that doubles with each further failure, up to ``backoff_max``; it is forgotten after
  ``backoff_max`` without failures;
- the station's usual address (the last one it logged in from successfully) is exempt from
  both, so an attacker elsewhere cannot lock a real station out;
- a station that logs in more than ``reconnects_per_minute`` times a minute waits (429);
- at most ``concurrent`` handshakes run at once and at most ``queued`` wait for a slot; more
  are refused with 503 at once.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol, TypeVar

V = TypeVar("V")

#: Entries kept per table (addresses, station ids); the oldest are forgotten beyond it.
MAX_TRACKED = 100_000


class EdgeObserver(Protocol):
    """What the edge reports (Prometheus in the app)."""

    def refused(self, reason: str) -> None: ...
    def timed_out(self, stage: str) -> None: ...
    def throttled(self, scope: str) -> None: ...
    def registration_refused(self, reason: str) -> None: ...


@dataclass(frozen=True, slots=True)
class AdmissionPolicy:
    failures_before_backoff: int = 5
    backoff_initial: float = 2.0
    backoff_max: float = 300.0
    reconnects_per_minute: int = 30


@dataclass(frozen=True, slots=True)
class Refusal:
    status: int  # 429 throttled, 503 busy
    reason: str  # metric label and log text; never sent to the station
    retry_after: float


class _Failures:
    __slots__ = ("count", "last", "until")

    def __init__(self) -> None:
        self.count, self.last, self.until = 0, 0.0, 0.0


class FailureThrottle:
    """Failed attempts per key (an address or a station id) with exponential back-off."""

    def __init__(self, policy: AdmissionPolicy, clock: Callable[[], float]) -> None:
        self._policy = policy
        self._clock = clock
        self._entries: OrderedDict[str, _Failures] = OrderedDict()

    def wait(self, key: str) -> float:
        """Seconds ``key`` must still wait; 0 when it may try."""
        entry = self._current(key)
        return 0.0 if entry is None else max(0.0, entry.until - self._clock())

    def failed(self, key: str) -> float:
        """Count a failure; the back-off it starts (0 while under the threshold)."""
        now = self._clock()
        entry = self._current(key) or _Failures()
        entry.count += 1
        entry.last = now
        self._entries[key] = entry
        self._entries.move_to_end(key)
        if len(self._entries) > MAX_TRACKED:
            self._entries.popitem(last=False)
        over = entry.count - self._policy.failures_before_backoff
        if over < 0:
            return 0.0
        backoff = min(self._policy.backoff_max, self._policy.backoff_initial * 2.0 ** min(over, 32))
        entry.until = now + backoff
        return backoff

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)

    def _current(self, key: str) -> _Failures | None:
        entry = self._entries.get(key)
        if entry is not None and self._clock() - entry.last > self._policy.backoff_max:
            del self._entries[key]  # quiet long enough: a clean slate
            return None
        return entry


class StationAdmission:
    """The in-memory part of admission: throttles, usual addresses, reconnect rate."""

    def __init__(
        self, policy: AdmissionPolicy, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._policy = policy
        self._clock = clock
        self._by_address = FailureThrottle(policy, clock)
        self._by_station = FailureThrottle(policy, clock)
        self._usual_address: OrderedDict[str, str] = OrderedDict()
        # token bucket per station id: (logins still allowed, when counted); two floats each
        self._logins: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._refill_per_s = policy.reconnects_per_minute / 60.0

    def check(self, station_id: str, address: str) -> Refusal | None:
        """A refusal to send before any other work, or None to go on."""
        if self._usual_address.get(station_id) != address:
            if wait := self._by_address.wait(address):
                return Refusal(429, "throttled_address", wait)
            if wait := self._by_station.wait(station_id):
                return Refusal(429, "throttled_station", wait)
        if wait := self._reconnect_wait(station_id):
            return Refusal(429, "reconnecting_too_often", wait)
        return None

    def failed(self, station_id: str, address: str, *, known_station: bool) -> dict[str, float]:
        """Count a failed login; the back-offs it starts, by scope ("address", "station")."""
        started = {"address": self._by_address.failed(address)}
        if known_station and self._usual_address.get(station_id) != address:
            started["station"] = self._by_station.failed(station_id)
        return {scope: backoff for scope, backoff in started.items() if backoff}

    def admitted(self, station_id: str, address: str) -> None:
        """A successful login: ``address`` becomes the station's usual one."""
        self._by_address.forget(address)
        self._remember(self._usual_address, station_id, address)
        self._remember(self._logins, station_id, (self._allowance(station_id) - 1.0, self._clock()))

    def _allowance(self, station_id: str) -> float:
        tokens, at = self._logins.get(station_id, (float("inf"), 0.0))
        refilled = tokens + (self._clock() - at) * self._refill_per_s
        return min(float(self._policy.reconnects_per_minute), refilled)

    def _reconnect_wait(self, station_id: str) -> float:
        missing = 1.0 - self._allowance(station_id)
        return max(0.0, missing / self._refill_per_s)

    @staticmethod
    def _remember(table: OrderedDict[str, V], key: str, value: V) -> None:
        table[key] = value
        table.move_to_end(key)
        if len(table) > MAX_TRACKED:
            table.popitem(last=False)


class HandshakeSlots:
    """Bounded handshake concurrency and pace, with a bounded queue: beyond it, refuse at once.
    Connects cost CPU on the event loop that the connected stations share; pacing them keeps
    a reconnect storm or a churning fleet from crowding those stations out. A fixed pace cannot
    know what the machine has to spare, so a paced handshake also waits while the loop itself
    is congested: while one turn of it takes longer than ``max_loop_lag`` seconds (0: never)."""

    def __init__(
        self, concurrent: int, queued: int, per_second: float = 0.0, max_loop_lag: float = 0.0
    ) -> None:
        self._semaphore = asyncio.Semaphore(concurrent)
        self._queued = queued
        self._waiting = 0
        self._interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next_start = 0.0  # loop time the next paced handshake may start
        self._max_loop_lag = max_loop_lag
        self._probe: asyncio.Future[None] | None = None  # the one wait for a quiet loop
        self._quiet_at = float("-inf")  # loop time a quiet turn was last seen

    @property
    def full(self) -> bool:
        busy = self._semaphore.locked() or self._next_start > asyncio.get_running_loop().time()
        return busy and self._waiting >= self._queued

    @asynccontextmanager
    async def slot(self, *, paced: bool = False, quiet: bool = False) -> AsyncIterator[None]:
        """A slot; ``paced`` (newcomers' handshakes) also waits for its turn at the configured
        rate, and ``paced`` or ``quiet`` ones (every handshake) for a quiet event loop."""
        if paced and self._interval:
            async with self._queue_place():
                await self._turn()
        if (paced or quiet) and self._max_loop_lag and not self._recently_quiet():
            if self._probe is None:
                await self._quiet()  # the one probing: not waiting for anyone
            else:
                async with self._queue_place():  # queued behind another one's probe
                    await self._quiet()
        async with self._queue_place():
            await self._semaphore.acquire()
        try:
            yield
        finally:
            self._semaphore.release()

    @asynccontextmanager
    async def _queue_place(self) -> AsyncIterator[None]:
        self._waiting += 1
        try:
            yield
        finally:
            self._waiting -= 1

    async def _turn(self) -> None:
        now = asyncio.get_running_loop().time()
        start = max(now, self._next_start)
        self._next_start = start + self._interval
        if start > now:
            await asyncio.sleep(start - now)

    def _recently_quiet(self) -> bool:
        return asyncio.get_running_loop().time() - self._quiet_at <= self._max_loop_lag

    async def _quiet(self) -> None:
        """One probe for everyone waiting: its quiet turn lets them all go (the concurrency
        still bounds them). One probe per handshake would admit at most one per turn, and a
        reconnect storm would crawl on a machine that has CPU to spare."""
        if self._probe is None:
            self._probe = asyncio.ensure_future(self._quiet_loop())
            self._probe.add_done_callback(self._probed)
        await asyncio.shield(self._probe)  # a waiter timing out leaves the probe to the others

    def _probed(self, _: asyncio.Future[None]) -> None:
        self._probe = None

    async def _quiet_loop(self) -> None:
        """Wait while a turn of the event loop (what a connected station's frame waits behind)
        takes longer than the budget; backing off gives the queued work its CPU."""
        if not self._max_loop_lag:
            return
        loop = asyncio.get_running_loop()
        backoff = self._max_loop_lag
        while True:
            started = loop.time()
            await asyncio.sleep(0)  # one turn: every callback that was ready runs first
            if loop.time() - started <= self._max_loop_lag:
                self._quiet_at = loop.time()
                return
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 0.5)
