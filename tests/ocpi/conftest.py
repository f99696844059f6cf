"""OCPI kit: a real server, a spec-written eMSP, simulated stations over real OCPP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import pytest

from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType
from forecourt.domain.stations import Site
from forecourt.ocpi.domain.parties import Party
from forecourt.ocpi.keys import OCPI
from forecourt.ocpi.services.roaming import Roaming
from forecourt.services.core import Services
from forecourt.services.network import ConnectorSpec
from forecourt.simulator import SimulatedStation, StationConfig, dc_dispenser
from tests.ocpi.emsp import Emsp
from tests.support.polling import eventually  # noqa: F401 (the tests import it from here)
from tests.support.server import RunningServer, running_server

T = TypeVar("T")

SIM = {
    "meter_interval_s": 0.2,
    "heartbeat_interval_s": 1.0,
    "think_time_s": 0.02,
    "call_timeout_s": 3.0,
    "boot_retry_s": 0.2,
    "reconnect_delay_s": 0.05,
}


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RunningServer]:
    async with running_server(tmp_path, heartbeat_interval=10, ws_ping_interval=300.0) as running:
        push = roaming(running.forecourt.services).push
        push.retry_s, push.poll_s = 0.1, 0.05
        yield running


def roaming(services: Services) -> Roaming:
    return services.feature(OCPI)


async def add_site(services: Services, site_id: str, station_id: str) -> None:
    """A site with one DC dispenser carrying NACS and CCS1 cables."""
    await services.network.add_site(
        Site(
            site_id,
            f"Forecourt {site_id}",
            "1 Main St, Springfield, IL 62701",
            "America/Chicago",
            39.7817,
            -89.6501,
        )
    )
    await services.network.add_station(station_id, site_id=site_id)
    rating = ConnectorRating.from_limits(PowerType.DC, 1000, 500, 250_000)
    for number, kind in ((1, ConnectorType.NACS), (2, ConnectorType.CCS1)):
        await services.network.set_connector(station_id, ConnectorSpec(1, number, kind, rating))


async def registered(server: RunningServer, emsp: Emsp) -> Party:
    """The eMSP registers with us using the token A we issued (credentials §7.2.1)."""
    credentials = roaming(server.forecourt.services).credentials
    party = await credentials.add_party("Test eMSP")
    await emsp.register_with(f"{server.http_url}/ocpi/versions", party.token_in)
    return await credentials.party(party.id)


@asynccontextmanager
async def simulated(
    server: RunningServer, station_id: str, *, signed_meter: bool = False
) -> AsyncIterator[SimulatedStation]:
    config = StationConfig(
        station_id=station_id,
        protocol="2.0.1",
        url=server.ws_url,
        evses=[dc_dispenser(250_000.0, ("nacs", "ccs1"))],
        signed_meter=signed_meter,
        **SIM,  # type: ignore[arg-type]
    )
    station = SimulatedStation(config)
    await station.start()
    try:
        await station.wait_ready(30)
        yield station
    finally:
        await station.stop(timeout=2.0)
