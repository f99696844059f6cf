"""Reliability test kit: a fast real server, simulated stations with fault knobs, and waits.

Time is accelerated, not faked: the simulator charges at ``speed`` × real time and every
threshold that would normally be minutes is set to fractions of a second (``FAST``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType
from forecourt.domain.stations import Site
from forecourt.domain.tokens import TokenKind, TokenRecord
from forecourt.reliability.domain.model import FaultKind
from forecourt.reliability.domain.tickets import Ticket
from forecourt.reliability.keys import RELIABILITY
from forecourt.reliability.ports import TicketFilter
from forecourt.services.core import Services
from forecourt.services.network import ConnectorSpec
from forecourt.simulator import (
    EvseConfig,
    SimulatedStation,
    StationConfig,
    VehicleProfile,
    dc_dispenser,
)
from tests.storage.conftest import (  # noqa: F401  (storage contract: SQLite and PostgreSQL)
    database,
    database_url,
    postgres_url,
    sqlite_template,
)
from tests.support.polling import eventually
from tests.support.server import RunningServer, running_server

T = TypeVar("T")

SITE = "SITE-1"
CARD = "CARD-0001"
CARD_2 = "CARD-0002"
APP = "APP-0001"
APP_2 = "APP-0002"
#: A big, slow-tapering battery: sessions charge at full power for as long as a test needs.
TRUCK = VehicleProfile("test truck", battery_kwh=200, start_soc=10, target_soc=95)

#: Detector thresholds in test time (seconds, not hours).
FAST: dict[str, Any] = {
    "tick_s": 0.05,
    "short_session_s": 0.0,
    "offline_after_s": 0.5,
    "heartbeat_gap_factor": 1000.0,  # the server hands out >= 10 s heartbeats: never a gap
    "command_window_s": 30.0,
    "reconnect_window_s": 30.0,
    "reconnects": 4,
    "silence_min_sessions": 3,
    "silence_min_s": 0.5,
    "derate_min_samples": 3,
    "remediation_interval_s": 3600.0,
    # The simulator delivers `speed` × more energy per wall-clock second than physics allows:
    # the energy-plausibility check would (rightly) flag every accelerated session.
    "implausible_power_ratio": 1000.0,
}

SIM: dict[str, Any] = {
    "meter_interval_s": 0.1,
    "heartbeat_interval_s": 1.0,
    "speed": 120.0,
    "think_time_s": 0.02,
    "call_timeout_s": 2.0,
    "boot_retry_s": 0.2,
    "reconnect_delay_s": 0.05,
    "reboot_delay_s": 0.05,
    "id_tags": [CARD],
}


@pytest.fixture(params=["1.6", "2.0.1"])
def protocol(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RunningServer]:
    async with running_server(
        tmp_path, call_timeout=3.0, heartbeat_interval=10, ws_ping_interval=300.0
    ) as running:
        services = running.forecourt.services
        await services.feature(RELIABILITY).config.set_thresholds(None, FAST)
        await services.network.add_site(Site(SITE, "Test forecourt", timezone="UTC"))
        for token, kind in (
            (CARD, TokenKind.RFID),
            (CARD_2, TokenKind.RFID),
            (APP, TokenKind.CENTRAL),
            (APP_2, TokenKind.CENTRAL),
        ):
            await services.network.add_token(TokenRecord(token, kind))
        yield running


async def add_dc_station(
    services: Services, station_id: str, evses: int = 1, power_w: float = 150_000.0
) -> None:
    await services.network.add_station(station_id, site_id=SITE)
    rating = ConnectorRating.from_limits(PowerType.DC, 1000, 500, power_w)
    for evse_id in range(1, evses + 1):
        await services.network.set_connector(
            station_id, ConnectorSpec(evse_id, 1, ConnectorType.CCS1, rating)
        )


@asynccontextmanager
async def simulated(
    server: RunningServer,
    station_id: str,
    protocol: str = "1.6",
    evses: list[EvseConfig] | None = None,
    **overrides: Any,
) -> AsyncIterator[SimulatedStation]:
    config = StationConfig(
        station_id=station_id,
        protocol=protocol,  # type: ignore[arg-type]
        url=server.ws_url,
        evses=evses or [dc_dispenser(150_000.0, ("ccs1",))],
        **{**SIM, **overrides},
    )
    station = SimulatedStation(config)
    await station.start()
    try:
        await station.wait_ready(30)
        yield station
    finally:
        await station.stop(timeout=2.0)


# Consecutive sessions on one EVSE alternate tokens (CARD/CARD_2, APP/APP_2): the core keys a
# start by (station, EVSE, connector, second, token), so two accelerated sessions by one token
# starting within the same second would collide (see the reliability report to the lead).


async def charge(
    station: SimulatedStation,
    evse_id: int = 1,
    seconds: float = 0.6,
    token: str = CARD,
    **kwargs: Any,
) -> None:
    """One session: plug in, charge for ``seconds`` of real time, stop, wait for delivery."""
    session = station.start_session(
        evse_id, id_token=token, vehicle=kwargs.pop("vehicle", TRUCK), **kwargs
    )
    assert session is not None, "the EVSE did not take the session"
    try:
        await session.wait_charging(30)
        await asyncio.sleep(seconds)
    except TimeoutError:
        pass  # a faulty EVSE may never start charging: the session ends on its own
    if not session.ended.is_set():
        await station.stop_session(evse_id, timeout=30)
    await session.wait_ended(30)
    await station.uplink.wait_outbox_empty(30)


async def tickets_of(services: Services, station_id: str) -> list[Ticket]:
    await services.feature(RELIABILITY).settle()
    found, _ = await services.feature(RELIABILITY).tickets.list(TicketFilter(station_id=station_id))
    return found


async def wait_ticket(
    services: Services, station_id: str, kind: FaultKind, timeout: float = 30.0
) -> Ticket:
    async def check() -> Ticket | None:
        return next(
            (t for t in await tickets_of(services, station_id) if kind.value in t.kinds), None
        )

    return await eventually(check, timeout)


async def remote_charge(
    services: Services, station: SimulatedStation, token: str = APP, seconds: float = 0.6
) -> None:
    """A session started from the app (RemoteStart / RequestStartTransaction)."""
    from forecourt.domain.commands import CommandStatus, RemoteStart

    record = await services.remote.send(
        station.config.station_id, RemoteStart(token, evse_id=1), requested_by="test"
    )
    assert record.status is CommandStatus.ACCEPTED, record

    async def session_running() -> bool:
        session = station.evse(1).session
        return session is not None and session.charging.is_set()

    await eventually(session_running)
    await asyncio.sleep(seconds)
    await station.stop_session(1, timeout=30)
    await station.uplink.wait_outbox_empty(30)
