"""The roaming page in headless Chromium: the partner, its version, a push that keeps failing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from forecourt.services.access import Role
from forecourt.simulator.session import ConnectorStatus
from tests.ocpi.conftest import add_site, eventually, registered, roaming, simulated
from tests.ocpi.emsp import running_emsp
from tests.support.server import running_server
from tests.web.conftest import browser, sign_in, watch_errors  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PASSWORD = "correct horse battery"


async def test_an_operator_sees_partners_and_failing_pushes(
    tmp_path: Path,
    browser: Browser,  # noqa: F811 (the fixture's name)
) -> None:
    async with running_server(tmp_path, heartbeat_interval=10, ws_ping_interval=300.0) as server:
        services = server.forecourt.services
        push = roaming(services).push
        push.retry_s, push.poll_s = 30.0, 0.05  # one failure, then a long wait
        await services.users.create("ops", PASSWORD, Role.VIEWER)
        await add_site(services, "SITE-1", "CS-1")
        async with running_emsp(["2.3.0"]) as emsp, simulated(server, "CS-1") as station:
            await registered(server, emsp)
            emsp.fail_next = 100
            await station.set_status(station.evse(1), ConnectorStatus.FAULTED)

            async def failed() -> bool:
                return bool(await push.failures())

            await eventually(failed)
            page = await sign_in(browser, server, "ops", PASSWORD)
            errors = watch_errors(page)
            await page.get_by_role("link", name="Roaming").click()
            partners = page.get_by_role("region", name="Partners")
            await expect(partners).to_contain_text("Test eMSP")
            await expect(partners).to_contain_text("2.3.0")
            await expect(partners).to_contain_text("EMSP NL-EMS")
            failures = page.get_by_role("region", name="Push failures")
            await expect(failures).to_contain_text("PATCH locations/US/FCT/SITE-1/CS-1*1")
            await expect(failures).to_contain_text("HTTP 503")
            queue = page.get_by_role("region", name="Push queue")
            locations = queue.get_by_role("row", name="locations")
            await expect(locations.get_by_role("cell").last).not_to_have_text("0")  # failing
            await expect(queue.get_by_role("row", name="cdrs")).to_contain_text("0")
            cdrs = page.get_by_role("region", name="Latest CDRs")
            await expect(cdrs).to_contain_text("No roaming session has ended yet.")
            await page.close()
            assert errors == []


async def test_an_operator_edits_amenities_and_drivers_see_them(
    tmp_path: Path,
    browser: Browser,  # noqa: F811 (the fixture's name)
) -> None:
    async with running_server(tmp_path) as server:
        services = server.forecourt.services
        await services.users.create("ops", PASSWORD, Role.OPERATOR)
        await add_site(services, "SITE-1", "CS-1")
        page = await sign_in(browser, server, "ops", PASSWORD)
        errors = watch_errors(page)
        await page.get_by_role("link", name="Roaming").click()
        await page.get_by_role("link", name="Forecourt SITE-1").click()
        for label in ("Covered (canopy)", "Restrooms", "Windshield service"):
            await page.get_by_label(label).check()
        await page.get_by_label("Opening hours").fill("1 06:00-22:00")
        await page.get_by_label("Accessible stalls").fill("1")
        await page.get_by_label("Pull-through bays").fill("2")
        await page.get_by_label("ev only").check()
        await page.get_by_role("button", name="Save").click()
        await expect(page.get_by_text("Amenities saved.")).to_be_visible()
        await page.close()
        assert errors == []

        driver = await browser.new_page()
        await driver.goto(f"{server.http_url}/s/SITE-1")
        section = driver.get_by_role("region", name="At this site")
        await expect(section).to_contain_text("Covered (canopy)")
        await expect(section).to_contain_text("Restrooms")
        await expect(section).to_contain_text("Windshield service")
        await expect(section).not_to_contain_text("Attendant on duty")
        await expect(section).to_contain_text("Open Mon 06:00–22:00")
        await expect(section).to_contain_text("1 accessible stall · 2 pull-through bays")
        await expect(section).to_contain_text("Parking: ev only")
        await driver.close()


async def test_an_operator_sees_payment_terminals(
    tmp_path: Path,
    browser: Browser,  # noqa: F811 (the fixture's name)
) -> None:
    async with running_server(tmp_path) as server:
        services = server.forecourt.services
        await services.users.create("ops", PASSWORD, Role.VIEWER)
        await add_site(services, "SITE-1", "CS-1")
        async with running_emsp(["2.3.0"], role="PTP") as ptp:
            await registered(server, ptp)
            terminal = {
                "terminal_id": "TERM-42",
                "location_ids": ["SITE-1"],
                "last_updated": "2026-12-07T10:00:00Z",
            }
            url = f"{ptp.cpo_endpoints['payments']}/terminals"
            assert (await ptp.call("POST", url, terminal)).json()["status_code"] == 1000
        page = await sign_in(browser, server, "ops", PASSWORD)
        errors = watch_errors(page)
        await page.get_by_role("link", name="Roaming").click()
        await expect(page).to_have_title(re.compile("^Roaming"))
        terminals = page.get_by_role("region", name="Payment terminals")
        await expect(terminals).to_contain_text("TERM-42")
        await expect(terminals).to_contain_text("Test eMSP")
        await expect(terminals).to_contain_text("active")
        await expect(terminals).to_contain_text("SITE-1")
        await expect(terminals).to_contain_text("None received.")
        await page.close()
        assert errors == []
