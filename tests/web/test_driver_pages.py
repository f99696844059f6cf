"""Driver pages in a real browser on a phone: plugs with icons and labels, power, honest
status in plain words, live refresh, "My car" kept in localStorage, and no JavaScript needed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from fastapi import FastAPI
from playwright.async_api import Browser, Page, expect

from forecourt.domain.connectors import ConnectorType
from forecourt.domain.stations import ConnectorStatus, Site
from forecourt.domain.tokens import TokenRecord
from forecourt.services.network import ConnectorSpec
from forecourt.simulator import SimulatedStation, VehicleProfile, chademo_dispenser, dc_dispenser
from forecourt.web.context import DriverPage
from tests.support.server import RunningServer
from tests.web.conftest import (
    PHONE,
    running_web_server,
    screenshot,
    station_factory,
    stop_all,
    watch_errors,
)

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

SITE = "harbor"
ONLINE = "CP-HARBOR-1"  # 2.0.1: a NACS + CCS1 dispenser and a CHAdeMO dispenser
OFFLINE = "CP-HARBOR-2"  # registered, never connected: J1772, CCS2, Type 2
LONG_SESSION = VehicleProfile("test truck", battery_kwh=400, start_soc=10, target_soc=95)
CARS = (("nacs-sedan", "NACS sedan 75 kWh"), ("ccs-pickup", "CCS1 pickup 131 kWh"))


async def fake_compat_and_price(page: DriverPage) -> Mapping[str, Any]:
    """Stands in for the payments and compatibility features, which plug in the same way."""
    return {
        "price_text": "0.45 per kWh (test tariff)",
        "pay_url": f"/s/{page.site.id}#pay-test",
        "vehicle_options": CARS,
        "compat": f"Compatibility for {page.car}" if page.car else None,
    }


def install_hooks(app: FastAPI) -> None:
    app.state.web.add_driver_hook(fake_compat_and_price)


@dataclass
class Rig:
    server: RunningServer
    station: SimulatedStation


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def rig(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Rig]:
    tmp = tmp_path_factory.mktemp("driver")
    async with running_web_server(tmp, install_hooks, call_timeout=3.0) as server:
        network = server.forecourt.services.network
        await network.add_site(Site(SITE, "Harbor Park Chargers", "12 Quay Road"))
        await network.add_station(ONLINE, site_id=SITE)
        await network.add_station(OFFLINE, site_id=SITE)
        plugs = {
            ONLINE: (
                (1, 1, ConnectorType.NACS),
                (1, 2, ConnectorType.CCS1),
                (2, 1, ConnectorType.CHADEMO),
            ),
            OFFLINE: (
                (1, 1, ConnectorType.J1772),
                (2, 1, ConnectorType.CCS2),
                (3, 1, ConnectorType.TYPE2),
            ),
        }
        for station_id, connectors in plugs.items():
            for evse_id, connector_id, plug in connectors:
                await network.set_connector(station_id, ConnectorSpec(evse_id, connector_id, plug))
        await network.set_evse_power(ONLINE, 1, 150_000)
        await network.add_token(TokenRecord("TAG-WEB-1"))
        await network.add_token(TokenRecord("TAG-WEB-2"))  # one token charges one car at a time
        started: list[SimulatedStation] = []
        station = station_factory(server, started)(
            ONLINE, evses=[dc_dispenser(150_000.0), chademo_dispenser()]
        )
        await station.start()
        await station.wait_ready(30)
        station.start_session(1, vehicle=LONG_SESSION, id_token="TAG-WEB-1")
        yield Rig(server, station)
        await stop_all(started)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def phone(browser: Browser, rig: Rig) -> AsyncIterator[Page]:
    """One phone tab for the module (a new tab costs a second in headless Chromium)."""
    context = await browser.new_context(
        base_url=rig.server.http_url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    page = await context.new_page()
    await page.clock.install()  # the tests move time forward to see the page refresh
    yield page
    await context.close()


async def wait_for_status(
    server: RunningServer, station_id: str, evse_id: int, status: ConnectorStatus
) -> None:
    network = server.forecourt.services.network
    for _ in range(200):
        evse = (await network.station(station_id)).evse(evse_id)
        if evse is not None and any(c.status is status for c in evse.connectors):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{station_id}/{evse_id} never reported {status}")


def port(page: Page, station_id: str, evse_id: int) -> Any:
    return page.locator(f'[data-evse="{station_id}/{evse_id}"]')


async def test_site_page_on_a_phone_shows_plugs_power_and_status_in_plain_words(
    rig: Rig, phone: Page
) -> None:
    page = phone
    errors = watch_errors(page)
    await wait_for_status(rig.server, ONLINE, 1, ConnectorStatus.OCCUPIED)
    await page.goto(f"/s/{SITE}")
    await expect(page.get_by_role("heading", name="Harbor Park Chargers")).to_be_visible()
    for label in ("NACS (J3400)", "CCS1", "CHAdeMO", "J1772", "CCS2", "Type 2"):
        plug = page.locator("[data-plug]", has_text=label).first
        await expect(plug).to_be_visible()
        drawing = await plug.locator("svg use").bounding_box()  # the shared drawing renders
        assert drawing is not None
        assert drawing["width"] > 10
    busy = port(page, ONLINE, 1)
    await expect(busy.locator("[data-status]").first).to_have_text("In use", timeout=8000)
    await expect(busy.locator(".power").first).to_have_text("Up to 150 kW DC")
    await expect(port(page, ONLINE, 2).locator("[data-status]")).to_have_text("Available")
    offline = page.locator(f'[data-evse^="{OFFLINE}/"] [data-status]')
    await expect(offline).to_have_count(3)
    for status in await offline.all_inner_texts():
        assert status == "Offline — status unknown"
    await expect(page.locator("#price")).to_contain_text("0.45 per kWh (test tariff)")
    await expect(page.get_by_role("link", name="Start and pay by card")).to_be_visible()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing overflows sideways on a phone
    await screenshot(page, "driver-site-phone")
    assert errors == []


async def test_status_refreshes_by_itself(rig: Rig, phone: Page) -> None:
    page = phone
    await page.goto(f"/s/{SITE}/evse/{ONLINE}/2")
    status = port(page, ONLINE, 2).locator("[data-status]")
    await expect(status).to_have_text("Available")
    rig.station.start_session(2, vehicle=LONG_SESSION, id_token="TAG-WEB-2")
    await wait_for_status(rig.server, ONLINE, 2, ConnectorStatus.OCCUPIED)
    await page.clock.fast_forward("00:21")
    await expect(status).to_have_text("In use")
    await screenshot(page, "driver-evse-phone")


@pytest.mark.usefixtures("rig")
async def test_my_car_is_remembered_in_local_storage(phone: Page) -> None:
    page = phone
    await page.goto(f"/s/{SITE}")
    await page.get_by_label("Choose your car to see which plugs fit").select_option("nacs-sedan")
    await expect(page.locator("#compat")).to_have_text("Compatibility for nacs-sedan")
    assert await page.evaluate("localStorage.getItem('forecourt.car')") == "nacs-sedan"
    await page.goto(f"/s/{SITE}")  # no ?car=: the page remembers
    await expect(page.locator("#car")).to_have_value("nacs-sedan")
    await expect(page.locator("#compat")).to_have_text("Compatibility for nacs-sedan")


async def test_pages_work_without_javascript(browser: Browser, rig: Rig) -> None:
    context = await browser.new_context(
        base_url=rig.server.http_url, viewport=PHONE, java_script_enabled=False
    )
    page = await context.new_page()
    await page.goto(f"/s/{SITE}")
    await expect(port(page, ONLINE, 1).locator("[data-status]").first).to_have_text("In use")
    await expect(page.locator(f'[data-evse="{OFFLINE}/1"] [data-status]')).to_have_text(
        "Offline — status unknown"
    )
    await page.get_by_label("Choose your car to see which plugs fit").select_option("ccs-pickup")
    await page.get_by_role("button", name="Show").click()
    await expect(page.locator("#compat")).to_have_text("Compatibility for ccs-pickup")
    await page.get_by_role("link", name="Refresh").click()
    await expect(page.locator("#car")).to_have_value("ccs-pickup")
    await screenshot(page, "driver-site-no-js")
    await context.close()
