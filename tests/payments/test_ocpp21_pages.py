"""A 2.1 station's terminal payments on the operator's pages, like every other payment: the
settled one with its receipt, the rejected one waiting for an operator (headless Chromium)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from ocpp.v21 import call
from playwright.async_api import Browser, Page

from forecourt.domain.money import Money
from forecourt.services.access import Role
from tests.payments.conftest import eventually, prepare_network
from tests.payments.test_e2e_ocpp21_direct_payment import (
    STATION,
    ended,
    final_cost,
    settlement,
    started,
    station,
)
from tests.support.server import running_server
from tests.web.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PASSWORD = "correct horse battery"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def operator(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Page]:
    async with running_server(tmp_path_factory.mktemp("ocpp21"), call_timeout=3.0) as server:
        services = server.forecourt.services
        await prepare_network(services, STATION)
        await services.users.create("ops", PASSWORD, Role.OPERATOR)
        async with station(server) as cp:
            await cp.call(started("TX-PAGE-1", "PSP-PAGE-OK"))
            await cp.call(ended("TX-PAGE-1", "PSP-PAGE-OK"))
            priced = await eventually(lambda: final_cost(services, "PSP-PAGE-OK"))
            amount = float(Money(priced.final_minor or 0, "USD").to_decimal())
            await cp.call(settlement("PSP-PAGE-OK", amount))
            await cp.call(started("TX-PAGE-2", "PSP-PAGE-NO"))
            await cp.call(ended("TX-PAGE-2", "PSP-PAGE-NO"))
            await eventually(lambda: final_cost(services, "PSP-PAGE-NO"))
            no = settlement("PSP-PAGE-NO", amount, status="Rejected", status_info="do not honour")
            await cp.call(no)
            assert isinstance(no, call.NotifySettlement)
        page = await sign_in(browser, server, "ops", PASSWORD)
        yield page
        await page.context.close()


async def test_payments_page_shows_terminal_payments(operator: Page) -> None:
    await operator.goto("/dashboard/payments")
    rows = [" | ".join(await row.locator("td").all_inner_texts())
            for row in await operator.locator("tbody tr").all()]  # fmt: skip
    at_terminal = [row for row in rows if STATION in row]
    assert len(at_terminal) == 2, rows
    assert all("card at dispenser" in row for row in at_terminal)
    assert any("captured" in row for row in at_terminal)
    assert any("escalated" in row for row in at_terminal)
    body = await operator.locator("main").inner_text()
    assert "station settlement rejected" in body
    assert "do not honour" in body
