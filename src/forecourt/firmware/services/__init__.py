"""The firmware slice's services: images, campaigns and the driver that runs them."""

from __future__ import annotations

from forecourt.firmware.services.campaigns import Campaigns
from forecourt.firmware.services.config import FirmwareConfig
from forecourt.firmware.services.driver import CampaignDriver
from forecourt.firmware.services.images import ImageLibrary
from forecourt.services.context import ServiceContext
from forecourt.services.maintenance import Maintenance


class Firmware:
    def __init__(
        self, ctx: ServiceContext, maintenance: Maintenance, config: FirmwareConfig
    ) -> None:
        self.maintenance = maintenance  # the core's block: single updates and log uploads
        self.images = ImageLibrary(ctx, config)
        self.campaigns = Campaigns(ctx)
        self.driver = CampaignDriver(ctx, maintenance, self.images)

    async def start(self) -> None:
        await self.driver.start()

    async def stop(self) -> None:
        await self.driver.stop()
