"""The overview's faults come through a port (``ports.faults``): without a feature that
offers it the page still works and shows only what the stations themselves report."""

from __future__ import annotations

from pathlib import Path

from forecourt.bootstrap import build_services
from forecourt.bus.inprocess import InProcessBus
from forecourt.domain.connectors import ConnectorType
from forecourt.domain.stations import Site
from forecourt.ports.faults import FAULTS
from forecourt.services.access import Role
from forecourt.services.network import ConnectorSpec
from forecourt.services.users import UserAccess
from forecourt.settings import Settings
from forecourt.storage.database import Database
from forecourt.web.auth import SignedIn
from forecourt.web.context import WebContext
from forecourt.web.routes.overview import load_overview
from tests.support.harness import OfflineGateway, SteppingClock


async def test_without_a_feature_offering_faults_the_overview_has_no_faults_nor_tickets(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'core.db'}"
    database = Database.from_url(url)  # the core's tables only: no feature is installed
    await database.migrate()
    try:
        services = build_services(
            database, OfflineGateway(), clock=SteppingClock(), bus=InProcessBus(), features=()
        )
        assert services.port(FAULTS) is None
        await services.network.add_site(Site("north", "North Lot"))
        await services.network.add_station("N-1", site_id="north")
        await services.network.set_connector("N-1", ConnectorSpec(1, 1, ConnectorType.CCS1))
        user = await services.users.create("admin", "a long enough password", Role.ADMIN)
        web = WebContext(services, Settings(database_url=url))

        overview = await load_overview(web, SignedIn(user, UserAccess.of(user)))

        assert [row.station.id for row in overview.stations] == ["N-1"]
        assert overview.alerts == []
        assert overview.open_tickets == 0
    finally:
        await database.dispose()
