"""End-to-end fixtures: a real server on 127.0.0.1 and stations connecting over real websockets."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from forecourt.domain.tokens import TokenRecord
from forecourt.simulator import SimulatedStation, StationConfig
from tests.support.server import RunningServer, running_server

STATION = "CP-E2E-1"
PASSWORD = "s3cret-station-password"
TAG = "RFID-0001"


def basic_auth(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@asynccontextmanager
async def technician_api(
    server: RunningServer, timeout: float = 10.0
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the server's API with a fresh technician key."""
    key, _ = await server.forecourt.services.api_keys.create("technician")
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        base_url=server.http_url, headers=headers, timeout=timeout
    ) as client:
        yield client


@asynccontextmanager
async def simulated_station(
    server: RunningServer, protocol: str, *, seed: int, station_id: str = STATION, **settings: Any
) -> AsyncIterator[SimulatedStation]:
    """A simulated station (with the e2e password) connected and booted, stopped after."""
    config = StationConfig(
        station_id=station_id,
        protocol=protocol,  # type: ignore[arg-type]
        url=server.ws_url,
        password=PASSWORD,
        **settings,
    )
    station = SimulatedStation(config, seed=seed)
    await station.start()
    try:
        await station.wait_ready(30)
        yield station
    finally:
        await station.stop()


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RunningServer]:
    async with running_server(tmp_path, call_timeout=3.0) as running:
        services = running.forecourt.services
        await services.network.add_station(STATION, password=PASSWORD)
        await services.network.add_token(TokenRecord(TAG))
        yield running
