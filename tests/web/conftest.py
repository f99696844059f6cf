"""Browser tests: a real server on 127.0.0.1, simulated stations over real websockets, and
headless Chromium (Debian's, never downloaded) driven by Playwright.

One server, one browser and one event loop per module keep the suite fast; stations run
with short intervals and accelerated vehicle time.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest_asyncio
import uvicorn
from fastapi import FastAPI
from playwright.async_api import Browser, Page, ViewportSize, async_playwright

from forecourt.app import create_app
from forecourt.cli.serve import uvicorn_config
from forecourt.services.access import Role
from forecourt.settings import Settings
from forecourt.simulator import SimulatedStation, StationConfig
from tests.storage.conftest import (  # noqa: F401  (the repository contract runs on both)
    database,
    database_url,
    postgres_url,
    sqlite_template,
)
from tests.support.server import RunningServer, free_port, running_server

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
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}

#: Simulated stations: short intervals, vehicle time x30, quick handshakes.
FAST: dict[str, Any] = {
    "meter_interval_s": 0.4,
    "heartbeat_interval_s": 5.0,
    "speed": 30.0,
    "think_time_s": 0.05,
    "call_timeout_s": 3.0,
    "boot_retry_s": 0.3,
    "reconnect_delay_s": 0.1,
    "reboot_delay_s": 0.1,
    "id_tags": ["TAG-WEB-1"],
}

StationFactory = Callable[..., SimulatedStation]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One Chromium for the whole web suite (launching it is the slowest step)."""
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


def station_factory(server: RunningServer, started: list[SimulatedStation]) -> StationFactory:
    def make(station_id: str, protocol: str = "2.0.1", **overrides: Any) -> SimulatedStation:
        settings = {**FAST, **overrides}
        config = StationConfig(station_id, protocol, url=server.ws_url, **settings)  # type: ignore[arg-type]
        station = SimulatedStation(config)
        started.append(station)
        return station

    return make


async def stop_all(stations: list[SimulatedStation]) -> None:
    for station in stations:
        await station.stop(timeout=1.0)


@asynccontextmanager
async def server_with_station(
    folder: Path,
    station_id: str,
    protocol: str,
    *,
    user: str,
    password: str,
    role: Role,
    **overrides: Any,
) -> AsyncIterator[RunningServer]:
    """A server with one user and one registered station, connected (simulated, FAST)."""
    async with running_server(folder, **overrides) as running:
        services = running.forecourt.services
        await services.network.add_station(station_id)
        await services.users.create(user, password, role)
        started: list[SimulatedStation] = []
        station = station_factory(running, started)(station_id, protocol)
        await station.start()
        await station.wait_ready(30)
        try:
            yield running
        finally:
            await stop_all(started)


async def sign_in(browser: Browser, server: RunningServer, username: str, password: str) -> Page:
    """A tab in a new browser context, signed in through the login form (on the overview).

    Tests reuse their tab: a new one costs about a second in headless Chromium.
    """
    context = await browser.new_context(base_url=server.http_url, viewport=DESKTOP)
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile(r".*/dashboard$"))
    return page


def watch_errors(page: Page) -> list[str]:
    """Console errors and uncaught exceptions (CSP violations show up here too)."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


async def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@asynccontextmanager
async def running_web_server(
    tmp_path: Path, prepare: Callable[[FastAPI], None], **overrides: Any
) -> AsyncIterator[RunningServer]:
    """Like ``tests.support.server.running_server``, with ``prepare(app)`` before serving
    (to add driver-page hooks the way another feature would)."""
    settings = Settings(
        port=free_port(), database_url=f"sqlite:///{tmp_path / 'web.db'}", **overrides
    )
    app = create_app(settings)
    prepare(app)
    server = uvicorn.Server(uvicorn_config(settings, app))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield RunningServer(app.state.forecourt, settings.port)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)
