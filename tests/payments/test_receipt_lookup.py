"""Finding a receipt without its code: card's last 4, day AND amount; one match at most;
misses throttled per address (by counts); never another driver's public id. Over HTTP to the
real app, and the driver's "Find a receipt" page in Chromium against a real server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect

from forecourt.payments.domain.payments import (
    CardInfo,
    Payment,
    PaymentFlow,
    PaymentState,
    new_receipt_code,
)
from forecourt.payments.ports import PAYMENT_STORE, PaymentFilter
from forecourt.payments.services.receipts import LOOKUP_MISSES
from forecourt.services.core import Services
from tests.support.server import RunningServer, running_server
from tests.web.conftest import PHONE, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

DAY = datetime(2026, 3, 14, 15, 0, tzinfo=UTC)


async def seed_twenty_receipts(services: Services) -> list[Payment]:
    """Twenty drivers whose cards end in 4242 charged on the same day, $10.01 ... $10.20."""
    paid = []
    async with services.ctx.uow() as uow:
        for n in range(1, 21):
            payment = Payment(
                PaymentFlow.SCAN_TO_PAY,
                "test",
                "USD",
                5000,
                DAY,
                state=PaymentState.CAPTURED,
                station_id="CS-1",
                evse_id=1,
                authorized_minor=5000,
                captured_minor=1000 + n,
                card=CardInfo("visa", "4242"),
                receipt_code=new_receipt_code(),
            )
            paid.append(await uow.repository(PAYMENT_STORE).add(payment))
        await uow.commit()
    return paid


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningServer]:
    tmp: Path = tmp_path_factory.mktemp("receipts")
    async with running_server(tmp) as running:
        await seed_twenty_receipts(running.forecourt.services)
        yield running


def client_from(server: RunningServer, address: str) -> httpx.AsyncClient:
    """A client from another loopback address (127.0.0.0/8 is all ours): another driver."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return httpx.AsyncClient(transport=transport, base_url=server.http_url)


async def public_ids(server: RunningServer) -> set[str]:
    async with server.forecourt.services.ctx.uow() as uow:
        return {
            p.public_id for p in await uow.repository(PAYMENT_STORE).list(PaymentFilter(limit=100))
        }


async def test_the_api_needs_the_amount_and_answers_one_receipt(server: RunningServer) -> None:
    query = {"last4": "4242", "date": "2026-03-14"}
    async with client_from(server, "127.0.0.1") as driver:
        assert (await driver.get("/api/receipts", params=query)).status_code == 422
        found = await driver.get("/api/receipts", params={**query, "amount": "10.07"})
    assert found.status_code == 200, found.text
    receipt = found.json()
    assert receipt["captured"]["amount"] == "10.07"
    assert "public_id" not in receipt
    assert not any(pid in found.text for pid in await public_ids(server))


async def test_misses_are_throttled_per_address_by_count(server: RunningServer) -> None:
    query = {"last4": "4242", "date": "2026-03-14"}
    async with client_from(server, "127.0.0.3") as guesser:
        for cents in range(LOOKUP_MISSES.free_failures):
            miss = await guesser.get("/api/receipts", params={**query, "amount": f"9.{cents:02d}"})
            assert miss.status_code == 404
        refused = await guesser.get("/api/receipts", params={**query, "amount": "9.99"})
        assert refused.status_code == 429  # one miss too many: wait 60 s
        assert refused.headers["Retry-After"] == "60"
        right = await guesser.get("/api/receipts", params={**query, "amount": "10.01"})
        assert right.status_code == 429  # waiting: not even a right guess is checked
        page = await guesser.get("/receipts", params={"last4": "4242", "day": "2026-03-14"})
        assert page.status_code == 429  # the driver page shares the same count
        by_code = await guesser.get("/api/receipts/ABCDE12345")
        assert by_code.status_code == 429  # and so do receipt codes
    async with client_from(server, "127.0.0.4") as other_driver:
        mine = await other_driver.get("/api/receipts", params={**query, "amount": "10.01"})
        assert mine.status_code == 200
    async with client_from(server, "127.0.0.1") as scraper:
        metrics = (await scraper.get("/metrics")).text
    assert 'forecourt_throttle_refused_total{throttle="receipt_lookup"} 3.0' in metrics


async def test_guessing_receipt_codes_is_throttled_too(server: RunningServer) -> None:
    async with client_from(server, "127.0.0.6") as guesser:
        for n in range(LOOKUP_MISSES.free_failures):
            assert (await guesser.get(f"/receipts/{n:010X}")).status_code == 404
        assert (await guesser.get("/api/receipts/FFFFFFFFFF")).status_code == 429


async def test_the_find_a_receipt_page_asks_for_the_amount(
    server: RunningServer, browser: Browser
) -> None:
    context = await browser.new_context(base_url=server.http_url, viewport=PHONE)
    page = await context.new_page()
    errors = watch_errors(page)
    await page.goto("/receipts")
    await page.get_by_label("Card's last 4 digits").fill("4242")
    await page.get_by_label("Day you charged").fill("2026-03-14")
    await page.get_by_label("Amount charged").fill("10.12")
    await page.get_by_role("button", name="Find").click()
    link = page.locator("#receipt-found a")
    await expect(link).to_have_count(1)
    await expect(page.locator("#receipt-found")).to_contain_text("$10.12")
    html = await page.content()
    assert not any(pid in html for pid in await public_ids(server))
    await link.click()
    await expect(page.locator("#charged")).to_contain_text("$10.12")
    await page.get_by_role("link", name="Find a receipt").click()
    await page.get_by_label("Card's last 4 digits").fill("4242")
    await page.get_by_label("Day you charged").fill("2026-03-14")
    await page.get_by_label("Amount charged").fill("3.00")
    await page.get_by_role("button", name="Find").click()
    await expect(page.get_by_role("status")).to_contain_text("No receipt matches")
    assert errors == []
    await context.close()
