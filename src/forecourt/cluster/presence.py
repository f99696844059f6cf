"""Which node holds each station's socket: a JetStream key-value bucket of holds, bound to
node leases (docs/adr/0013-cluster-presence-and-commands.md).

A node renews one lease (its heartbeat key, every third of FORECOURT_PRESENCE_LEASE), not
one per station: a hold counts while the lease of the node incarnation that wrote it is
fresh. Newest connection wins: a hold written by another node (or by an earlier incarnation
of this one) for a station this node still serves closes the stale socket here. A dead
node's holds are released by compare-and-delete, so exactly one survivor records each of its
stations as disconnected."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nats.js.errors import APIError, BucketNotFoundError
from nats.js.kv import KeyValue

from forecourt.cluster.codec import dumps, loads
from forecourt.cluster.link import NatsLink

log = logging.getLogger("forecourt.cluster")

StationHook = Callable[[str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Hold:
    station_id: str
    node_id: str
    incarnation: str
    protocol: str
    since: float  # epoch seconds: when the station connected there
    revision: int = 0


@dataclass(frozen=True, slots=True)
class NodeLease:
    node_id: str
    incarnation: str
    started: float
    renewed: float  # epoch seconds of the latest heartbeat
    stations: int


def station_key(station_id: str) -> str:
    """Station ids may hold characters a KV key may not: base64url keeps them apart."""
    return base64.urlsafe_b64encode(station_id.encode()).decode().rstrip("=") or "_"


class Presence:
    def __init__(self, link: NatsLink, lease_s: float) -> None:
        self._link = link
        self.node_id = link.config.node_id
        self.incarnation = uuid.uuid4().hex
        self.lease_s = lease_s
        self.started = time.time()
        # since when this node has seen NATS without a gap: only after a whole lease of
        # that may it judge other nodes dead (they too were cut off while NATS was away)
        self._in_touch_since = self.started
        self._holds: dict[str, Hold] = {}  # every station's newest hold, from the watch
        self._nodes: dict[str, NodeLease] = {}
        self._mine: set[str] = set()  # stations whose socket is open here
        self._stations: KeyValue | None = None
        self._leases: KeyValue | None = None
        self._tasks: list[asyncio.Task[None]] = []  # the heartbeat loop
        self._watches: list[asyncio.Task[None]] = []
        self._reconnected = asyncio.Event()  # NATS came back: resync at the next beat
        self._pending: set[asyncio.Task[None]] = set()
        self._writing: dict[str, int] = {}  # stations whose hold this node is writing
        self._changed = asyncio.Condition()  # a hold was written or released anywhere
        self._synced = asyncio.Event()
        self.on_taken: StationHook | None = None  # close the local socket
        self.on_orphaned: StationHook | None = None  # record the station disconnected

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        await self._open_buckets()
        await self._beat()
        self._start_watches()
        self._tasks.append(asyncio.create_task(self._heartbeats(), name="cluster-heartbeats"))
        async with asyncio.timeout(10):
            await self._synced.wait()

    def reconnected(self) -> None:
        """The link's hook: NATS is back (perhaps a restarted server, perhaps empty)."""
        self._reconnected.set()

    def _start_watches(self) -> None:
        for loop in (self._watch_nodes, self._watch_stations):
            self._watches.append(asyncio.create_task(loop(), name=f"cluster-{loop.__name__}"))

    async def _restart_watches(self) -> None:
        """A watch's consumer may not survive a server restart silently: start afresh."""
        for task in self._watches:
            task.cancel()
        await asyncio.gather(*self._watches, return_exceptions=True)
        self._watches.clear()
        self._holds.clear()  # an emptied server counts revisions from 1 again
        self._start_watches()

    async def stop(self) -> None:
        """Release this node's holds before its lease goes: a graceful stop leaves no
        orphans for other nodes to record disconnected a second time."""
        for hold in [h for h in self._holds.values() if self._is_mine(h)]:
            self._spawn(self._release(hold))
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        for task in self._tasks + self._watches:
            task.cancel()
        await asyncio.gather(*self._tasks, *self._watches, return_exceptions=True)
        if self._leases is not None:
            with contextlib.suppress(Exception):  # gone already: it expires anyway
                await self._leases.delete(self._node_key)

    async def _open_buckets(self) -> None:
        config = self._link.config
        self._stations = await self._bucket_named(config.bucket("presence"), None)
        # dead nodes' heartbeats vanish by themselves; liveness itself is read from `renewed`
        self._leases = await self._bucket_named(config.bucket("nodes"), self.lease_s * 4)

    async def _bucket_named(self, name: str, ttl: float | None) -> KeyValue:
        """An existing bucket as the operator made it (e.g. 3 replicas), else a new one."""
        js = self._link.jetstream
        try:
            return await js.key_value(name)
        except BucketNotFoundError:
            return await js.create_key_value(bucket=name, history=1, ttl=ttl)

    @property
    def _node_key(self) -> str:
        return station_key(self.node_id)

    # -- the registry's hooks ----------------------------------------------------------------
    async def held(self, station_id: str, protocol: str) -> None:
        """A station's socket opened here: newest wins, so the hold is simply written.

        While the write is in flight, holds from elsewhere are judged by revision once it
        returns (the watch may deliver an older one after our put: it must not close the new
        socket); a socket that closed meanwhile gets its just-written hold released."""
        self._mine.add(station_id)
        hold = Hold(station_id, self.node_id, self.incarnation, protocol, time.time())
        self._writing[station_id] = self._writing.get(station_id, 0) + 1
        try:
            revision = await self._bucket.put(station_key(station_id), _encode_hold(hold))
        except Exception:  # NATS down: the heartbeat loop writes it again once back
            log.warning("cluster: could not record the hold", extra={"station_id": station_id})
            return
        finally:
            self._writing[station_id] -= 1
            if not self._writing[station_id]:
                del self._writing[station_id]
        written = _with_revision(hold, revision)
        self._remember(written)
        await self._notify()
        if station_id not in self._mine:  # closed (or taken) while the hold was written
            self._spawn(self._release(written))
            return
        newest = self._holds[station_id]
        if not self._is_mine(newest) and station_id not in self._writing:
            self._spawn(self._taken(newest))  # a newer connection elsewhere came meanwhile

    def dropped(self, station_id: str) -> None:
        """The socket closed: release the hold if it is still this node's."""
        self._mine.discard(station_id)
        hold = self._holds.get(station_id)
        if hold is not None and self._is_mine(hold):
            self._spawn(self._release(hold))

    # -- questions ---------------------------------------------------------------------------
    def holder(self, station_id: str) -> Hold | None:
        """The live hold of another node, if any (this node's own sockets are local)."""
        hold = self._holds.get(station_id)
        if hold is None or self._is_mine(hold) or not self.alive(hold):
            return None
        return hold

    def alive(self, hold: Hold) -> bool:
        lease = self._nodes.get(hold.node_id)
        if lease is None or lease.incarnation != hold.incarnation:
            return False
        return time.time() - lease.renewed < self.lease_s

    async def moved(self, station_id: str, since: Hold | None, within: float) -> None:
        """Wait (at most ``within`` seconds) until the station's hold differs from ``since``:
        written by another connection, or released."""

        def differs() -> bool:
            return self._holds.get(station_id) != since

        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within), self._changed:
                await self._changed.wait_for(differs)

    def holds(self) -> list[Hold]:
        return list(self._holds.values())

    def nodes(self) -> list[NodeLease]:
        return list(self._nodes.values())

    def live_ids(self) -> set[str]:
        """Stations held by a live node (this one included)."""
        return {s for s, hold in self._holds.items() if self.alive(hold) or self._is_mine(hold)}

    # -- loops -------------------------------------------------------------------------------
    async def _heartbeats(self) -> None:
        failed = False
        while True:
            await asyncio.sleep(self.lease_s / 3)
            try:
                await self._beat()
                if failed or self._reconnected.is_set():  # NATS was away (maybe restarted
                    self._reconnected.clear()  # empty): follow afresh, write our holds again
                    self._in_touch_since = time.time()
                    await self._restart_watches()
                    await self._reassert()
                failed = False
                await self._release_orphans()
            except Exception as error:
                failed = True
                log.warning("cluster: heartbeat failed: %s", error)

    async def _beat(self) -> None:
        now = time.time()
        lease = NodeLease(self.node_id, self.incarnation, self.started, now, len(self._mine))
        await self._lease_bucket.put(self._node_key, dumps(_lease_fields(lease)))
        self._nodes[self.node_id] = lease

    async def _reassert(self) -> None:
        await self._open_buckets()
        for station_id in list(self._mine):
            current = self._holds.get(station_id)
            if current is None or self._is_mine(current):
                await self.held(station_id, current.protocol if current else "")

    async def _release_orphans(self) -> None:
        """Holds of dead nodes: whoever deletes one first records the station disconnected."""
        for hold in list(self._holds.values()):
            if self._is_mine(hold) or self.alive(hold) or not self._lease_expired(hold):
                continue
            if not await _delete_if_unchanged(self._bucket, hold):
                continue  # another node released it, or the station is back elsewhere
            log.info("cluster: node %s lost; station released", hold.node_id)
            if self.on_orphaned is not None:
                await self.on_orphaned(hold.station_id)

    def _lease_expired(self, hold: Hold) -> bool:
        """Dead for sure: its node's lease is stale or replaced, or never seen, while this
        node has been in touch with NATS for a whole lease."""
        if time.time() - self._in_touch_since <= self.lease_s:
            return False
        lease = self._nodes.get(hold.node_id)
        return lease is None or lease.incarnation != hold.incarnation or not self.alive(hold)

    async def _watch_nodes(self) -> None:
        async def apply(key: str, value: bytes | None) -> None:
            if value is None:
                self._nodes = {n: x for n, x in self._nodes.items() if station_key(n) != key}
                return
            lease = _decode_lease(value)
            self._nodes[lease.node_id] = lease

        await self._watch(lambda: self._lease_bucket, apply, None)

    async def _watch_stations(self) -> None:
        async def apply(key: str, value: bytes | None) -> None:
            if value is None:
                self._holds = {s: h for s, h in self._holds.items() if station_key(s) != key}
                await self._notify()
                return
            await self._seen(_decode_hold(value))

        await self._watch(lambda: self._bucket, apply, self._synced)

    async def _watch(
        self,
        bucket: Callable[[], KeyValue],
        apply: Callable[[str, bytes | None], Awaitable[None]],
        synced: asyncio.Event | None,
    ) -> None:
        """Follow a bucket for ever; a broken watch (NATS restart) starts again from the top."""
        while True:
            try:
                watcher = await bucket().watchall()
                async for entry in watcher:
                    if entry is None:  # the initial values are all in
                        if synced is not None:
                            synced.set()
                        continue
                    deleted = entry.operation in ("DEL", "PURGE") or not entry.value
                    value = None if deleted else entry.value
                    if value is not None and entry.revision:
                        value = _stamp_revision(value, entry.revision)
                    await apply(entry.key, value)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("cluster: watch interrupted (%s); following again", error)
                await asyncio.sleep(1)

    async def _seen(self, hold: Hold) -> None:
        """A hold written anywhere; one from elsewhere, newer than ours, for a socket open
        here replaces it. An older one (delivered after our own write) changes nothing, and
        while our write is in flight ``held`` judges when it returns."""
        newest = self._remember(hold)
        await self._notify()
        if newest and hold.station_id not in self._writing:
            await self._taken(hold)

    async def _taken(self, hold: Hold) -> None:
        if hold.station_id not in self._mine or self._is_mine(hold):
            return
        self._mine.discard(hold.station_id)
        log.info(
            "cluster: station reconnected on %s; closing the stale socket here",
            hold.node_id,
            extra={"station_id": hold.station_id},
        )
        if self.on_taken is not None:
            await self.on_taken(hold.station_id)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- helpers -----------------------------------------------------------------------------
    def _remember(self, hold: Hold) -> bool:
        """Keep ``hold`` if it is the newest known for its station (by revision)."""
        current = self._holds.get(hold.station_id)
        if current is None or hold.revision >= current.revision:
            self._holds[hold.station_id] = hold
            return True
        return False

    def _is_mine(self, hold: Hold) -> bool:
        return hold.node_id == self.node_id and hold.incarnation == self.incarnation

    async def _release(self, hold: Hold) -> None:
        await _delete_if_unchanged(self._bucket, hold)

    def _spawn(self, work: Awaitable[None]) -> None:
        async def run() -> None:
            try:
                await work
            except Exception as error:
                log.warning("cluster: presence update failed: %s", error)

        task = asyncio.create_task(run())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    @property
    def _bucket(self) -> KeyValue:
        if self._stations is None:
            raise RuntimeError("presence is not started")
        return self._stations

    @property
    def _lease_bucket(self) -> KeyValue:
        if self._leases is None:
            raise RuntimeError("presence is not started")
        return self._leases


