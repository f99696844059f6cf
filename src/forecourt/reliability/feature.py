"""Reliability as a feature slice: what it adds to storage, services, API, pages and CLI."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecourt.extension import CliCommand, Feature, Host, RepositoryFactory
from forecourt.ports.derates import DERATES
from forecourt.ports.driver_cars import DRIVER_CARS
from forecourt.ports.faults import FAULTS
from forecourt.ports.keys import Key
from forecourt.reliability.keys import RELIABILITY

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI

    from forecourt.reliability.services import Reliability
    from forecourt.services.core import Services
    from forecourt.settings import Settings
    from forecourt.storage.context import DbContext
    from forecourt.web.scope import Reach

_CLI = "forecourt.reliability.cli.commands"


class ReliabilityFeature(Feature["Reliability"]):
    def repositories(self) -> Mapping[Key[Any], RepositoryFactory]:
        from forecourt.reliability.ports import RELIABILITY_STORE

        return {RELIABILITY_STORE: _store}

    def load_tables(self) -> None:
        import forecourt.reliability.storage.tables  # noqa: F401

    def build(self, host: Host) -> Reliability:
        from forecourt.notifications.webhook_smtp import HttpSmtpTransport
        from forecourt.reliability.services import Reliability

        # a driver's "my car" from compat, when installed; looked up when used: compat asks
        # this feature for derates while it is built, so asking for it here would loop
        return Reliability(
            host.ctx, host.remote, HttpSmtpTransport(), lambda: host.port(DRIVER_CARS)
        )

    def ports(self, built: Reliability) -> Mapping[Key[Any], object]:
        from forecourt.reliability.services.derates import ReliabilityDerates
        from forecourt.reliability.services.faults import ReliabilityFaultBoard

        return {
            # drivers see today's derates, not just nameplate ratings
            DERATES: ReliabilityDerates(built.monitor),
            # the overview lists active faults and counts open tickets
            FAULTS: ReliabilityFaultBoard(built.tickets),
        }

    async def start(self, built: Reliability) -> None:
        await built.start()

    async def stop(self, built: Reliability) -> None:
        await built.stop()

    def install_api(self, router: APIRouter, _services: Services) -> None:
        from forecourt.reliability.api import routes

        router.include_router(routes.router)  # uptime, faults, tickets, NEVI export
        router.include_router(routes.public_router)  # honest status (no API key)

    def page_reach(self) -> Mapping[str, Reach]:
        from forecourt.web.scope import Reach

        return {
            "GET /dashboard/reliability": Reach.SITES,
            "GET /dashboard/reliability/tickets/{ticket_id}": Reach.SITES,
            "POST /dashboard/reliability/tickets/{ticket_id}/transition": Reach.SITES,
            "GET /dashboard/reliability/stations/{station_id}/panel": Reach.SITES,
        }

    def install_web(self, app: FastAPI, _services: Services, _settings: Settings) -> None:
        from forecourt.reliability.web import install_reliability_pages

        install_reliability_pages(app)


FEATURE = ReliabilityFeature(
    name="reliability",
    key=RELIABILITY,
    commands={
        "reports": CliCommand(_CLI, "Regulatory reports (NEVI quarterly data)."),
        "uptime": CliCommand(_CLI, "Port uptime (NEVI), outages, excluded causes."),
        "kpis": CliCommand(_CLI, "Session-reliability KPIs and interoperability."),
        "faults": CliCommand(_CLI, "Faults the detectors found; their thresholds."),
        "tickets": CliCommand(_CLI, "Maintenance tickets and alert routes."),
        "reliability": CliCommand(
            _CLI, "California (CEC) uptime; which car it was (vehicle identification)."
        ),
    },
    public_api_routes=frozenset({"GET /api/public/sites/{site_id}/status"}),
    migrations=Path(__file__).parent / "storage" / "migrations",
    offers=(DERATES, FAULTS),
)


def _store(db: DbContext) -> object:
    from forecourt.reliability.storage.store import SqlReliabilityRepository

    return SqlReliabilityRepository(db)
