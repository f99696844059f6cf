"""OCPI pushes in cluster mode: two nodes on one PostgreSQL database and the machine's NATS
share one push queue. Selecting due jobs does not claim them, so the sender is a leased
singleton ("ocpi.push"): both nodes asked to send at the same instant send each job once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from forecourt.ocpi.ports import OCPI_STORE, PushJob
from forecourt.ocpi.services.status_push import PUSH_LEASE
from tests.ocpi.conftest import registered, roaming
from tests.ocpi.emsp import running_emsp
from tests.support.cluster import two_nodes
from tests.support.server import RunningServer
from tests.support.waiting import until

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres, pytest.mark.slow]

JOBS = 20


async def waiting(node: RunningServer) -> int:
    async with node.forecourt.services.ctx.uow() as uow:
        counts = await uow.repository(OCPI_STORE).job_counts()
    return sum(counts.values())


async def test_two_nodes_send_each_queued_push_exactly_once(
    tmp_path: Path, cluster: dict[str, Any]
) -> None:
    async with running_emsp(["2.2.1"]) as emsp, two_nodes(tmp_path, cluster) as (a, b):
        party = await registered(a, emsp)
        due = datetime.now(UTC) - timedelta(seconds=1)
        stamp = due.strftime("%Y-%m-%dT%H:%M:%SZ")
        async with a.forecourt.services.ctx.uow() as uow:
            store = uow.repository(OCPI_STORE)
            for n in range(JOBS):
                body = {"status": "AVAILABLE", "last_updated": stamp}
                path = f"/US/FCT/LOC-{n}/EVSE-{n}"
                await store.enqueue(PushJob(party.id, "PATCH", "locations", path, body, due))
            await uow.commit()
        nodes = (a, b)
        # both nodes look at the same due jobs at the same instant (their loops may, too)
        await asyncio.gather(*(roaming(n.forecourt.services).push.send_due() for n in nodes))
        deadline = asyncio.get_running_loop().time() + 60
        while await waiting(a):
            assert asyncio.get_running_loop().time() < deadline, "jobs still queued"
            await asyncio.sleep(0.1)
        await until(lambda: len(emsp.pushes) >= JOBS, timeout=30)
        holders = [await n.forecourt.services.ctx.leases(PUSH_LEASE).held() for n in nodes]
    paths = sorted(path for _, path, _ in emsp.pushes)
    # every job sent, none twice
    assert paths == sorted(f"US/FCT/LOC-{n}/EVSE-{n}" for n in range(JOBS))
    assert sorted(holders) == [False, True]  # one node holds the sender's lease
