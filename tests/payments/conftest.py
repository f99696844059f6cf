"""Payment end-to-end rig: a real server on 127.0.0.1, simulated stations over real websockets,
the built-in test provider, and helpers to wait for money to settle."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from playwright.async_api import Browser, async_playwright

from forecourt.domain.stations import Site
from forecourt.domain.tokens import TokenRecord
from forecourt.payments.domain.payments import Payment, PaymentState
from forecourt.payments.domain.tariffs import EnergyBand, Tariff, TaxRate
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.ports import PAYMENT_STORE, PaymentFilter, TariffBinding
from forecourt.payments.providers.test_provider import TestProvider
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.simulator import SimulatedStation, StationConfig, VehicleProfile, dc_dispenser
from tests.support.server import RunningServer, running_server
from tests.web.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    browser,  # noqa: F401  # one Chromium for payments' pages too
)

T = TypeVar("T")

PASSWORD = "station-secret-1"
SITE = "SITE-PAY"
RFID = "RFID-PAY-1"
FAST: dict[str, Any] = {
    "meter_interval_s": 0.2,
    "heartbeat_interval_s": 5.0,
    "speed": 60.0,
    "think_time_s": 0.05,
    "call_timeout_s": 3.0,
    "boot_retry_s": 0.2,
    "reconnect_delay_s": 0.05,
}
#: Charges until stopped (the battery is far from full at test speed).
LONG = VehicleProfile("test truck", battery_kwh=500, start_soc=10, target_soc=95)

TARIFF = Tariff(
    code="STD",
    name="Standard",
    currency="USD",
    energy_bands=(EnergyBand(time(0), Decimal("0.45")),),
    session_fee=Decimal("1.00"),
    idle_fee_per_minute=Decimal("0.40"),
    idle_grace_minutes=10,
    taxes=(TaxRate("Sales tax", Decimal("8.25")),),
    hold_amount=Decimal("50.00"),
)


async def eventually(
    check: Callable[[], Awaitable[T | None]],
    timeout: float = 30.0,
    describe: Callable[[], Awaitable[object]] | None = None,
) -> T:
    """Poll ``check`` until it returns something truthy; on timeout, the error carries what
    ``describe`` finds then (the state a rare failure needs explained)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            found = "" if describe is None else f"; found: {await describe()!r}"
            raise AssertionError(f"condition not met within {timeout} s (last: {value!r}){found}")
        await asyncio.sleep(0.05)


async def payments_in(services: Services, *states: PaymentState) -> list[Payment]:
    async with services.ctx.uow() as uow:
        return await uow.repository(PAYMENT_STORE).list(PaymentFilter(states=states))


async def payment_in_state(services: Services, state: PaymentState) -> Payment | None:
    found = await payments_in(services, state)
    return found[0] if found else None


async def prepare_network(services: Services, *station_ids: str) -> None:
    """A site, stations with a password, the standard tariff for all, an RFID card."""
    await services.network.add_site(Site(SITE, "Pay & Charge Plaza", "1 Main St"))
    for station_id in station_ids:
        await services.network.add_station(station_id, password=PASSWORD, site_id=SITE)
    await services.feature(PAYMENTS).tariffs.publish(TARIFF)
    await services.feature(PAYMENTS).tariffs.bind(TariffBinding("STD"))
    await services.network.add_token(TokenRecord(RFID, group="FLEET-A"))


def station_config(server: RunningServer, station_id: str, protocol: str) -> StationConfig:
    return StationConfig(
        station_id=station_id,
        protocol=protocol,  # type: ignore[arg-type]
        url=server.ws_url,
        password=PASSWORD,
        evses=[dc_dispenser(), dc_dispenser()],
        id_tags=[RFID],
        **FAST,
    )


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RunningServer]:
    settings = {
        "call_timeout": 3.0,
        "payments_sweep_interval": 0.3,
        "payments_running_cost_interval": 0.5,
        "test_provider_state_file": tmp_path / "provider.json",
    }
    async with running_server(tmp_path, **settings) as running:
        await prepare_network(running.forecourt.services, "PAY-16", "PAY-201")
        yield running


@pytest.fixture
async def operator_http(server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    """A client with an operator's API key."""
    key = (await server.forecourt.services.api_keys.create("ops", Role.OPERATOR))[0]
    auth = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=server.http_url, headers=auth, timeout=60) as client:
        yield client


@pytest.fixture
async def http(server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.http_url, timeout=60) as client:
        yield client


def provider_of(server: RunningServer) -> TestProvider:
    provider = server.forecourt.services.feature(PAYMENTS).provider
    assert isinstance(provider, TestProvider)
    return provider


@pytest.fixture
async def station16(server: RunningServer) -> AsyncIterator[SimulatedStation]:
    async with SimulatedStation(station_config(server, "PAY-16", "1.6")) as station:
        await station.wait_ready(timeout=30)
        yield station


@pytest.fixture
async def station201(server: RunningServer) -> AsyncIterator[SimulatedStation]:
    async with SimulatedStation(station_config(server, "PAY-201", "2.0.1")) as station:
        await station.wait_ready(timeout=30)
        yield station


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    """A Chromium of the test's own (``browser`` is shared by session-loop tests)."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()
