"""What a new user noticed in the first hour: identifiers that wrap, pages wider than a phone,
raw JSON in event tables, and a driver's 404 with no way back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from forecourt.domain.connectors import ConnectorType
from forecourt.domain.stations import Site
from forecourt.services.access import Role
from forecourt.services.network import ConnectorSpec
from forecourt.simulator import SimulatedStation
from tests.support.server import RunningServer, running_server
from tests.web.conftest import PHONE, sign_in, station_factory, stop_all

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PASSWORD = "correct horse battery"
STATION = "DEMO-001"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningServer]:
    async with running_server(tmp_path_factory.mktemp("first-hour")) as running:
        services = running.forecourt.services
        await services.network.add_site(Site("pier", "Pier 9", "9 Harbor Road"))
        await services.network.add_station(STATION, site_id="pier")
        await services.network.set_connector(STATION, ConnectorSpec(1, 1, ConnectorType.CCS1))
        await services.users.create("ops", PASSWORD, Role.OPERATOR)
        started: list[SimulatedStation] = []
        station = station_factory(running, started)(STATION, "1.6")
        await station.start()
        await station.wait_ready(10)
        yield running
        await stop_all(started)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def phone_operator(browser: Browser, server: RunningServer) -> AsyncIterator[Page]:
    page = await sign_in(browser, server, "ops", PASSWORD)
    await page.set_viewport_size(PHONE)
    yield page
    await page.context.close()


async def test_overview_fits_a_phone_and_station_ids_stay_whole(phone_operator: Page) -> None:
    await phone_operator.goto("/dashboard")

    overflow = await phone_operator.evaluate(
        "document.documentElement.scrollWidth - window.innerWidth"
    )
    assert overflow <= 0
    link = phone_operator.locator(f'a[href="/dashboard/stations/{STATION}"]').first
    assert await link.evaluate("a => a.getClientRects().length") == 1  # one line, not DEMO-/001


async def test_station_events_read_as_words_not_json(phone_operator: Page) -> None:
    await phone_operator.goto(f"/dashboard/stations/{STATION}")

    boot = phone_operator.locator("tr", has_text="boot").last
    text = await boot.inner_text()
    assert "firmware version" in text
    assert "{" not in text


@pytest.mark.parametrize(
    ("path", "back"), [("/s/nowhere", None), ("/s/pier/evse/NOPE/1", "/s/pier")]
)
async def test_a_drivers_404_is_a_phone_page_with_a_way_back(
    browser: Browser, server: RunningServer, path: str, back: str | None
) -> None:
    context = await browser.new_context(base_url=server.http_url, viewport=PHONE)
    page = await context.new_page()

    answer = await page.goto(path)

    assert answer is not None
    assert answer.status == 404
    await expect(page.locator("h1")).to_have_text("This page does not exist")
    await expect(page.locator("body")).to_have_class("driver")
    await expect(page.locator('#error a[href="/receipts"]')).to_be_visible()
    if back:
        await expect(page.locator(f'#error a[href="{back}"]')).to_be_visible()
    assert await page.locator('a[href="/login"]').count() == 0
    await context.close()
