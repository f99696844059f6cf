"""Stall fit in headless Chromium: an operator describes the stalls on the station page, and
the driver page tells a car which stall's cable reaches its inlet (accessible stalls flagged)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect

from forecourt.services.access import Role
from tests.compat.integration.site import SITE, build_site
from tests.compat.integration.test_my_car_browser import PHONE_VIEWPORT, install
from tests.support.server import RunningServer
from tests.web.conftest import running_web_server, screenshot, sign_in, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

PASSWORD = "a long enough password"
MACH_E = "ford-mustang-mach-e-er-2021"  # inlet front left
MODEL_3 = "tesla-model-3-lr-2020"  # inlet rear left


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningServer]:
    async with running_web_server(tmp_path_factory.mktemp("stalls"), install) as running:
        services = running.forecourt.services
        await build_site(services, services.core.clock.now())
        await services.users.create("ops", PASSWORD, Role.OPERATOR)
        yield running


async def test_an_operator_describes_stalls_and_drivers_see_which_fits(
    browser: Browser, server: RunningServer
) -> None:
    page = await sign_in(browser, server, "ops", PASSWORD)
    errors = watch_errors(page)
    await page.goto("/dashboard/stations/CS-1")
    form = page.get_by_role("form", name="Add or replace a stall")
    await form.get_by_label("Stall").fill("A1")
    await form.get_by_label("Layout").select_option("back_in")
    await form.get_by_label("Cable from").select_option("head_right")
    await form.get_by_label("Reach (m)").fill("2.5")
    await form.get_by_role("button", name="Save stall").click()
    await page.wait_for_url("**/dashboard/stations/CS-1")
    await expect(page.locator('[data-testid=stalls] [data-stall="A1"]')).to_contain_text("back-in")

    await page.goto("/dashboard/stations/CS-2")
    form = page.get_by_role("form", name="Add or replace a stall")
    await form.get_by_label("Stall").fill("B1")
    await form.get_by_label("Layout").select_option("pull_in")
    await form.get_by_label("Cable from").select_option("head_left")
    await form.get_by_label("Reach (m)").fill("2.5")
    await form.get_by_label("Accessible").check()
    await form.get_by_role("button", name="Save stall").click()
    await page.wait_for_url("**/dashboard/stations/CS-2")
    await expect(page.locator('[data-testid=stalls] [data-stall="B1"]')).to_contain_text("yes")
    assert errors == []
    await page.context.close()

    driver = await browser.new_context(base_url=server.http_url, viewport=PHONE_VIEWPORT)
    phone = await driver.new_page()
    await phone.goto(f"/s/{SITE}?car={MACH_E}")
    stalls = phone.locator("[data-compat=stalls]")
    await expect(stalls.locator("h3")).to_have_text("Where to park (your car's plug is front left)")
    await expect(stalls.locator('[data-stall="B1"]')).to_have_attribute("data-reaches", "yes")
    await expect(stalls.locator('[data-stall="B1"] [data-accessible]')).to_have_text(
        "Accessible stall"
    )
    await expect(stalls.locator('[data-stall="A1"]')).to_have_attribute("data-reaches", "no")
    await expect(stalls.locator('[data-stall="A1"]')).to_contain_text("does not reach")
    await screenshot(phone, "driver-stall-fit-phone")

    await phone.goto(f"/s/{SITE}?car={MODEL_3}")
    await expect(stalls.locator('[data-stall="A1"]')).to_have_attribute("data-reaches", "yes")
    await expect(stalls.locator('[data-stall="B1"]')).to_have_attribute("data-reaches", "no")

    await phone.goto(f"/s/{SITE}/evse/CS-1/1?car={MODEL_3}")  # a port page: its stall only
    await expect(stalls.locator("[data-stall]")).to_have_count(1)
    await driver.close()


async def test_a_bad_stall_from_the_dashboard_stores_nothing(
    browser: Browser, server: RunningServer
) -> None:
    page = await sign_in(browser, server, "ops", PASSWORD)
    await page.goto("/dashboard/stations/CS-1")
    form = page.get_by_role("form", name="Add or replace a stall")
    await form.get_by_label("Stall").fill("Z9")
    await form.get_by_label("Port").fill("7")
    await form.get_by_label("Reach (m)").fill("2.5")
    await form.get_by_role("button", name="Save stall").click()

    await expect(page.locator("body")).to_contain_text("has no EVSE 7")
    await page.goto("/dashboard/stations/CS-1")
    await expect(page.locator('[data-testid=stalls] [data-stall="Z9"]')).to_have_count(0)
    await page.context.close()
