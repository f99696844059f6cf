"""Presence races on the machine's NATS, two real `Presence` nodes of one test cluster:
two connections of one station at the same instant on two nodes leave exactly one socket
open, on the node whose hold is the newest; a socket that closes while its hold is being
written leaves no hold behind (a live node's stale hold would never expire)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from forecourt.cluster.link import LinkConfig, NatsLink
from forecourt.cluster.presence import Presence
from tests.support.cluster import MACHINE_NATS, delete_buckets

pytestmark = [pytest.mark.asyncio]

STATION = "CS-RACE"


class Node:
    def __init__(self, cluster_name: str, node_id: str) -> None:
        self.link = NatsLink(LinkConfig.parse(MACHINE_NATS, cluster_name, node_id))
        self.presence = Presence(self.link, lease_s=3.0)
        self.taken: list[str] = []
        self.presence.on_taken = self._taken

    async def _taken(self, station_id: str) -> None:
        self.taken.append(station_id)
        # the registry's evict closes the socket; its close never reports a drop

    async def start(self) -> None:
        await self.link.connect()
        await self.presence.start()

    async def stop(self) -> None:
        await self.presence.stop()
        await self.link.close()


@asynccontextmanager
async def nodes(count: int) -> AsyncIterator[list[Node]]:
    name = f"t{secrets.token_hex(6)}"
    started: list[Node] = []
    try:
        for n in range(count):
            node = Node(name, f"node-{n}")
            await node.start()
            started.append(node)
        yield started
    finally:
        for node in started:
            await node.stop()
        await delete_buckets(MACHINE_NATS, name)


async def settled(check: object, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "presence did not settle"
        await asyncio.sleep(0.05)


async def test_simultaneous_connections_on_two_nodes_leave_exactly_one() -> None:
    async with nodes(2) as (a, b):
        for _ in range(5):  # a few rounds: each a fresh race between the two writes
            await asyncio.gather(a.presence.held(STATION, "1.6"), b.presence.held(STATION, "1.6"))
            # both watches have delivered both writes
            await settled(lambda: a.presence.holds() and a.presence.holds() == b.presence.holds())
            await asyncio.sleep(0.3)  # any late eviction would have happened by now
            (newest,) = a.presence.holds()
            winner, loser = (a, b) if newest.node_id == a.presence.node_id else (b, a)
            assert loser.taken == [STATION], "the older connection is closed"
            assert winner.taken == [], "the newest connection stays open"
            assert loser.presence.holder(STATION) == newest  # commands go to the winner
            winner.presence.dropped(STATION)
            await settled(lambda: not a.presence.holds() and not b.presence.holds())
            a.taken.clear()
            b.taken.clear()


async def test_a_socket_closed_while_its_hold_is_written_leaves_no_hold() -> None:
    async with nodes(2) as (a, b):
        writing = asyncio.create_task(a.presence.held(STATION, "2.0.1"))
        await asyncio.sleep(0)  # the put is on its way
        a.presence.dropped(STATION)  # the station hung up at once
        await writing
        await settled(lambda: not a.presence.holds() and not b.presence.holds())
        assert b.presence.holder(STATION) is None
