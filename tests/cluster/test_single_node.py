"""Without FORECOURT_NATS_URL nothing of the cluster runs: /api/cluster says single-node
mode, /metrics has no cluster gauges, start-up still resets every station (SQLite)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import technician_api
from tests.support.server import running_server

pytestmark = pytest.mark.asyncio


async def test_single_node_mode_shows_no_cluster(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server:
        assert server.forecourt.cluster is None
        async with technician_api(server) as client:
            status = (await client.get("/api/cluster")).json()
        async with httpx.AsyncClient(base_url=server.http_url) as client:
            metrics = (await client.get("/metrics")).text
    assert status == {"mode": "single", "nodes": [], "consumed": []}  # nothing de-duplicated
    assert "forecourt_cluster_" not in metrics
