"""The operator dashboard in a real browser: sign-in, live overview, live session chart,
commands with the station's answer, and what a site-host viewer may (not) do."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from forecourt.domain.connectors import ConnectorType
from forecourt.domain.stations import Site
from forecourt.domain.tokens import TokenRecord
from forecourt.services.access import Role
from forecourt.services.network import ConnectorSpec
from forecourt.simulator import SimulatedStation, VehicleProfile, ac_post, dc_dispenser
from tests.support.server import RunningServer, running_server
from tests.web.conftest import (
    StationFactory,
    screenshot,
    sign_in,
    station_factory,
    stop_all,
    watch_errors,
)

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

SITE = "downtown"
STATION = "CP-WEB-1"
PASSWORD = "correct horse battery"
#: Charges for minutes even at x30: the session outlives the test.
LONG_SESSION = VehicleProfile("test truck", battery_kwh=400, start_soc=10, target_soc=95)


@dataclass
class Rig:
    server: RunningServer
    make_station: StationFactory
    station: SimulatedStation


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def rig(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Rig]:
    tmp: Path = tmp_path_factory.mktemp("dashboard")
    async with running_server(tmp, call_timeout=3.0, registration_policy="auto") as server:
        services = server.forecourt.services
        await services.network.add_site(Site(SITE, "Downtown Garage", "1 Main St"))
        await services.network.add_station(STATION, site_id=SITE)
        for connector_id, plug in ((1, ConnectorType.NACS), (2, ConnectorType.CCS1)):
            await services.network.set_connector(STATION, ConnectorSpec(1, connector_id, plug))
        await services.network.set_connector(STATION, ConnectorSpec(2, 1, ConnectorType.J1772))
        await services.network.add_token(TokenRecord("TAG-WEB-1"))
        await services.users.create("ops", PASSWORD, Role.OPERATOR)
        await services.users.create("host", PASSWORD, Role.VIEWER, [SITE])
        started: list[SimulatedStation] = []
        make = station_factory(server, started)
        station = make(STATION, evses=[dc_dispenser(150_000.0), ac_post()])
        await station.start()
        await station.wait_ready(30)
        yield Rig(server, make, station)
        await stop_all(started)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def operator(browser: Browser, rig: Rig) -> AsyncIterator[Page]:
    page = await sign_in(browser, rig.server, "ops", PASSWORD)
    yield page
    await page.context.close()


async def test_a_new_station_appears_on_the_overview_without_reload(
    rig: Rig, operator: Page
) -> None:
    page = operator
    errors = watch_errors(page)
    await page.goto("/dashboard")
    await expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
    await expect(page.locator(f'tr[data-station="{STATION}"] [data-online]')).to_have_text("Online")
    await page.evaluate("window.notReloaded = true")

    newcomer = rig.make_station("CP-NEW-7", protocol="1.6")
    await newcomer.start()
    row = page.locator('tr[data-station="CP-NEW-7"]')
    await expect(row.locator("[data-online]")).to_have_text("Online", timeout=8000)
    await expect(page.locator("#count-online")).to_have_text("2")
    assert await page.evaluate("window.notReloaded") is True
    await screenshot(page, "dashboard-overview")
    assert errors == []


async def test_station_page_charts_a_session_live_and_shows_the_reset_answer(
    rig: Rig, operator: Page
) -> None:
    page = operator
    errors = watch_errors(page)
    await page.goto(f"/dashboard/stations/{STATION}")
    await expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
    await expect(page.locator('[data-connector="1/1"] [data-plug]')).to_have_text("NACS (J3400)")
    await expect(page.get_by_text("No session is running on this station.")).to_be_visible()

    rig.station.start_session(1, vehicle=LONG_SESSION, id_token="TAG-WEB-1")
    chart = page.locator("[data-chart]")
    await expect(chart).to_have_count(1, timeout=8000)
    await page.wait_for_function(
        "() => Number(document.querySelector('[data-chart]').dataset.count) >= 3", timeout=8000
    )
    first = int(await chart.get_attribute("data-count") or 0)
    await page.wait_for_function(
        f"() => Number(document.querySelector('[data-chart]').dataset.count) > {first}"
    )
    power = page.locator('[data-reading="power_w"]')
    await expect(power).to_have_text(re.compile(r"^\d+(\.\d)? kW$"))
    assert await page.locator(".chart polyline.line-power").count() == 1
    await expect(
        page.locator(
            '[data-connector="1/1"] [data-status], [data-connector="1/2"] [data-status]'
        ).filter(has_text="In use")
    ).not_to_have_count(0)
    await screenshot(page, "dashboard-station-live-session")

    await page.get_by_role("button", name="Soft reset").click()
    answer = page.locator("#command-result [data-command-status]")
    await expect(answer).to_contain_text("the station answered", timeout=8000)
    assert await answer.get_attribute("data-command-status") in ("accepted", "scheduled")
    await screenshot(page, "dashboard-station-command-answer")
    assert errors == []


@pytest.mark.usefixtures("rig")
async def test_sessions_list_and_detail(operator: Page) -> None:
    page = operator
    await page.goto("/dashboard/sessions")
    link = page.locator("tbody th a").first
    await expect(link).to_be_visible()
    await link.click()
    await expect(page.locator("h1")).to_have_text(re.compile(r"^Session \d+$"))
    await expect(page.locator("[data-chart]")).to_have_attribute(
        "data-count", re.compile(r"^[1-9]")
    )
    await screenshot(page, "dashboard-session-detail")


async def test_a_site_host_viewer_sees_no_command_buttons_and_posts_are_refused(
    browser: Browser, rig: Rig
) -> None:
    page = await sign_in(browser, rig.server, "host", PASSWORD)
    await expect(page.locator(f'tr[data-station="{STATION}"]')).to_have_count(1)
    await expect(page.locator('tr[data-station="CP-NEW-7"]')).to_have_count(
        0
    )  # no site: not theirs
    await page.goto(f"/dashboard/stations/{STATION}")
    await expect(page.locator("h1")).to_have_text(f"Station {STATION}")
    assert await page.get_by_role("button", name="Soft reset").count() == 0
    assert await page.locator("form[action*='/commands/']").count() == 0
    token = await page.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = await page.request.post(
        f"/dashboard/stations/{STATION}/commands/reset", form={"csrf_token": token or ""}
    )
    assert refused.status == 403
    other = await page.goto("/dashboard/stations/CP-NEW-7")
    assert other is not None
    assert other.status == 404
    await page.context.close()


async def test_anonymous_visitors_are_sent_to_sign_in_but_see_driver_pages(
    browser: Browser, rig: Rig
) -> None:
    context = await browser.new_context(base_url=rig.server.http_url)
    page = await context.new_page()
    await page.goto(f"/dashboard/stations/{STATION}")
    assert page.url.endswith(f"/login?next=%2Fdashboard%2Fstations%2F{STATION}")
    await expect(page.get_by_role("heading", name="Sign in to Forecourt")).to_be_visible()
    await screenshot(page, "login")
    driver = await page.goto(f"/s/{SITE}")
    assert driver is not None
    assert driver.status == 200
    await expect(page.get_by_role("heading", name="Downtown Garage")).to_be_visible()
    await page.keyboard.press("Tab")  # keyboard users skip straight to the content
    await expect(page.locator(":focus")).to_have_text("Skip to main content")
    await page.keyboard.press("Enter")
    await expect(page.locator(":focus")).to_have_id("main")
    await context.close()
