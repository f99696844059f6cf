"""The device model pages in a real browser against a simulated 2.0.1 station: monitors set
and refused, a maintenance notice shown and cleared, the station page's summary."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from forecourt.services.access import Role
from tests.support.server import RunningServer
from tests.web.conftest import screenshot, server_with_station, sign_in, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PASSWORD = "correct horse battery"
STATION = "DEV-201"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningServer]:
    async with server_with_station(
        tmp_path_factory.mktemp("device"),
        STATION,
        "2.0.1",
        user="ops",
        password=PASSWORD,
        role=Role.OPERATOR,
        call_timeout=3.0,
    ) as running:
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def operator(browser: Browser, server: RunningServer) -> AsyncIterator[Page]:
    page = await sign_in(browser, server, "ops", PASSWORD)
    yield page
    await page.context.close()


async def set_monitor(page: Page, key: str, value: str, evse: str = "") -> None:
    await page.get_by_label("Component.Variable").fill(key)
    await page.get_by_label("EVSE", exact=True).fill(evse)
    await page.get_by_label("Kind").select_option("upper_threshold")
    await page.get_by_label("Value").fill(value)
    await page.get_by_role("button", name="Set monitor").click()
    await page.wait_for_url(f"**/dashboard/stations/{STATION}/device?command=*")


async def test_monitors_are_set_and_refusals_shown(operator: Page) -> None:
    errors = watch_errors(operator)
    await operator.goto(f"/dashboard/stations/{STATION}")
    summary = operator.locator("[data-device-summary]")
    await expect(summary).to_contain_text("0 monitor(s) set")
    await summary.get_by_role("link").click()
    await operator.wait_for_url(f"**/dashboard/stations/{STATION}/device")

    await set_monitor(operator, "EVSE.Power", "1000", evse="1")
    await expect(operator.locator("[data-command-status]")).to_have_attribute(
        "data-command-status", "accepted"
    )
    await set_monitor(operator, "ChargingStation.Humidity", "80")

    await expect(operator.locator("[data-command-status]")).to_have_attribute(
        "data-command-status", "rejected"
    )
    refused = operator.locator('tr[data-monitor="ChargingStation.Humidity"]')
    await expect(refused).to_have_attribute("data-status", "unknown_variable")
    await expect(refused).to_contain_text("unknown variable")
    accepted = operator.locator('tr[data-monitor="EVSE.Power"]')
    await expect(accepted).to_have_attribute("data-status", "accepted")
    await screenshot(operator, "device-monitors")
    await operator.goto(f"/dashboard/stations/{STATION}")
    await expect(operator.locator("[data-device-summary]")).to_contain_text("1 refused")
    assert errors == []


async def test_a_maintenance_notice_is_shown_then_cleared(operator: Page) -> None:
    await operator.goto(f"/dashboard/stations/{STATION}/device")
    await operator.get_by_label("Message", exact=True).select_option("maintenance")
    await operator.get_by_label("Detail (until when, new price, which port)").fill("14:00")
    await operator.get_by_role("button", name="Show preset").click()
    await operator.wait_for_url("**/device?command=*")

    row = operator.locator('tr[data-message="7001"]')
    await expect(row).to_contain_text("Out of service for maintenance until 14:00")
    await expect(row).to_have_attribute("data-status", "accepted")
    await row.get_by_role("button", name="Clear").click()
    await operator.wait_for_url("**/device?command=*")
    await expect(operator.locator('tr[data-message="7001"]')).to_have_count(0)


async def test_bad_monitor_input_is_a_clear_error(operator: Page) -> None:
    await operator.goto(f"/dashboard/stations/{STATION}/device")
    await operator.get_by_label("Component.Variable").fill("Temperature")
    await operator.get_by_label("Value").fill("5")
    await operator.get_by_role("button", name="Set monitor").click()
    await expect(operator.locator("body")).to_contain_text("cannot set the monitor")


async def test_monitoring_base_and_level_are_sent(operator: Page) -> None:
    await operator.goto(f"/dashboard/stations/{STATION}/device")
    await operator.get_by_label("Base set").select_option("factory_default")
    await operator.get_by_role("button", name="Apply base set").click()
    await operator.wait_for_url("**/device?command=*")
    result = operator.locator("[data-command-status]")
    await expect(result).to_have_attribute("data-command-status", "accepted")
    await expect(operator.locator("#device-result")).to_contain_text("Set monitoring base")

    await operator.get_by_label("Report severity up to (0 danger … 9 debug)").fill("4")
    await operator.get_by_role("button", name="Set level").click()
    await operator.wait_for_url("**/device?command=*")
    await expect(result).to_have_attribute("data-command-status", "accepted")
    await expect(operator.locator("#device-result")).to_contain_text("Set monitoring level")

    await operator.goto(f"/dashboard/stations/{STATION}/device")
    await operator.get_by_label("Report severity up to (0 danger … 9 debug)").fill("12")
    await operator.evaluate("document.getElementById('monitoring-level').removeAttribute('max')")
    await operator.get_by_role("button", name="Set level").click()
    await expect(operator.locator("body")).to_contain_text("cannot set the monitoring level")


async def test_customer_information_is_asked_and_downloaded(operator: Page) -> None:
    await operator.goto(f"/dashboard/stations/{STATION}/device")
    await operator.get_by_label("Id token").fill("TAG-WEB-1")
    await operator.get_by_role("button", name="Ask", exact=True).click()
    await operator.wait_for_url("**/device?command=*")
    await expect(operator.locator("[data-command-status]")).to_have_attribute(
        "data-command-status", "accepted"
    )
    link = operator.locator("[data-customer-report]")
    href = await link.get_attribute("href")
    assert href is not None
    for _ in range(100):  # the station sends its parts right after answering
        answer = await operator.request.get(href)
        if answer.ok:
            break
        await operator.wait_for_timeout(50)
    assert answer.ok
    assert await answer.text() == "customer TAG-WEB-1: 0 active session(s); no other data kept"
    assert "attachment" in answer.headers["content-disposition"]
