"""Static and dynamic QR codes (OCPP 2.1 C25) through the HTTP API and the driver's page: a
dynamic code starts one payment, once, before it expires; a reused, expired or forged code is
refused with its own status and nothing is held."""

from __future__ import annotations

import re
from dataclasses import replace

import httpx
import pytest
from playwright.async_api import Browser, expect

from forecourt.payments.domain.payments import PaymentState
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.services.qr_codes import DynamicCodes
from forecourt.services.access import Role
from forecourt.simulator import SimulatedStation
from tests.payments.conftest import payments_in
from tests.support.server import RunningServer

pytestmark = pytest.mark.asyncio


async def issue(server: RunningServer, http: httpx.AsyncClient, evse: int = 1) -> dict[str, str]:
    services = server.forecourt.services
    key = (await services.api_keys.create("display", Role.ATTENDANT))[0]
    answer = await http.post(
        f"/api/payments/qr/PAY-201/{evse}", headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, str] = answer.json()
    return body


async def pay(http: httpx.AsyncClient, code: str, evse: int = 1) -> httpx.Response:
    body = {"station_id": "PAY-201", "evse_id": evse, "code": code}
    return await http.post("/api/payments/scan-to-pay", json=body)


@pytest.mark.usefixtures("station201")
async def test_a_dynamic_code_starts_one_payment_once(
    server: RunningServer, http: httpx.AsyncClient
) -> None:
    issued = await issue(server, http)
    assert issued["url"].endswith(f"/pay/PAY-201/1?code={issued['code']}")
    first = await pay(http, issued["code"])
    assert first.status_code == 201, first.text
    again = await pay(http, issued["code"])
    assert again.status_code == 409
    assert again.json()["type"].endswith("qr-code-used")
    assert "used already" in again.json()["detail"]
    assert len(await payments_in(server.forecourt.services, PaymentState.PENDING)) == 1


@pytest.mark.usefixtures("station201")
async def test_expired_forged_or_foreign_codes_are_refused(
    server: RunningServer, http: httpx.AsyncClient
) -> None:
    payments = server.forecourt.services.feature(PAYMENTS)
    stale = DynamicCodes(payments.ctx, replace(payments.policy, dynamic_qr_ttl_s=-5))
    expired = await pay(http, stale.issue("PAY-201", 1).code)
    assert expired.status_code == 410
    assert "expired" in expired.json()["detail"]
    issued = await issue(server, http, evse=2)
    foreign = await pay(http, issued["code"], evse=1)  # made for EVSE 2
    assert foreign.status_code == 400
    nonce, stamp, mac = issued["code"].split(".")
    later = f"{nonce}.{int(stamp) + 3600}.{mac}"  # a longer life, unsigned
    assert (await pay(http, later, evse=2)).status_code == 400
    assert not await payments_in(server.forecourt.services)
    assert (await pay(http, issued["code"], evse=2)).status_code == 201  # still good once


async def test_unknown_evse_gets_no_code(server: RunningServer, http: httpx.AsyncClient) -> None:
    key = (await server.forecourt.services.api_keys.create("d", Role.ATTENDANT))[0]
    answer = await http.post("/api/payments/qr/NOPE/1", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 404


@pytest.mark.browser
async def test_the_phone_page_refuses_a_reused_code(
    server: RunningServer,
    http: httpx.AsyncClient,
    station201: SimulatedStation,
    chromium: Browser,
) -> None:
    assert station201.evses
    issued = await issue(server, http)
    context = await chromium.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await page.goto(issued["url"].replace(payments_url(server), server.http_url))
    await page.click("#pay-start")
    await expect(page).to_have_url(re.compile(r"/pay/test-provider/"))
    await page.goto(issued["url"].replace(payments_url(server), server.http_url))
    await page.click("#pay-start")
    await expect(page.locator("#pay-message")).to_contain_text("used already")
    await context.close()


def payments_url(server: RunningServer) -> str:
    return server.forecourt.services.feature(PAYMENTS).policy.public_url.rstrip("/")
