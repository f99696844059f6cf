"""The reservations page in a browser: reserve a connector of a simulated station, see the
station's answer, cancel it; the station page shows its reservations and local list."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from forecourt.domain.connectors import ConnectorType
from forecourt.domain.stations import Site
from forecourt.domain.tokens import TokenRecord
from forecourt.services.access import Role
from forecourt.services.network import ConnectorSpec
from forecourt.simulator import SimulatedStation
from tests.support.server import RunningServer, running_server
from tests.web.conftest import sign_in, station_factory, stop_all, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PASSWORD = "correct horse battery"
STATION = "RES-001"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningServer]:
    async with running_server(tmp_path_factory.mktemp("reservations")) as running:
        services = running.forecourt.services
        await services.network.add_site(Site("pier", "Pier 9", "9 Harbor Road"))
        await services.network.add_station(STATION, site_id="pier")
        await services.network.set_connector(STATION, ConnectorSpec(1, 1, ConnectorType.CCS1))
        await services.users.create("tech", PASSWORD, Role.TECHNICIAN)
        await services.network.add_token(TokenRecord("TAG-WEB-1"))
        await services.local_lists.set_members("site", "pier", ["TAG-WEB-1"])
        started: list[SimulatedStation] = []
        station = station_factory(running, started)(STATION, "2.0.1")
        await station.start()
        await station.wait_ready(30)
        yield running
        await stop_all(started)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def technician(browser: Browser, server: RunningServer) -> AsyncIterator[Page]:
    page = await sign_in(browser, server, "tech", PASSWORD)
    yield page
    await page.context.close()


async def test_reserve_then_cancel_from_the_reservations_page(technician: Page) -> None:
    errors = watch_errors(technician)
    await technician.goto("/dashboard")
    await technician.get_by_role("link", name="Reservations").click()
    await expect(technician.get_by_role("heading", name="Reservations", level=1)).to_be_visible()

    await technician.get_by_label("Station").fill(STATION)
    await technician.get_by_label("EVSE (0 = any)").fill("1")
    await technician.get_by_label("Token").fill("TAG-WEB-1")
    await technician.get_by_label("Until (UTC)").fill("2030-01-01T10:00")
    await technician.get_by_role("button", name="Reserve").click()

    await expect(technician.locator("p.notice")).to_have_text("Reservation sent.")
    row = technician.locator("tbody tr").first
    await expect(row).to_contain_text("active")
    await expect(row).to_contain_text("accepted")

    await row.get_by_role("button", name="Cancel").click()
    await expect(technician.locator("p.notice")).to_have_text("Reservation cancelled.")
    await expect(technician.locator("tbody tr").first).to_contain_text("cancelled")

    await technician.goto(f"/dashboard/stations/{STATION}")
    local = technician.locator("section", has=technician.locator("#local-list-title"))
    await expect(local).to_contain_text("inherited from its site")
    await expect(local).to_contain_text("in sync")
    mine = technician.locator("section", has=technician.locator("#reservations-title"))
    await expect(mine).to_contain_text("cancelled")
    assert errors == []
