"""The site's load page in headless Chromium: limit, allocation per EVSE, measured power,
following a limit change live; per-phase current and a driver's departure and need."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect

from forecourt.services.access import Role
from forecourt.smart_charging.domain.site import SiteLimit
from tests.smart_charging.conftest import (
    SITE,
    TOKENS,
    add_dc_station,
    depot,
    eventually,
    manager,
    plug_in,
    simulated,
)
from tests.support.server import RunningServer
from tests.web.conftest import sign_in, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PASSWORD = "correct horse battery"


async def test_an_operator_watches_two_cars_share_the_site_limit(
    tmp_path: Path, browser: Browser
) -> None:
    async with depot(tmp_path) as server:
        await _watch(server, browser)


async def _watch(server: RunningServer, browser: Browser) -> None:
    services = server.forecourt.services
    await services.users.create("ops", PASSWORD, Role.OPERATOR)
    await add_dc_station(services, "CS-16")
    await add_dc_station(services, "CS-201")
    await manager(services).set_limit(SiteLimit(SITE, 100_000))
    async with (
        simulated(server, "CS-16", "1.6") as old,
        simulated(server, "CS-201", "2.0.1") as new,
    ):
        await plug_in(old, 1, TOKENS[0])
        await plug_in(new, 1, TOKENS[1])

        async def shared() -> bool:
            rows = await manager(services).allocations(SITE)
            return [r.accepted_w for r in rows] == [50_000.0, 50_000.0]

        await eventually(shared, 15)

        page = await sign_in(browser, server, "ops", PASSWORD)
        errors = watch_errors(page)
        await page.get_by_role("link", name="Load").click()
        await page.get_by_role("link", name=SITE).click()
        await expect(page).to_have_url(re.compile(f"/dashboard/sites/{SITE}/load$"))

        await expect(page.get_by_test_id("limit")).to_have_text("100000.0 W")
        table = page.get_by_role("table", name="Allocation per EVSE")
        rows = table.locator("tbody tr")
        await expect(rows).to_have_count(2)
        for row in range(2):
            await expect(rows.nth(row)).to_contain_text("50.0 kW")
            await expect(rows.nth(row)).to_contain_text("accepted")
        await expect(page.get_by_test_id("measured")).to_have_text(
            re.compile(r"^(9\d|100)\.\d kW$")
        )

        # the operator lowers the limit elsewhere (API, CLI): the page follows by itself
        await manager(services).set_limit(SiteLimit(SITE, 60_000))
        await expect(rows.first).to_contain_text("30.0 kW", timeout=12_000)
        await expect(page.get_by_test_id("allocated")).to_have_text("60.0 kW")

        # a per-phase limit binds before the total; a driver on the 1.6 station gives a
        # departure through the API: the page shows both
        await manager(services).set_limit(SiteLimit(SITE, 60_000, phase_limit_a=80))
        await expect(page.get_by_test_id("phase-amps")).to_contain_text(
            "L1 80.0 A · L2 80.0 A · L3 80.0 A (limit 80.0 A per phase)", timeout=12_000
        )
        await expect(rows.first).to_contain_text("phase limit")
        await _depart(server, "CS-16", datetime.now(UTC) + timedelta(hours=2), 30_000)
        departure = rows.first.get_by_test_id("departure")
        await expect(departure).to_contain_text("30.0 kWh", timeout=12_000)
        # the need falls as the (60x accelerated) car charges: any value, in kW
        await expect(departure).to_contain_text(re.compile(r"needs \d+\.\d kW"))
        await expect(departure).to_contain_text("(api)")
        await expect(rows.nth(1).get_by_test_id("departure")).to_have_text("—")
        assert errors == []
        await page.context.close()


async def _depart(server: RunningServer, station: str, at: datetime, energy_wh: float) -> None:
    secret, _ = await server.forecourt.services.api_keys.create("driver-app", Role.OPERATOR)
    headers = {"Authorization": f"Bearer {secret}"}
    body = {"departure_at": at.isoformat(), "energy_wh": energy_wh}
    async with httpx.AsyncClient(base_url=server.http_url, headers=headers) as client:
        answer = await client.put(f"/api/stations/{station}/evses/1/departure", json=body)
    assert answer.status_code == 204, answer.text
