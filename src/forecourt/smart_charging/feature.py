"""Smart charging as a feature slice: site limits, fair sharing, verification (ADR 0009)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecourt.extension import CliCommand, Feature, Host, RepositoryFactory
from forecourt.ports.keys import Key
from forecourt.smart_charging.keys import SMART_CHARGING

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI

    from forecourt.services.core import Services
    from forecourt.settings import Settings
    from forecourt.smart_charging.services.load_manager import LoadManager
    from forecourt.storage.context import DbContext
    from forecourt.web.scope import Reach

MIGRATIONS = Path(__file__).parent / "storage" / "migrations"  # its Alembic branch


class SmartChargingFeature(Feature["LoadManager"]):
    def repositories(self) -> Mapping[Key[Any], RepositoryFactory]:
        from forecourt.smart_charging.ports import SMART_CHARGING_STORE

        return {SMART_CHARGING_STORE: _store}

    def load_tables(self) -> None:
        import forecourt.smart_charging.storage.tables  # noqa: F401

    def build(self, host: Host) -> LoadManager:
        from forecourt.ports.car_power import CAR_POWER
        from forecourt.smart_charging.services.load_manager import LoadManager

        # what a car can take at its SoC comes from compat, when installed (a port, no import)
        return LoadManager(host.ctx, host.remote, host.port(CAR_POWER))

    async def start(self, built: LoadManager) -> None:
        await built.start()  # rebalances on sessions, connectivity and meter values

    async def stop(self, built: LoadManager) -> None:
        await built.stop()

    def install_api(self, router: APIRouter, _services: Services) -> None:
        from forecourt.smart_charging.api import routes

        router.include_router(routes.router)

    def page_reach(self) -> Mapping[str, Reach]:
        from forecourt.web.scope import Reach

        return {
            "GET /dashboard/load": Reach.SITES,
            "GET /dashboard/sites/{site_id}/load": Reach.SITES,
        }

    def install_web(self, app: FastAPI, services: Services, _settings: Settings) -> None:
        from forecourt.smart_charging.web import install_load_pages

        install_load_pages(app, services)


FEATURE = SmartChargingFeature(
    name="smart_charging",
    key=SMART_CHARGING,
    migrations=MIGRATIONS,
    commands={
        "load": CliCommand(
            "forecourt.smart_charging.cli.commands",
            "Site load management: grid limits, signals, EVSE bounds, allocations.",
        ),
    },
)


def _store(db: DbContext) -> object:
    from forecourt.smart_charging.storage.repository import SqlSmartChargingRepository

    return SqlSmartChargingRepository(db)
