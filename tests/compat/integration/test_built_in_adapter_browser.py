"""A dispenser with a built-in adapter (2.1 ``cNACS-CCS1``, the Magic Dock) on the driver
pages in headless Chromium: the plug is named with its adapter, and a CCS1 car that carries
no adapter of its own is told it fits, with nothing to bring."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect

from forecourt.domain.connectors import ConnectorType
from forecourt.domain.stations import ConnectorStatus, ProtocolVersion, Site
from forecourt.services.network import ConnectorSpec
from tests.compat.integration.site import NACS_250, report
from tests.compat.integration.test_my_car_browser import PHONE_VIEWPORT, install
from tests.support.server import RunningServer
from tests.web.conftest import running_web_server, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

SITE = "DOCK-1"
ID4 = "volkswagen-id4-2021"  # a CCS1 car without a maker's NACS adapter


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningServer]:
    async with running_web_server(tmp_path_factory.mktemp("dock"), install) as running:
        services = running.forecourt.services
        await services.network.add_site(Site(SITE, "Dock Stop"))
        await services.network.add_station("CS-DOCK", site_id=SITE)
        spec = ConnectorSpec(1, 1, ConnectorType.NACS, NACS_250, ConnectorType.CCS1)
        await services.network.set_connector("CS-DOCK", spec)
        now = services.core.clock.now()
        await report(services, "CS-DOCK", 1, 1, ConnectorStatus.AVAILABLE, now)
        await services.core.provisioning.connected("CS-DOCK", ProtocolVersion.V21)
        yield running


async def test_a_ccs1_car_fits_the_magic_dock(browser: Browser, server: RunningServer) -> None:
    context = await browser.new_context(base_url=server.http_url, viewport=PHONE_VIEWPORT)
    page = await context.new_page()
    errors = watch_errors(page)

    await page.goto(f"/s/{SITE}?car={ID4}")

    connector = page.locator('[data-evse="CS-DOCK/1"] [data-connector="1"]')
    await expect(connector.locator(".plug")).to_have_text(
        "NACS (J3400) with a built-in CCS1 adapter"
    )
    await expect(connector.locator("[data-fit-mark]")).to_contain_text("Fits your car: about")
    await expect(page.locator("[data-compat=summary]")).to_contain_text(
        "Best: NACS (J3400) with a built-in CCS1 adapter at charger CS-DOCK, port 1,"
        " no adapter needed"
    )
    assert await page.locator("[data-compat=adapters]").count() == 0  # nothing to bring
    assert errors == []
    await context.close()
