"""Money on the operator's pages reads as money: one formatter (currency symbol, the
currency's ISO 4217 minor units), never raw integer cents."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page

from forecourt.payments.domain.payments import Payment, PaymentFlow, PaymentState
from forecourt.payments.ports import PAYMENT_STORE
from forecourt.services.access import Role
from tests.support.server import RunningServer, running_server
from tests.web.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PASSWORD = "correct horse battery"


async def add_payment(server: RunningServer, currency: str, final: int, captured: int) -> None:
    services = server.forecourt.services
    payment = Payment(
        flow=PaymentFlow.SCAN_TO_PAY,
        provider="test",
        currency=currency,
        hold_minor=5000,
        created_at=datetime.now(UTC),
        state=PaymentState.CAPTURED,
        station_id="CS-PAY",
        evse_id=1,
        authorized_minor=5000,
        final_minor=final,
        captured_minor=captured,
    )
    async with services.ctx.uow() as uow:
        await uow.repository(PAYMENT_STORE).add(payment)
        await uow.commit()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def operator(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Page]:
    async with running_server(tmp_path_factory.mktemp("money")) as server:
        await server.forecourt.services.users.create("ops", PASSWORD, Role.OPERATOR)
        await add_payment(server, "USD", 3044, 3044)
        await add_payment(server, "JPY", 1200, 1200)  # no minor unit: ¥1200, not ¥12.00
        page = await sign_in(browser, server, "ops", PASSWORD)
        yield page
        await page.context.close()


async def test_payments_page_shows_amounts_not_cents(operator: Page) -> None:
    await operator.goto("/dashboard/payments")
    rows = [" | ".join(await row.locator("td").all_inner_texts())
            for row in await operator.locator("tbody tr").all()]  # fmt: skip

    usd = next(row for row in rows if "$50.00" in row)
    assert usd.count("$30.44") == 2, usd  # final and captured
    assert "3044" not in usd
    yen = next(row for row in rows if "¥5000" in row)
    assert yen.count("¥1200") == 2, yen
