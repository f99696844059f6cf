"""Screenshots of every dashboard and driver page, desktop and phone, into docs/screenshots/.

    PYTHONPATH=src .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--warmup 25]

Starts Forecourt on 127.0.0.1 (a free port, a temporary SQLite database) with the demo's site
and simulated fleet plus a time-of-day tariff, lets the fleet charge for a while, signs in
and photographs each page with Debian's headless Chromium (never a downloaded browser). PNGs
are reduced to a 256-colour palette so the committed set stays small. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import socket
import sys
import tempfile
from datetime import time
from decimal import Decimal
from pathlib import Path

import uvicorn
from PIL import Image
from playwright.async_api import Browser, Page, async_playwright

from forecourt.app import create_app
from forecourt.cli.demo import provision
from forecourt.cli.serve import uvicorn_config
from forecourt.domain.stations import RegistrationPolicy
from forecourt.payments.domain.tariffs import EnergyBand, Tariff
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.ports import TariffBinding
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.settings import Settings
from forecourt.simulator.fleet import Fleet, FleetConfig

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
DASHBOARD = [
    ("dashboard-overview", "/dashboard"),
    ("dashboard-station", "/dashboard/stations/DEMO-001"),
    ("dashboard-sessions", "/dashboard/sessions"),
    ("dashboard-session", "/dashboard/sessions/1"),
    ("dashboard-sites", "/dashboard/sites"),
    ("dashboard-tokens", "/dashboard/tokens"),
    ("dashboard-api-keys", "/dashboard/api-keys"),
    ("dashboard-payments", "/dashboard/payments"),
    ("dashboard-tariffs", "/dashboard/tariffs"),
    ("dashboard-reliability", "/dashboard/reliability"),
]
DRIVER = [
    ("driver-site", "/s/demo"),
    ("driver-port", "/s/demo/evse/DEMO-001/1"),
    ("driver-pay", "/pay/DEMO-002/1"),
    ("driver-receipts", "/receipts"),
    ("driver-not-found", "/s/nowhere"),
    ("login", "/login"),
]
TARIFF = Tariff(
    code="DEMO-TOU",
    name="Demo time of use",
    currency="USD",
    energy_bands=(
        EnergyBand(time(7, 0), Decimal("0.45")),
        EnergyBand(time(16, 0), Decimal("0.58")),
        EnergyBand(time(21, 0), Decimal("0.39")),
    ),
    session_fee=Decimal("1.00"),
    timezone="UTC",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def prepare(services: Services, fleet: FleetConfig) -> str:
    """The demo's network, a tariff, and an admin; returns the admin's password."""
    await provision(services, fleet)
    tariffs = services.feature(PAYMENTS).tariffs
    if not await tariffs.bindings():
        await tariffs.publish(TARIFF)
        await tariffs.bind(TariffBinding(TARIFF.code))
    password = secrets.token_urlsafe(12)
    await services.users.create("admin", password, Role.ADMIN)
    return password


async def shoot(page: Page, base: str, name: str, path: str, out: Path, size: str) -> None:
    await page.goto(base + path)
    await page.wait_for_load_state("load")
    await page.wait_for_timeout(800)  # charts and htmx panels settle
    target = out / f"{name}-{size}.png"
    await page.screenshot(path=str(target), full_page=True)
    with Image.open(target) as image:
        image.convert("RGB").quantize(colors=256).save(target, optimize=True)
    print(f"{target}  {target.stat().st_size // 1024} KiB", flush=True)


async def photograph(browser: Browser, base: str, password: str, out: Path) -> None:
    for size, viewport in SIZES.items():
        context = await browser.new_context(viewport=viewport)  # type: ignore[arg-type]
        page = await context.new_page()
        for name, path in DRIVER:
            await shoot(page, base, name, path, out, size)
        await page.goto(base + "/login")
        await page.get_by_label("Username").fill("admin")
        await page.get_by_label("Password").fill(password)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url("**/dashboard")
        for name, path in DASHBOARD:
            await shoot(page, base, name, path, out, size)
        await context.close()


async def main(out: Path, warmup_s: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            port=free_port(),
            database_url=f"sqlite:///{Path(tmp) / 'screens.db'}",
            registration_policy=RegistrationPolicy.AUTO,
            secret_key=secrets.token_urlsafe(32),
            log_level="WARNING",
        )
        app = create_app(settings)
        server = uvicorn.Server(uvicorn_config(settings, app))
        serving = asyncio.create_task(server.serve())
        while not server.started:  # noqa: ASYNC110 (uvicorn offers no event)
            await asyncio.sleep(0.05)
        base = f"http://127.0.0.1:{settings.port}"
        fleet_config = FleetConfig(
            stations=4, protocol="mixed", url=f"ws://127.0.0.1:{settings.port}/ocpp",
            prefix="DEMO", speed=60.0, meter_interval_s=2.0, mean_idle_s=4.0,
            include_chademo=True, seed=7, think_time_s=0.2,
        )  # fmt: skip
        password = await prepare(app.state.forecourt.services, fleet_config)
        stop = asyncio.Event()
        fleet = asyncio.create_task(Fleet(fleet_config).run(stop))
        await asyncio.sleep(warmup_s)
        try:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
                )
                await photograph(browser, base, password, out)
                await browser.close()
        finally:
            stop.set()
            await asyncio.wait_for(fleet, 30)
            server.should_exit = True
            await serving


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--warmup", type=float, default=25.0, help="Seconds of charging first.")
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(arguments.out, arguments.warmup))
    sys.exit(0)
