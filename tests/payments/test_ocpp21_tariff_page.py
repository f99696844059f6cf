"""The tariffs page shows which tariff each OCPP 2.1 station holds and what it answered
(headless Chromium)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page

from forecourt.payments.keys import PAYMENTS
from forecourt.payments.services.station_tariffs import TariffHolding
from forecourt.services.access import Role
from tests.payments.conftest import RFID, eventually, prepare_network
from tests.payments.test_e2e_ocpp21_tariffs import STATION, station
from tests.support.server import running_server
from tests.web.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PASSWORD = "correct horse battery"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def operator(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Page]:
    async with running_server(tmp_path_factory.mktemp("tariffs21"), call_timeout=3.0) as server:
        services = server.forecourt.services
        await prepare_network(services, STATION)
        await services.users.create("ops", PASSWORD, Role.OPERATOR)
        await services.feature(PAYMENTS).tariffs.set_driver(RFID, "STD")
        tariffs = services.feature(PAYMENTS).station_tariffs
        async with station(server, answer="ConditionNotSupported") as cp:
            await eventually(lambda: asyncio.sleep(0, cp.held))
            # the server has recorded the answer before the station goes away
            await eventually(lambda: _answered(tariffs.holdings()))
        page = await sign_in(browser, server, "ops", PASSWORD)
        yield page
        await page.context.close()


async def _answered(holdings: Awaitable[list[TariffHolding]]) -> bool:
    return any(h.status is not None and h.status.value != "pending" for h in await holdings)


async def test_tariffs_page_shows_what_a_21_station_answered(operator: Page) -> None:
    await operator.goto("/dashboard/tariffs")
    row = operator.locator("#held-tariffs tbody tr").first
    cells = await row.locator("th, td").all_inner_texts()
    assert cells[:5] == [STATION, "0", "STD.r1", "STD.r1", "not_supported"]
    assert cells[-1] == "NO"


async def test_tariffs_page_lists_drivers_own_tariffs(operator: Page) -> None:
    await operator.goto("/dashboard/tariffs")
    cells = await operator.locator("#driver-tariffs tbody tr").first.locator("td").all_inner_texts()
    assert cells == [RFID, "STD"]
