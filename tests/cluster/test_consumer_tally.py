"""Operators see what the durable consumers de-duplicate (ADR 0012): per consumer, the events
it handled (the ``consumed_events`` table, every node), the redeliveries it skipped, and the
last event's time, in `GET /api/cluster`, `forecourt cluster status`, the Cluster page and
/metrics. A served node on PostgreSQL and the machine's NATS; the redelivery is the booted
event's id published to the stream again under another message id (as after a crash between
a consumer's effect and its acknowledgement)."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from forecourt.bus.jetstream import encode
from forecourt.domain.events import DomainEvent
from forecourt.services.access import Role
from tests.cluster.test_cluster_events import SHARED, cli_status, consumers
from tests.cluster.test_cross_node import STATION, provision, station_on, until
from tests.e2e.conftest import technician_api
from tests.support.cluster import cluster_node
from tests.support.server import RunningServer

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres]

PASSWORD = "a long enough password"


async def handled_ids(node: RunningServer, consumer: str) -> list[str]:
    async with node.forecourt.database.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT event_id FROM consumed_events WHERE consumer = :c"), {"c": consumer}
        )
        return [str(row[0]) for row in rows]


async def redeliver(node: RunningServer, topic: str, event_id: str) -> None:
    cluster = node.forecourt.cluster
    assert cluster is not None
    event = DomainEvent(topic, STATION, datetime.now(UTC), {}, id=event_id)
    config = cluster.link.config
    await cluster.link.client.jetstream().publish(
        f"{config.subject('events')}.{topic}",
        encode(event),
        stream=config.bucket("EVENTS"),
        headers={"Nats-Msg-Id": f"{event_id}-again"},  # past the stream's duplicate check
    )


async def cluster_page(node: RunningServer) -> str:
    """The Cluster page as a signed-in viewer sees it."""
    await node.forecourt.services.users.create("watcher", PASSWORD, Role.VIEWER)
    async with httpx.AsyncClient(base_url=node.http_url) as client:
        login = await client.get("/login")
        found = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert found is not None, login.text
        form = {"username": "watcher", "password": PASSWORD, "csrf_token": found.group(1)}
        assert (await client.post("/login", data=form)).status_code == 303
        return (await client.get("/dashboard/cluster")).text


async def test_consumed_events_and_skipped_duplicates_per_consumer(
    tmp_path: Path, cluster: dict[str, Any]
) -> None:
    async with cluster_node(tmp_path, "node-a", **cluster) as node:
        await provision(node)
        station = station_on(node)
        await station.start()
        try:
            await station.wait_ready(30)
            await until(lambda: consumers(node)[SHARED].handled >= 1, timeout=15)
        finally:
            await station.stop()
        (booted,) = await handled_ids(node, SHARED)
        await redeliver(node, "station.booted", booted)
        await until(lambda: consumers(node)[SHARED].skipped == 1, timeout=15)
        await asyncio.sleep(1.0)  # room for a second effect, if there were one
        assert consumers(node)[SHARED].handled == 1  # the redelivery had no effect

        async with technician_api(node) as client:
            status = (await client.get("/api/cluster")).json()
        async with httpx.AsyncClient(base_url=node.http_url) as client:
            metrics = (await client.get("/metrics")).text
        key, _ = await node.forecourt.services.api_keys.create("viewer")
        printed = await asyncio.to_thread(cli_status, node, key)
        page = await cluster_page(node)

    consumed = {c["consumer"]: c for c in status["consumed"]}
    assert consumed[SHARED]["events"] == 1
    assert consumed[SHARED]["skipped_here"] == 1
    assert datetime.fromisoformat(consumed[SHARED]["last_event_at"]) <= datetime.now(UTC)
    assert {c["name"]: c["skipped"] for c in status["consumers"]}[SHARED] == 1
    labels = f'consumer="{SHARED}",delivery="shared"'
    assert f"forecourt_cluster_consumer_skipped_events_total{{{labels}}} 1.0" in metrics
    assert f"forecourt_cluster_consumer_handled_events_total{{{labels}}} 1.0" in metrics
    assert printed.returncode == 0, printed.stderr
    assert "Events consumed (all nodes, last 7 days)" in printed.stdout
    shown = f'data-consumed="{SHARED}" data-events="1" data-skipped="1"'
    assert shown in page, page  # the Cluster page's "Events consumed" panel
    tally = printed.stdout.split("Events consumed (all nodes, last 7 days)")[1]
    (row,) = [line.split("│") for line in tally.splitlines() if SHARED in line]
    assert [cell.strip() for cell in row[2:4]] == ["1", "1"], tally  # events, skipped here
