"""The attendant's console in headless Chromium on a phone-sized screen: the attendant takes
a cash prepayment for a port, the simulated 2.0.1 station starts remotely and charges, and at
the end the page shows the receipt and the change due."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from forecourt.payments.domain.payments import Payment, PaymentState
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.simulator import SimulatedStation
from tests.payments.conftest import SITE, eventually, payments_in
from tests.payments.test_e2e_counter import charge_and_stop
from tests.support.server import RunningServer
from tests.web.conftest import sign_in

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]

PHONE: ViewportSize = {"width": 390, "height": 844}
PASSWORD = "counter-password-1"


async def signed_in(chromium: Browser, server: RunningServer, username: str) -> Page:
    page = await sign_in(chromium, server, username, PASSWORD)
    await page.set_viewport_size(PHONE)  # the counter is a phone or a tablet
    return page


async def settled(services: Services) -> Payment | None:
    found = await payments_in(services, PaymentState.CAPTURED)
    return found[0] if found else None


async def test_prepay_charge_receipt_with_change_due(
    server: RunningServer, station201: SimulatedStation, chromium: Browser
) -> None:
    services = server.forecourt.services
    await services.users.create("clerk", PASSWORD, Role.ATTENDANT, site_ids=[SITE])
    page = await signed_in(chromium, server, "clerk")

    await page.get_by_role("link", name="Counter").click()
    await page.get_by_role("link", name="Pay & Charge Plaza").click()
    await expect(page).to_have_url(re.compile(f"/dashboard/counter/{SITE}$"))
    await expect(page.locator("[data-port='PAY-201/1'] [data-slot=state]")).to_have_text(
        "available"
    )
    await page.select_option("#port", "PAY-201/1")
    await page.fill("#amount", "oops")
    await page.click("#prepay-submit")
    await expect(page.locator("#prepay-error")).to_contain_text("not a number")

    await page.select_option("#port", "PAY-201/1")
    await page.fill("#amount", "20.00")
    await page.check("#method-cash")
    await page.click("#prepay-submit")
    await expect(page).to_have_url(re.compile(r"/dashboard/counter/payments/"))
    await expect(page.locator("#prepaid")).to_have_text("$20.00")
    await expect(page.locator("#state-text")).to_have_text("Charging.", timeout=15_000)

    await charge_and_stop(station201, 1)
    paid = await eventually(lambda: settled(services))
    change = paid.change_due
    assert change.minor == 2000 - paid.captured_minor
    await expect(page.locator("#change-due")).to_have_text(str(change), timeout=15_000)
    await expect(page.locator("#charged")).to_have_text(f"${paid.captured_minor / 100:.2f}")
    await expect(page.locator("#paid-with")).to_have_text("cash")
    await expect(page.locator("#taken-by")).to_have_text("user clerk")  # who took the money
    await page.click("#receipt-link")
    await expect(page.locator("#taken-by")).to_have_text("Taken by user clerk.")
    await expect(page.locator("#receipt-total")).to_contain_text(
        f"${paid.captured_minor / 100:.2f}"
    )
    await page.context.close()


async def test_a_viewer_cannot_take_money(
    server: RunningServer, station201: SimulatedStation, chromium: Browser
) -> None:
    assert station201.evses
    services = server.forecourt.services
    await services.users.create("host", PASSWORD, Role.VIEWER, site_ids=[SITE])
    page = await signed_in(chromium, server, "host")
    await expect(page.get_by_role("link", name="Counter")).to_have_count(0)
    response = await page.goto(f"/dashboard/counter/{SITE}")
    assert response is not None
    assert response.status == 403
    await page.context.close()
