"""Any car, any plug, as a feature slice: services, API, driver-page slots and CLI."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecourt.compat.keys import COMPAT
from forecourt.extension import CliCommand, Feature, Host, RepositoryFactory
from forecourt.ports.car_power import CAR_POWER
from forecourt.ports.derates import DERATES
from forecourt.ports.driver_cars import DRIVER_CARS
from forecourt.ports.keys import Key
from forecourt.ports.stalls import STALLS

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI

    from forecourt.compat.services.compatibility import Compatibility
    from forecourt.services.core import Services
    from forecourt.settings import Settings
    from forecourt.storage.context import DbContext
    from forecourt.web.scope import Reach


class CompatFeature(Feature["Compatibility"]):
    def repositories(self) -> Mapping[Key[Any], RepositoryFactory]:
        from forecourt.compat.ports import COMPAT_DRIVER_CARS, COMPAT_STALLS

        return {
            COMPAT_STALLS: _stalls,  # the stalls each cable serves (stall fit)
            COMPAT_DRIVER_CARS: _driver_cars,  # each token's "my car"
        }

    def load_tables(self) -> None:
        import forecourt.compat.storage.tables  # noqa: F401

    def build(self, host: Host) -> Compatibility:
        from forecourt.compat.services.compatibility import Compatibility

        # drivers see today's derates (when a feature offers them), not just nameplates
        return Compatibility(host.ctx, derates=host.port(DERATES))

    def ports(self, built: Compatibility) -> Mapping[Key[Any], object]:
        from forecourt.compat.services.car_power import CompatCarPower
        from forecourt.compat.services.parking import CompatStallDirectory

        return {
            CAR_POWER: CompatCarPower(built),  # what a car takes at its SoC (smart charging)
            STALLS: CompatStallDirectory(built.stalls),  # the stalls, for OCPI 2.3.0 Parking
            DRIVER_CARS: built.driver_cars,  # each token's "my car" (reliability's matrix)
        }

    def install_api(self, router: APIRouter, _services: Services) -> None:
        from forecourt.compat.api import driver_cars, routes

        router.include_router(routes.router)  # vehicles, adapters, estimates, recommendations
        router.include_router(driver_cars.router)  # each token's "my car"

    def page_reach(self) -> Mapping[str, Reach]:
        from forecourt.web.scope import Reach

        panel = "/dashboard/compat/stations/{station_id}/stalls"
        return {
            f"GET {panel}": Reach.SITES,
            f"POST {panel}": Reach.SITES,
            f"POST {panel}/{{stall_id}}/remove": Reach.SITES,
        }

    def install_web(self, app: FastAPI, services: Services, _settings: Settings) -> None:
        from forecourt.compat.web import install_compat_pages

        install_compat_pages(app, services)


FEATURE = CompatFeature(
    name="compat",
    key=COMPAT,
    offers=(CAR_POWER, STALLS, DRIVER_CARS),
    commands={
        "compat": CliCommand(
            "forecourt.compat.cli.commands",
            "Any car, any plug: vehicles, adapters, charge-time estimates.",
        ),
    },
    public_api_routes=frozenset(
        {
            "GET /api/vehicles",
            "GET /api/vehicles/{vehicle}",
            "GET /api/adapters",
            "POST /api/compat/estimate",
            "GET /api/compat/estimate.svg",
            "GET /api/sites/{site_id}/recommend",
            "GET /api/sites/{site_id}/stalls",
            "GET /api/sites/{site_id}/stall-fit",
        }
    ),
    migrations=Path(__file__).parent / "storage" / "migrations",
)


def _stalls(db: DbContext) -> object:
    from forecourt.compat.storage.store import SqlStallRepository

    return SqlStallRepository(db)


def _driver_cars(db: DbContext) -> object:
    from forecourt.compat.storage.store import SqlDriverCarRepository

    return SqlDriverCarRepository(db)
