"""Smart-charging kit: a real server with the slice, simulated 1.6, 2.0.1 and 2.1 stations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType
from forecourt.domain.stations import Site
from forecourt.domain.tokens import TokenKind, TokenRecord
from forecourt.services.core import Services
from forecourt.services.network import ConnectorSpec
from forecourt.simulator import SimulatedStation, StationConfig, VehicleProfile, dc_dispenser
from forecourt.smart_charging.keys import SMART_CHARGING
from forecourt.smart_charging.services.load_manager import LoadManager
from tests.support.polling import eventually  # noqa: F401 (the tests import it from here)
from tests.support.server import RunningServer, running_server

T = TypeVar("T")

SITE = "SITE-SC"
TOKENS = [f"CARD-{n}" for n in range(1, 7)]
#: A big battery far from its taper: it takes all it is given for as long as a test runs.
TRUCK = VehicleProfile("test truck", battery_kwh=400, start_soc=10, target_soc=95)
SIM: dict[str, Any] = {
    "meter_interval_s": 0.1,
    "heartbeat_interval_s": 1.0,
    "speed": 60.0,
    "think_time_s": 0.02,
    "call_timeout_s": 3.0,
    "boot_retry_s": 0.2,
    "reconnect_delay_s": 0.05,
    "reboot_delay_s": 0.05,
    "id_tags": TOKENS,
}


@asynccontextmanager
async def depot(tmp_path: Path) -> AsyncIterator[RunningServer]:
    """A real server with site SITE and the tokens, tuned for accelerated simulators."""
    async with running_server(
        tmp_path, call_timeout=3.0, heartbeat_interval=10, ws_ping_interval=300.0
    ) as running:
        services = running.forecourt.services
        await services.network.add_site(Site(SITE, "Depot", timezone="UTC"))
        for token in TOKENS:
            await services.network.add_token(TokenRecord(token, TokenKind.RFID))
        manager(services).retry_s = 0.2
        manager(services).settle_s = 0.5  # the simulated cars ramp up in 0.33 s
        manager(services).meter_gap_s = 0.2
        yield running


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RunningServer]:
    async with depot(tmp_path) as running:
        yield running


def manager(services: Services) -> LoadManager:
    return services.feature(SMART_CHARGING)


async def add_dc_station(services: Services, station_id: str, evses: int = 1) -> None:
    await services.network.add_station(station_id, site_id=SITE)
    rating = ConnectorRating.from_limits(PowerType.DC, 1000, 500, 150_000)
    for evse_id in range(1, evses + 1):
        await services.network.set_connector(
            station_id, ConnectorSpec(evse_id, 1, ConnectorType.CCS1, rating)
        )


@asynccontextmanager
async def simulated(
    server: RunningServer, station_id: str, protocol: str, evses: int = 1
) -> AsyncIterator[SimulatedStation]:
    config = StationConfig(
        station_id=station_id,
        protocol=protocol,  # type: ignore[arg-type]
        url=server.ws_url,
        evses=[dc_dispenser(150_000.0, ("ccs1",)) for _ in range(evses)],
        **SIM,
    )
    station = SimulatedStation(config)
    await station.start()
    try:
        await station.wait_ready(30)
        yield station
    finally:
        await station.stop(timeout=2.0)


async def plug_in(station: SimulatedStation, evse_id: int, token: str) -> None:
    session = station.start_session(evse_id, id_token=token, vehicle=TRUCK)
    assert session is not None, "the EVSE did not take the session"
    await session.wait_charging(30)


def delivered_w(*stations: SimulatedStation) -> float:
    """What the simulated cars draw right now, summed (the ground truth of site power)."""
    return sum(
        evse.session.charge.reading.delivered_w
        for station in stations
        for evse in station.evses
        if evse.session is not None and evse.session.charge.reading is not None
    )


from tests.web.conftest import browser  # noqa: E402, F401  # one Chromium for the site page too
