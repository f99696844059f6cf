"""Fixtures: a real websocket CSMS built with the ``ocpp`` package on 127.0.0.1, and fast
simulated stations (short intervals, time acceleration) that are stopped after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from forecourt.simulator import ProtocolVersion, SimulatedStation, StationConfig
from forecourt.simulator.config import PROTOCOL_VERSIONS
from tests.simulator.kit import FAST, StationFactory
from tests.simulator.simcsms import CsmsServer


@pytest.fixture
async def csms() -> AsyncIterator[CsmsServer]:
    async with CsmsServer() as server:
        yield server
        # Every test doubles as a conformance check of what the simulator put on the wire.
        assert server.schema_errors() == []


@pytest.fixture
async def make_station(csms: CsmsServer) -> AsyncIterator[StationFactory]:
    stations: list[SimulatedStation] = []

    def factory(
        protocol: ProtocolVersion = "1.6", station_id: str | None = None, **overrides: Any
    ) -> SimulatedStation:
        settings = {**FAST, **overrides}
        station_id = station_id or f"SIM-{protocol.replace('.', '')}-{len(stations) + 1}"
        config = StationConfig(station_id=station_id, protocol=protocol, url=csms.url, **settings)
        station = SimulatedStation(config)
        stations.append(station)
        return station

    yield factory
    for station in stations:
        await station.stop(timeout=1.0)


@pytest.fixture(params=PROTOCOL_VERSIONS)
def protocol(request: pytest.FixtureRequest) -> ProtocolVersion:
    return next(version for version in PROTOCOL_VERSIONS if version == request.param)
