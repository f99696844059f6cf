"""Scan-to-pay on a phone, end to end: headless Chromium (Playwright) walks from the QR page
to the test provider's card page, the station starts remotely over a real websocket, the live
page follows the session, the final amount is captured, the receipt is shown and emailed
(through a real SMTP server on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from playwright.async_api import Browser, ViewportSize, async_playwright, expect

from forecourt.domain.transactions import PaymentMethod
from forecourt.payments.domain.payments import Payment, PaymentState
from forecourt.services.access import Role
from forecourt.simulator import SimulatedStation
from tests.payments.conftest import (
    LONG,
    eventually,
    payment_in_state,
    prepare_network,
    provider_of,
    station_config,
)
from tests.support.server import RunningServer, free_port, running_server

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: ViewportSize = {"width": 390, "height": 844}


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
async def inbox() -> AsyncIterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.mark.parametrize("protocol", ["2.0.1", "1.6"])
async def test_scan_to_pay_on_a_phone(
    tmp_path: Path, browser: Browser, inbox: tuple[Inbox, int], protocol: str
) -> None:
    mails, smtp_port = inbox
    settings = {
        "call_timeout": 3.0,
        "payments_sweep_interval": 0.3,
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
    }
    async with running_server(tmp_path, **settings) as server:
        services = server.forecourt.services
        await prepare_network(services, "QR-1")
        async with SimulatedStation(station_config(server, "QR-1", protocol)) as station:
            await station.wait_ready(timeout=30)
            context = await browser.new_context(viewport=PHONE, base_url=server.http_url)
            page = await context.new_page()

            # The QR code on the dispenser leads to the port's driver page, with price and pay.
            await page.goto("/s/SITE-PAY/evse/QR-1/1")
            await expect(page.locator("[data-slot=price]")).to_contain_text("$0.45/kWh")
            await page.locator("[data-slot=pay] a").click()
            await expect(page.locator("#price-text")).to_contain_text("$0.45/kWh")
            await page.fill("#email", "driver@example.com")
            await page.click("#pay-start")

            # The provider's hosted card page (served by the test provider).
            await expect(page).to_have_url(re.compile(r"/pay/test-provider/"))
            await expect(page.locator("#hold-amount")).to_have_text("$50.00")
            await page.fill("#card_number", "4242 4242 4242 4242")
            await page.click("#card-submit")

            # Back on the live page: the station starts remotely, the page follows it.
            await expect(page).to_have_url(re.compile(r"/pay/session/"))
            await expect(page.locator("#state-text")).to_have_text("Charging.", timeout=15_000)
            session = station.evses[0].session
            assert session is not None
            session.vehicle = LONG
            await eventually(lambda: _charged(station))
            await expect(page.locator("#page-note")).to_contain_text("updates by itself")
            await page.click("#stop-charging")  # the driver ends it from the phone

            await expect(page.locator("#state-text")).to_have_text(
                "Paid. Thank you!", timeout=15_000
            )
            await expect(page.locator("#page-note")).to_have_text(
                "This session is over; this page no longer changes."
            )
            await expect(page.locator("#stop-charging")).to_have_count(0)
            await page.click("#receipt-link")
            await expect(page.locator("#receipt-total")).to_contain_text("$")
            await expect(page.locator("#authorization")).not_to_be_empty()
            await expect(page.locator("#operator-contact")).to_contain_text("quoting receipt")
            await expect(page.locator("#receipt-site")).to_have_text(
                "Pay & Charge Plaza, 1 Main St"
            )
            paid = await payment_in_state(services, PaymentState.CAPTURED)
            assert paid is not None
            await expect(page.locator("#charged")).to_have_text(f"${paid.captured_minor / 100:.2f}")
            await page.screenshot(path=str(tmp_path / "receipt.png"))
            await context.close()
            await _operator_sees_cost_and_receipt(browser, server, paid)

        assert provider_of(server).captures_applied(paid.provider_ref) == 1
        async with services.ctx.uow() as uow:
            tx = await uow.transactions.get(paid.transaction_id or 0)
        assert tx is not None
        assert tx.payment_method is PaymentMethod.SCAN_TO_PAY
        await eventually(lambda: _delivered(mails))
        mail = message_from_bytes(mails.messages[0])
        assert mail["To"] == "driver@example.com"
        assert paid.receipt_code in mail["Subject"]
        body = mail.get_payload(decode=True)
        assert isinstance(body, bytes)
        assert b"Energy" in body


async def _charged(station: SimulatedStation) -> bool:
    session = station.evses[0].session
    return session is not None and session.energy_wh > 200


async def _delivered(inbox: Inbox) -> bool:
    await asyncio.sleep(0)
    return bool(inbox.messages)


async def test_declined_card_shows_a_clear_message(tmp_path: Path, browser: Browser) -> None:
    async with running_server(tmp_path, call_timeout=3.0) as server:
        services = server.forecourt.services
        await prepare_network(services, "QR-2")
        async with SimulatedStation(station_config(server, "QR-2", "2.0.1")) as station:
            await station.wait_ready(timeout=30)
            context = await browser.new_context(viewport=PHONE, base_url=server.http_url)
            page = await context.new_page()
            await page.goto("/pay/QR-2/1")
            await page.click("#pay-start")
            await page.fill("#card_number", "4000000000000002")
            await page.click("#card-submit")
            await expect(page.locator("#state-text")).to_contain_text("nothing was charged")
            await expect(page.locator("#payment-message")).to_contain_text("declined")
            # The timeout card: the provider does not answer; the driver may retry.
            await page.goto("/pay/QR-2/1")
            await page.click("#pay-start")
            await page.fill("#card_number", "4000000000000119")
            await page.click("#card-submit")
            await expect(page.locator("#card-message")).to_contain_text("not answering")
            await context.close()
            assert station.free_evse(1) is not None


async def _operator_sees_cost_and_receipt(
    browser: Browser, server: RunningServer, paid: Payment
) -> None:
    """The operator's session page shows what the session cost and links its receipt."""
    await server.forecourt.services.users.create("ops", "correct horse battery", Role.OPERATOR)
    context = await browser.new_context(base_url=server.http_url)
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_label("Username").fill("ops")
    await page.get_by_label("Password").fill("correct horse battery")
    await page.get_by_role("button", name="Sign in").click()
    await page.goto(f"/dashboard/sessions/{paid.transaction_id}")
    await expect(page.locator("#cost-total")).to_have_text(f"${paid.captured_minor / 100:.2f}")
    await expect(page.locator("#session-receipt")).to_have_attribute(
        "href", f"/receipts/{paid.receipt_code}"
    )
    await context.close()
