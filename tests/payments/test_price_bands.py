"""Time-of-day prices on the driver pages: the whole day's table in the site's time zone,
the band in force marked, and every time on the page in that one zone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page

from forecourt.domain.connectors import ConnectorType
from forecourt.domain.stations import Site
from forecourt.payments.domain.tariffs import EnergyBand, Tariff
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.ports import TariffBinding
from forecourt.services.network import ConnectorSpec
from tests.support.server import running_server
from tests.web.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

ZONE = "America/Chicago"
PEAK = Tariff(
    code="TOU",
    name="Time of use",
    currency="USD",
    energy_bands=(
        EnergyBand(time(7, 0), Decimal("0.45")),
        EnergyBand(time(16, 0), Decimal("0.58")),
        EnergyBand(time(21, 0), Decimal("0.39")),
    ),
    session_fee=Decimal("1.00"),
    timezone=ZONE,
)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def phone(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Page]:
    async with running_server(tmp_path_factory.mktemp("bands")) as server:
        services = server.forecourt.services
        await services.network.add_site(Site("pier", "Pier 9", "9 Harbor Road", timezone=ZONE))
        await services.network.add_station("CP-PIER-1", site_id="pier")
        await services.network.set_connector("CP-PIER-1", ConnectorSpec(1, 1, ConnectorType.CCS1))
        await services.feature(PAYMENTS).tariffs.publish(PEAK)
        await services.feature(PAYMENTS).tariffs.bind(TariffBinding("TOU"))
        context = await browser.new_context(base_url=server.http_url, viewport=PHONE)
        page = await context.new_page()
        yield page
        await context.close()


@pytest.mark.parametrize("path", ["/s/pier", "/s/pier/evse/CP-PIER-1/1"])
async def test_the_whole_day_is_listed_in_the_sites_zone(phone: Page, path: str) -> None:
    await phone.goto(path)

    table = phone.locator("#price-bands")
    assert f"({ZONE} time)" in await table.locator("caption").inner_text()
    rows = [
        await row.locator("td").all_inner_texts() for row in await table.locator("tbody tr").all()
    ]
    assert [r[:2] for r in rows] == [
        ["00:00", "07:00"], ["07:00", "16:00"], ["16:00", "21:00"], ["21:00", "24:00"]
    ]  # fmt: skip
    assert [r[2].split()[0] for r in rows] == ["$0.39/kWh", "$0.45/kWh", "$0.58/kWh", "$0.39/kWh"]
    assert await table.locator("tr[aria-current]").count() == 1
    assert "session fee $1.00" in await phone.locator("#price").inner_text()
    zone_now = datetime.now(UTC).astimezone(ZoneInfo(ZONE)).tzname()
    assert f" {zone_now}." in await phone.locator("#updated").inner_text()  # not UTC
