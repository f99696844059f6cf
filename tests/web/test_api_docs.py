"""``/docs`` and ``/redoc`` render offline: every request the browser makes stays on the
loopback server (the assets are vendored), and the pages show the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, Route, expect

from tests.support.server import RunningServer, running_server
from tests.web.conftest import DESKTOP, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningServer]:
    async with running_server(tmp_path_factory.mktemp("docs")) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="session")
async def offline_page(browser: Browser, server: RunningServer) -> AsyncIterator[Page]:
    """A tab with no internet: requests off the loopback server are refused and recorded."""
    context = await browser.new_context(base_url=server.http_url, viewport=DESKTOP)
    page = await context.new_page()
    outside: list[str] = []

    async def loopback_only(route: Route) -> None:
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:")):
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    await page.route("**/*", loopback_only)
    page.outside = outside  # type: ignore[attr-defined]
    yield page
    await context.close()


async def test_swagger_ui_renders_with_no_outside_request(offline_page: Page) -> None:
    errors = watch_errors(offline_page)
    await offline_page.goto("/docs")

    await expect(offline_page.locator(".swagger-ui .info .title")).to_contain_text("Forecourt")
    await expect(offline_page.locator(".opblock").first).to_be_visible()
    assert offline_page.outside == []  # type: ignore[attr-defined]
    assert errors == []  # no CSP violation: Swagger UI starts without inline script


async def test_redoc_renders_with_no_outside_request(offline_page: Page) -> None:
    await offline_page.goto("/redoc")

    await expect(offline_page.locator("h1").first).to_contain_text("Forecourt", timeout=20_000)
    await expect(offline_page.get_by_text("/api/stations").first).to_be_attached()
    assert offline_page.outside == []  # type: ignore[attr-defined]
