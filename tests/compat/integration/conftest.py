"""Real services on real SQLite, copied from a database migrated once per session (fast)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from forecourt.bootstrap import build_services, open_database
from forecourt.bus.inprocess import InProcessBus
from forecourt.compat.domain import clear_cache
from forecourt.services.core import Services
from tests.compat.integration.site import build_site
from tests.support.harness import OfflineGateway, SteppingClock
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "forecourt.db"

    async def migrate() -> None:
        database = open_database(f"sqlite:///{path}")
        await database.migrate()
        await database.dispose()

    asyncio.run(migrate())
    return path


@pytest.fixture
def database_file(tmp_path: Path, migrated_template: Path) -> Path:
    path = tmp_path / "forecourt.db"
    shutil.copyfile(migrated_template, path)
    return path


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
async def services(database_file: Path, clock: SteppingClock) -> AsyncIterator[Services]:
    """The site of ``tests.compat.integration.site`` on a fresh database."""
    clear_cache()  # answers are remembered per vehicle object: start every test clean
    database = open_database(f"sqlite:///{database_file}")
    services = build_services(database, OfflineGateway(), clock=clock, bus=InProcessBus())
    await build_site(services, clock.now())
    yield services
    await database.dispose()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    """One Chromium per browser module of this directory."""
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()
