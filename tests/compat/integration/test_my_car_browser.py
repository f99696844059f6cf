""" "My car" on the driver pages, in headless Chromium on a phone: the plugs that fit the car,
the adapter it needs and the time to 80 %, remembered in localStorage, and without JavaScript."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

import pytest
import pytest_asyncio
from fastapi import FastAPI
from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    ViewportSize,
    expect,
)

from forecourt.compat.web import CompatSlots, install_compat_pages
from forecourt.domain.connectors import ConnectorType
from forecourt.domain.stations import ConnectorStatus
from forecourt.services.network import ConnectorSpec
from tests.compat.integration.site import IONIQ_2025, NACS_250, SITE, build_site, report
from tests.support.server import RunningServer
from tests.web.conftest import (
    PHONE,
    running_web_server,
    screenshot,
    watch_errors,
)

PHONE_VIEWPORT = ViewportSize(width=PHONE["width"], height=PHONE["height"])

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

IONIQ_LABEL = "Hyundai Ioniq 5 2025–26"
HYUNDAI_ADAPTER = "Hyundai / Kia CCS1-to-NACS DC adapter (for NACS-inlet cars)"


def install(app: FastAPI) -> None:
    """``create_app`` installs "My car" once the lead wires it; until then, do it here."""
    if not any(isinstance(hook, CompatSlots) for hook in app.state.web.driver_hooks):
        install_compat_pages(app, app.state.forecourt.services)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningServer]:
    """CS-1: CCS1 + a retrofitted NACS cable on one EVSE; CS-2 faulted; CS-3 offline."""
    async with running_web_server(tmp_path_factory.mktemp("mycar"), install) as running:
        services = running.forecourt.services
        now = services.core.clock.now()
        await build_site(services, now)
        await services.equipment.add_connector(
            "CS-1", ConnectorSpec(1, 2, ConnectorType.NACS, NACS_250)
        )
        await report(services, "CS-1", 1, 2, ConnectorStatus.AVAILABLE, now)
        yield running


@pytest_asyncio.fixture(loop_scope="module")
async def phone(browser: Browser, server: RunningServer) -> AsyncIterator[Page]:
    context: BrowserContext = await browser.new_context(
        base_url=server.http_url, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True
    )
    yield await context.new_page()
    await context.close()


async def test_choosing_my_car_shows_what_fits_and_how_long(phone: Page) -> None:
    page = phone
    errors = watch_errors(page)
    await page.goto(f"/s/{SITE}")

    await page.get_by_label("Choose your car to see which plugs fit").select_option(
        label=IONIQ_LABEL
    )

    compat = page.locator("#compat")
    await expect(compat.locator("[data-compat=summary]")).to_have_text(
        "Best: NACS (J3400) at charger CS-1, port 1, no adapter needed:"
        " about 21 min from 10 to 80 %."
    )
    native = compat.locator('[data-fit="CS-1/1/2"]')
    await expect(native).to_contain_text("no adapter needed")
    await expect(native.locator(".badge")).to_have_text("About 21 min")
    adapted = compat.locator('[data-fit="CS-1/1/1"]')
    await expect(adapted).to_contain_text("with the adapter ·")
    await expect(compat.locator("[data-compat=adapters]")).to_contain_text(HYUNDAI_ADAPTER)
    page_text = await page.locator("main").inner_text()
    assert page_text.count(HYUNDAI_ADAPTER) == 1  # named once, not under every plug
    mark = page.locator('[data-evse="CS-1/1"] [data-connector="2"] [data-fit-mark]')
    await expect(mark).to_have_text("Fits your car: about 21 min to 80 %")
    broken = compat.locator('[data-fit="CS-2/1/1"]')
    await expect(broken.locator(".badge")).to_have_text("Out of order")
    await expect(broken.locator("[data-compat=not-now]")).to_have_text(
        "Not now: out of order (ConnectorLockFailure)."
    )
    offline = compat.locator('[data-fit="CS-3/1/1"]')
    await expect(offline.locator(".badge")).to_have_text("Offline — status unknown")
    assert await offline.locator("[data-compat=not-now]").count() == 0  # the badge says it
    assert await page.evaluate("localStorage.getItem('forecourt.car')") == IONIQ_2025
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing overflows sideways on a phone
    await screenshot(page, "driver-my-car-phone")
    assert errors == []


async def test_my_car_is_remembered_on_the_next_visit(phone: Page) -> None:
    page = phone
    await page.goto(f"/s/{SITE}")
    await page.get_by_label("Choose your car to see which plugs fit").select_option(IONIQ_2025)
    await expect(page.locator("[data-compat=summary]")).to_be_visible()

    await page.goto(f"/s/{SITE}")  # no ?car=: the browser remembers

    await expect(page.locator("#car")).to_have_value(IONIQ_2025)
    await expect(page.locator('[data-fit="CS-1/1/2"] .badge')).to_have_text("About 21 min")


async def test_an_evse_page_answers_for_that_port(phone: Page) -> None:
    await phone.goto(f"/s/{SITE}/evse/CS-2/1?car={IONIQ_2025}")

    compat = phone.locator("#compat")
    await expect(compat.locator("[data-compat=summary]")).to_have_text(
        "A plug this port fits your car, but none is free right now."
    )
    await expect(compat.locator("[data-fit] .badge")).to_have_text("Out of order")
    await expect(compat.locator("[data-fit]")).to_have_count(1)


async def test_without_javascript_the_query_is_enough(
    browser: Browser, server: RunningServer
) -> None:
    context = await browser.new_context(
        base_url=server.http_url, viewport=PHONE_VIEWPORT, java_script_enabled=False
    )
    page = await context.new_page()
    await page.goto(f"/s/{SITE}?car={quote('2025 Ioniq 5')}")  # words work as well as ids

    await expect(page.locator("[data-compat=summary]")).to_contain_text("about 21 min")
    await page.get_by_label("Choose your car to see which plugs fit").select_option(
        "nissan-leaf-40-2018"
    )
    await page.get_by_role("button", name="Show").click()
    await expect(page.locator("[data-compat=summary]")).to_have_text("No plug here fits your car.")
    await expect(page.locator('[data-fit="CS-1/1/2"][data-works=no] .badge')).to_have_text(
        "Does not fit"
    )
    await page.goto(f"/s/{SITE}?car=flying-car")
    await expect(page.locator("[data-compat=unknown-car]")).to_contain_text(
        "We do not know this car"
    )
    await screenshot(page, "driver-my-car-no-js")
    await context.close()
