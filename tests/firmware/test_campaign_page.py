"""The campaign pages in a real browser: a campaign runs against a simulated station and its
page shows each station's progress; the station page shows firmware state and log uploads."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from forecourt.firmware.domain.campaigns import Selection
from forecourt.firmware.keys import FIRMWARE
from forecourt.firmware.services.campaigns import CampaignSpec
from forecourt.services.access import Role
from forecourt.simulator import SimulatedStation
from tests.support.server import RunningServer, running_server
from tests.web.conftest import browser, sign_in, station_factory, stop_all, watch_errors  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PASSWORD = "correct horse battery"
IMAGE = b"SIMFW:3.1.0\n" + b"\x01" * 2048


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningServer]:
    tmp: Path = tmp_path_factory.mktemp("firmware-pages")
    async with running_server(
        tmp,
        call_timeout=3.0,
        registration_policy="auto",
        data_dir=tmp / "data",
        firmware_campaign_interval=0.2,
    ) as running:
        await running.forecourt.services.users.create("ops", PASSWORD, Role.OPERATOR)
        yield running


async def _wait_for_text(page: Page, selector: str, text: str, tries: int = 60) -> None:
    for _ in range(tries):
        if text in (await page.locator(selector).inner_text()):
            return
        await page.wait_for_timeout(250)
        await page.reload()
    raise AssertionError(f"{selector} never showed {text!r}")


async def test_campaign_page_follows_the_rollout(browser: Browser, server: RunningServer) -> None:  # noqa: F811
    started: list[SimulatedStation] = []
    station = station_factory(server, started)("SIM-PAGE-1", "2.0.1", firmware="3.0.0")
    await station.start()
    await station.wait_ready(30)
    try:
        firmware = server.forecourt.services.feature(FIRMWARE)

        async def chunks() -> AsyncIterator[bytes]:
            yield IMAGE

        image = await firmware.images.upload("3.1.0", "fw.bin", chunks())
        spec = CampaignSpec(
            "Spring update", image.id, Selection(station_ids=("SIM-PAGE-1",)), canary_percent=0
        )
        campaign = await firmware.campaigns.create(spec)

        page = await sign_in(browser, server, "ops", PASSWORD)
        errors = watch_errors(page)
        await page.goto("/dashboard/firmware")
        await page.get_by_role("link", name="Spring update").click()
        await page.wait_for_url(re.compile(rf".*/dashboard/firmware/{campaign.id}$"))
        await _wait_for_text(page, '[data-testid="campaign-status"]', "completed")
        row = page.locator('tr[data-station="SIM-PAGE-1"]')
        await expect(row).to_contain_text("succeeded")
        await expect(row).to_contain_text("3.0.0")  # the version it ran before

        await page.get_by_role("link", name="SIM-PAGE-1").click()
        panel = page.get_by_role("region", name="Firmware and logs")
        await expect(panel.get_by_test_id("firmware-state")).to_contain_text("installed")
        await panel.get_by_role("button", name="Fetch diagnostics log").click()
        await page.wait_for_url(re.compile(r".*/dashboard/stations/SIM-PAGE-1$"))
        await _wait_for_text(page, 'section[aria-label="Firmware and logs"]', "uploaded")
        assert errors == []

        await firmware.images.reference("3.0.0", "https://fw.example/3.0.0.bin")
        await page.goto(f"/dashboard/firmware/{campaign.id}")
        await page.get_by_role("button", name="Roll back").click()
        await expect(page.get_by_test_id("campaign-status")).to_have_text("running")
        await expect(page.locator("h1")).to_contain_text("Roll back Spring update to 3.0.0")
        await page.context.close()
    finally:
        await stop_all(started)


async def test_the_panel_publishes_firmware_and_shows_where(  # 2.0.1 local controller (L03)
    browser: Browser,  # noqa: F811
    server: RunningServer,
) -> None:
    started: list[SimulatedStation] = []
    station = station_factory(server, started)("SIM-PAGE-2", "2.0.1", firmware="3.0.0")
    await station.start()
    await station.wait_ready(30)
    try:
        images = server.forecourt.services.feature(FIRMWARE).images

        async def chunks() -> AsyncIterator[bytes]:
            yield IMAGE

        image = await images.upload("3.1.0", "fw.bin", chunks())
        md5 = hashlib.md5(IMAGE, usedforsecurity=False).hexdigest()

        page = await sign_in(browser, server, "ops", PASSWORD)
        errors = watch_errors(page)
        await page.goto("/dashboard/stations/SIM-PAGE-2")
        form = page.get_by_role("form", name="Publish firmware")
        await form.get_by_label("Image URL").fill(images.location(image))
        await form.get_by_label("MD5").fill(md5)
        await form.get_by_role("button", name="Publish firmware").click()
        await page.wait_for_url(re.compile(r".*/dashboard/stations/SIM-PAGE-2$"))
        await _wait_for_text(page, '[data-testid="publication"]', "published")
        publication = page.get_by_test_id("publication")
        await expect(publication).to_contain_text(f"http://SIM-PAGE-2.local/fw/{md5}")
        unpublish = page.get_by_role("form", name="Unpublish firmware")
        await unpublish.get_by_role("button", name="Unpublish firmware").click()
        await page.wait_for_url(re.compile(r".*/dashboard/stations/SIM-PAGE-2$"))
        await _wait_for_text(page, '[data-testid="publication"]', "unpublished")
        await expect(page.get_by_role("form", name="Unpublish firmware")).to_have_count(0)
        assert errors == []
        await page.context.close()
    finally:
        await stop_all(started)
