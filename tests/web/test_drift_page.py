"""The drift page in a real browser against a simulated 1.6 station: an operator sets a
desired value, the station is checked, the difference shown, corrected, and shown clean."""

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
STATION = "DRIFT-16"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningServer]:
    async with server_with_station(
        tmp_path_factory.mktemp("drift"),
        STATION,
        "1.6",
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


async def test_drift_is_shown_and_corrected(operator: Page, server: RunningServer) -> None:
    errors = watch_errors(operator)
    await operator.get_by_role("link", name="Drift", exact=True).click()
    await operator.wait_for_url("**/dashboard/drift")
    # nothing desired for its model yet: its boot cost no check
    await expect(operator.locator("body")).to_contain_text("No station checked yet")

    await operator.get_by_label("Station model").fill("SimDC-150")
    await operator.get_by_label("Key (1.6: Variable; 2.0.1: Component.Variable)").fill(
        "HeartbeatInterval"
    )
    await operator.get_by_label("Value").fill("45")
    await operator.get_by_role("button", name="Save").click()
    await expect(operator.locator("p.notice")).to_contain_text("Desired setting saved.")
    await server.forecourt.services.drift.check(STATION)  # as after a boot
    await operator.reload()

    station = operator.locator(f'article[data-station="{STATION}"]')
    await expect(station).to_have_attribute("data-drifted", "1")
    row = station.locator('tr[data-key="HeartbeatInterval"]')
    await expect(row).to_have_attribute("data-state", "differs")
    await screenshot(operator, "drift-page")

    await station.get_by_role("button", name=f"Correct {STATION}").click()
    await operator.wait_for_url("**/dashboard/drift*")
    station = operator.locator(f'article[data-station="{STATION}"]')
    await expect(station).to_have_attribute("data-drifted", "0")
    await expect(station.locator('tr[data-key="HeartbeatInterval"]')).to_have_attribute(
        "data-state", "matches"
    )
    await operator.goto(f"/dashboard/stations/{STATION}")
    await expect(operator.locator("[data-drift-summary]")).to_contain_text("as desired")
    assert errors == []


async def test_a_bad_key_is_a_clear_error(operator: Page) -> None:
    await operator.goto("/dashboard/drift")
    await operator.get_by_label("Station model").fill("SimDC-150")
    await operator.get_by_label("Key (1.6: Variable; 2.0.1: Component.Variable)").fill(" ")
    await operator.get_by_label("Value").fill("1")
    await operator.get_by_role("button", name="Save").click()
    await expect(operator.locator("body")).to_contain_text("needs a station model and a key")
