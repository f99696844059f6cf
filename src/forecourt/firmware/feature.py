"""Firmware campaigns as a feature slice (ADR 0010: the UpdateFirmware block is core).

It adds images and campaigns (storage, services, API, pages, CLI) and a campaign driver that
runs in the serving process. The core's firmware-status events tell it how each station is
doing.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecourt.extension import CliCommand, Feature, Host, RepositoryFactory
from forecourt.firmware.keys import FIRMWARE
from forecourt.ports.keys import Key

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI

    from forecourt.firmware.services import Firmware
    from forecourt.firmware.services.config import FirmwareConfig
    from forecourt.services.core import Services
    from forecourt.settings import Settings
    from forecourt.storage.context import DbContext
    from forecourt.web.scope import Reach

_CLI = "forecourt.firmware.cli.commands"


class FirmwareFeature(Feature["Firmware"]):
    def repositories(self) -> Mapping[Key[Any], RepositoryFactory]:
        from forecourt.firmware.ports import FIRMWARE_STORE

        return {FIRMWARE_STORE: _store}

    def load_tables(self) -> None:
        import forecourt.firmware.storage.tables  # noqa: F401

    def build(self, host: Host) -> Firmware:
        from forecourt.firmware.services import Firmware

        return Firmware(host.ctx, host.services.core.maintenance, firmware_config(host.settings))

    async def start(self, built: Firmware) -> None:
        await built.start()

    async def stop(self, built: Firmware) -> None:
        await built.stop()

    def install_api(self, router: APIRouter, _services: Services) -> None:
        from forecourt.firmware.api import routes

        router.include_router(routes.router)
        router.include_router(routes.download_router)  # signed URL, no key

    def page_reach(self) -> Mapping[str, Reach]:
        from forecourt.web.scope import Reach

        return {
            "GET /dashboard/firmware": Reach.NETWORK,
            "GET /dashboard/firmware/{campaign_id}": Reach.NETWORK,
            "POST /dashboard/firmware/{campaign_id}/{action}": Reach.NETWORK,
            "GET /dashboard/firmware/stations/{station_id}/panel": Reach.SITES,
            "POST /dashboard/firmware/stations/{station_id}/logs": Reach.SITES,
            "POST /dashboard/firmware/stations/{station_id}/publish": Reach.SITES,
            "POST /dashboard/firmware/stations/{station_id}/unpublish": Reach.SITES,
            "GET /dashboard/firmware/logs/{upload_id}/file": Reach.SITES,
        }

    def install_web(self, app: FastAPI, _services: Services, _settings: Settings) -> None:
        from forecourt.firmware.web import install_firmware_pages

        install_firmware_pages(app)


def firmware_config(settings: Settings | None) -> FirmwareConfig:
    """From the settings; without them (a test building services), a per-process secret."""
    from forecourt.firmware.services.config import FirmwareConfig

    if settings is None:
        return FirmwareConfig(secret=secrets.token_hex(32))
    return FirmwareConfig(
        secret=settings.secret_key,
        public_url=settings.maintenance_public_url or f"http://{settings.host}:{settings.port}",
        data_dir=settings.data_dir,
        max_image_bytes=settings.max_firmware_image_bytes,
        url_ttl_s=settings.firmware_url_ttl,
        tick_interval_s=settings.firmware_campaign_interval,
    )


FEATURE = FirmwareFeature(
    name="firmware",
    key=FIRMWARE,
    commands={
        "firmware": CliCommand(_CLI, "Firmware images, updates and rollout campaigns."),
        "logs": CliCommand(_CLI, "Diagnostics and security logs stations upload."),
    },
    public_api_routes=frozenset({"GET /api/firmware/images/{image_id}/download"}),
    migrations=Path(__file__).parent / "storage" / "migrations",
)


def _store(db: DbContext) -> object:
    from forecourt.firmware.storage.store import SqlFirmwareRepository

    return SqlFirmwareRepository(db)
