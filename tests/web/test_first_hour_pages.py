"""What a new user noticed in the first hour: identifiers that wrap, pages wider than a phone,
raw JSON in event tables, and a driver's 404 with no way back."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from forecourt.domain.connectors import ConnectorType
from forecourt.domain.stations import Site
from forecourt.domain.tokens import TokenRecord
from forecourt.services.access import Role
from forecourt.services.network import ConnectorSpec
from forecourt.simulator import SimulatedStation, VehicleProfile
from tests.support.server import RunningServer, running_server
from tests.web.conftest import PHONE, sign_in, station_factory, stop_all

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PASSWORD = "correct horse battery"
STATION = "DEMO-001"
LONG_SESSION = VehicleProfile("test truck", battery_kwh=400, start_soc=10, target_soc=95)
NICE = {1, 2, 2.5, 5}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningServer]:
    async with running_server(tmp_path_factory.mktemp("first-hour")) as running:
        services = running.forecourt.services
        await services.network.add_site(Site("pier", "Pier 9", "9 Harbor Road"))
        await services.network.add_station(STATION, site_id="pier")
        await services.network.set_connector(STATION, ConnectorSpec(1, 1, ConnectorType.CCS1))
        await services.users.create("ops", PASSWORD, Role.OPERATOR)
        await services.network.add_token(TokenRecord("TAG-WEB-1"))
        started: list[SimulatedStation] = []
        station = station_factory(running, started)(STATION, "1.6")
        await station.start()
        await station.wait_ready(30)
        station.start_session(1, vehicle=LONG_SESSION, id_token="TAG-WEB-1")
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

    panel = phone_operator.locator("section.panel", has=phone_operator.locator("#stations-table"))
    right = await panel.evaluate("p => p.getBoundingClientRect().right")
    assert right <= PHONE["width"]  # the table scrolls inside its panel on a phone
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


def is_nice(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step))
    return round(mantissa, 6) in NICE


async def test_the_session_chart_uses_the_width_and_ticks_at_round_values(
    browser: Browser, server: RunningServer
) -> None:
    page = await sign_in(browser, server, "ops", PASSWORD)  # desktop
    await page.goto(f"/dashboard/stations/{STATION}")
    chart = page.locator("[data-chart]").first
    await expect(chart).to_have_attribute(
        "data-count", re.compile(r"^([4-9]|\d{2,})$"), timeout=20_000
    )

    powers = [float(t) for t in await chart.locator(".power-tick").all_text_contents()]
    steps = {round(b - a, 6) for a, b in itertools.pairwise(powers)}
    assert len(steps) == 1, powers
    assert is_nice(steps.pop()), powers
    times = [
        datetime.strptime(t, "%H:%M:%S")
        for t in await chart.locator(".time-tick").all_text_contents()
    ]
    assert times, "no time ticks"
    gaps = {(b - a).seconds for a, b in itertools.pairwise(times)}
    assert len(gaps) <= 1, times
    every = gaps.pop() if gaps else 1
    assert all((t.minute * 60 + t.second) % every == 0 for t in times), times
    svg_width = await chart.locator("svg").evaluate("s => s.getBoundingClientRect().width")
    panel_width = await chart.evaluate("f => f.closest('.panel').clientWidth")
    assert svg_width > 0.85 * panel_width
    await page.set_viewport_size(PHONE)  # redrawn for the narrow panel: labels never touch
    await page.wait_for_timeout(600)
    boxes = [await t.bounding_box() for t in await chart.locator(".time-tick").all()]
    edges = sorted((box["x"], box["x"] + box["width"]) for box in boxes if box)
    assert edges
    assert all(right < left for (_, right), (left, _) in itertools.pairwise(edges)), edges
    await page.context.close()