#: JetStream's "wrong last sequence": the key changed since the revision we read.
_WRONG_LAST_SEQUENCE = (10071, 10164)


async def _delete_if_unchanged(bucket: KeyValue, hold: Hold) -> bool:
    """Compare-and-delete: False when the hold was replaced or released meanwhile."""
    try:
        await bucket.delete(station_key(hold.station_id), last=hold.revision)
    except APIError as error:
        if error.err_code in _WRONG_LAST_SEQUENCE:
            return False
        raise
    return True


def _encode_hold(hold: Hold) -> bytes:
    return dumps(
        {
            "station": hold.station_id,
            "node": hold.node_id,
            "incarnation": hold.incarnation,
            "protocol": hold.protocol,
            "since": hold.since,
        }
    )


def _stamp_revision(value: bytes, revision: int) -> bytes:
    return dumps({**loads(value), "revision": revision})


def _decode_hold(value: bytes) -> Hold:
    data = loads(value)
    return Hold(
        str(data["station"]),
        str(data["node"]),
        str(data["incarnation"]),
        str(data.get("protocol", "")),
        float(data["since"]),
        int(data.get("revision", 0)),
    )


def _with_revision(hold: Hold, revision: int) -> Hold:
    return dataclasses.replace(hold, revision=revision)


def _lease_fields(lease: NodeLease) -> dict[str, object]:
    return {
        "node": lease.node_id,
        "incarnation": lease.incarnation,
        "started": lease.started,
        "renewed": lease.renewed,
        "stations": lease.stations,
    }


def _decode_lease(value: bytes) -> NodeLease:
    data = loads(value)
    return NodeLease(
        str(data["node"]),
        str(data["incarnation"]),
        float(data["started"]),
        float(data["renewed"]),
        int(data.get("stations", 0)),
    )
