"""The firmware slice under test: real services on SQLite, stations that answer from a script
(our own gateway port), the driver's ``tick(now)`` called with chosen times."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from forecourt.bootstrap import build_services, open_database
from forecourt.bus.inprocess import InProcessBus
from forecourt.domain.maintenance import FirmwareReport, FirmwareState
from forecourt.domain.stations import BootInfo, Site
from forecourt.firmware.keys import FIRMWARE
from forecourt.firmware.services import Firmware
from forecourt.firmware.services.config import FirmwareConfig
from forecourt.services.core import Services
from forecourt.services.maintenance import MaintenanceConfig
from tests.api.fakes import ScriptedGateway
from tests.support.harness import SteppingClock

START = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@dataclass
class FirmwareRig:
    services: Services
    gateway: ScriptedGateway
    clock: SteppingClock
    bus: InProcessBus

    @property
    def firmware(self) -> Firmware:
        return self.services.feature(FIRMWARE)

    async def station(
        self, station_id: str, model: str = "M1", version: str = "1.0", site: str | None = None
    ) -> None:
        await self.services.network.add_station(station_id, site_id=site)
        await self.services.core.provisioning.boot(
            station_id, BootInfo("ACME", model, firmware_version=version)
        )
        self.gateway.connected.add(station_id)

    async def report(self, station_id: str, state: FirmwareState) -> None:
        """The station's FirmwareStatusNotification, as the core records it."""
        await self.services.core.maintenance.firmware_status(station_id, FirmwareReport(state))
        await self.bus.drain()

    async def tick(self, seconds: float = 0) -> None:
        self.clock.advance(seconds)
        await self.firmware.driver.tick(self.clock.now())
        await self.bus.drain()

    async def site(self, site_id: str, timezone: str) -> None:
        await self.services.network.add_site(Site(site_id, site_id, timezone=timezone))


@pytest.fixture
async def fw(tmp_path: Path) -> AsyncIterator[FirmwareRig]:
    database = open_database(f"sqlite:///{tmp_path / 'forecourt.db'}")
    await database.migrate()
    gateway, clock, bus = ScriptedGateway(), SteppingClock(START), InProcessBus()
    services = build_services(database, gateway, clock=clock, bus=bus)
    services.core.maintenance.config = MaintenanceConfig(data_dir=tmp_path / "data")
    firmware = services.feature(FIRMWARE)
    firmware.images.config = FirmwareConfig(secret="s" * 32, data_dir=tmp_path / "data")
    unsubscribe = bus.subscribe("firmware.status", firmware.driver.on_firmware_status)
    yield FirmwareRig(services, gateway, clock, bus)
    unsubscribe()
    await database.dispose()
