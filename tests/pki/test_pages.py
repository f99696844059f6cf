"""The certificate pages in a real browser: the network's CA and certificates, and the
Certificates panel on a station page (profile, each certificate's state and expiry)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect

from forecourt.pki.keys import PKI
from forecourt.services.access import Role
from tests.support.server import RunningServer, running_server
from tests.web.conftest import browser, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PASSWORD = "correct horse battery"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningServer]:
    tmp: Path = tmp_path_factory.mktemp("pki-pages")
    async with running_server(tmp, secret_key="pki-pages-secret-0123456789") as running:
        services = running.forecourt.services
        await services.users.create("ops", PASSWORD, Role.OPERATOR)
        await services.network.add_station("CS-WEB")
        pki = services.feature(PKI)
        await pki.authority.init("Web CPO")
        old = await pki.authority.issue_key_pair("CS-WEB")
        await pki.authority.revoke(old.certificate.serial, "replaced")
        await pki.authority.issue_key_pair("CS-WEB")
        await pki.stations.set_profile("CS-WEB", 3)
        yield running


async def test_the_station_page_shows_its_certificates(
    browser: Browser,  # noqa: F811
    server: RunningServer,
) -> None:
    page = await sign_in(browser, server, "ops", PASSWORD)
    await page.goto("/dashboard/stations/CS-WEB")
    panel = page.get_by_label("Certificates")
    await expect(panel.get_by_test_id("security-profile")).to_have_text(
        "3 (TLS client certificate)"
    )
    states = panel.get_by_test_id("certificate-state")
    await expect(states).to_have_text(["valid", "revoked"])  # newest first
    await page.goto("/dashboard/pki")
    await expect(page.get_by_role("heading", name="Station certificates")).to_be_visible()
    await expect(page.get_by_role("rowheader", name="station ca")).to_be_visible()
    await expect(page.get_by_role("link", name="CS-WEB")).to_have_count(2)
