"""Drill, real `forecourt serve` processes in cluster mode (one PostgreSQL database, the
machine's NATS, events over JetStream): a card-paid session (test provider hold) on a station
held by node A; kill -9 of A mid-session; the station reconnects to node B, where the session
ends. Exactly one capture of the final cost, the energy exact, and the port's reliability
timeline has no overlapping intervals (no uptime minute counted twice). The same with three
nodes, the station going on through the third."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from forecourt.bootstrap import build_services, open_database
from forecourt.payments.domain.payments import PaymentState
from forecourt.reliability.domain.model import PortInterval
from forecourt.reliability.ports import RELIABILITY_STORE
from forecourt.settings import Settings
from tests.payments.conftest import eventually
from tests.payments.test_crash_kill9 import (
    STATION,
    T0,
    Drill,
    captured_exactly_once,
    charge,
    stop,
)
from tests.support.cluster import node_env
from tests.support.harness import OfflineGateway

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres, pytest.mark.slow]


async def port_timeline(database_url: str) -> list[PortInterval]:
    database = open_database(database_url)
    try:
        build_services(database, OfflineGateway(), settings=Settings(database_url=database_url))
        async with database.unit_of_work() as uow:
            store = uow.repository(RELIABILITY_STORE)
            far = T0.replace(year=T0.year + 1)
            return await store.intervals.overlapping(T0.replace(year=T0.year - 1), far, [STATION])
    finally:
        await database.dispose()


def overlaps(intervals: list[PortInterval]) -> list[tuple[PortInterval, PortInterval]]:
    """Pairs of one port's intervals that cover the same time (a minute counted twice)."""
    found = []
    by_port: dict[object, list[PortInterval]] = {}
    for interval in intervals:
        by_port.setdefault(interval.port, []).append(interval)
    for timeline in by_port.values():
        timeline.sort(key=lambda i: i.start)
        for earlier, later in itertools.pairwise(timeline):
            if earlier.end is None or earlier.end > later.start:
                found.append((earlier, later))
    return found


async def test_kill9_of_the_node_holding_a_paid_session_captures_once(
    tmp_path: Path, cluster: dict[str, Any]
) -> None:
    await _paid_failover(tmp_path, cluster, ["node-a", "node-b"])


async def test_three_nodes_one_killed_mid_paid_session_capture_once(
    tmp_path: Path, cluster: dict[str, Any]
) -> None:
    """Three nodes: the hold is taken through A, the session charges through A, A dies, the
    station goes on through C while B is also alive (shared consumers and leases on B or C)."""
    await _paid_failover(tmp_path, cluster, ["node-a", "node-b", "node-c"])


async def _paid_failover(tmp_path: Path, cluster: dict[str, Any], names: list[str]) -> None:
    d = Drill(tmp_path, cluster["database_url"])
    await d.prepare()
    notification = d.hold_card()
    nodes = [await d.start(**node_env(cluster, name)) for name in names]
    a, survivor = nodes[0], nodes[-1]
    try:
        d.server = a
        await d.notify(notification)
        await eventually(lambda: d.payment_in(PaymentState.AUTHORIZED))
        tx_id = await charge(d, None, range(5, 16, 5))  # through node A
        await eventually(lambda: d.payment_in(PaymentState.IN_SESSION))
        a.kill()  # kill -9, mid-session
        d.server = survivor  # the station reconnects to a surviving node
        await charge(d, tx_id, range(20, 31, 5))
        await stop(d, tx_id)
        await captured_exactly_once(d, tx_id)
    finally:
        for node in nodes:
            node.kill()
    timeline = await port_timeline(cluster["database_url"])
    assert timeline  # the monitor (on its lease holder) recorded the port
    assert overlaps(timeline) == []
