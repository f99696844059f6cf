"""``forecourt demo``: the CSMS on SQLite with a simulated fleet, for a first look."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from datetime import time
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from forecourt.cli.runtime import EXIT_FAILED
from forecourt.cli.serve import load_settings, uvicorn_config
from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType
from forecourt.domain.errors import Conflict
from forecourt.domain.stations import RegistrationPolicy, Site
from forecourt.domain.tokens import TokenRecord
from forecourt.payments.domain.tariffs import EnergyBand, Tariff
from forecourt.payments.keys import PAYMENTS

if TYPE_CHECKING:  # the app, services and simulator are imported when the demo runs
    import uvicorn

    from forecourt.services.core import Services
    from forecourt.settings import Settings
    from forecourt.simulator.config import EvseConfig
    from forecourt.simulator.fleet import FleetConfig

DEMO_SITE = "demo"
DEMO_DIR = Path("var")
DEMO_USER = "admin"
DEMO_TARIFF = Tariff(
    code="DEMO",
    name="Demo forecourt",
    currency="USD",
    energy_bands=(EnergyBand(time(0), Decimal("0.48")),),
    session_fee=Decimal("1.00"),
    idle_fee_per_minute=Decimal("0.40"),
    idle_grace_minutes=10,
)
#: The simulated drivers never use this port, so a visitor can always try paying by card.
VISITOR_PORT = "DEMO-001/1"


def demo(
    stations: Annotated[int, typer.Option(min=1, max=500, help="Simulated stations.")] = 4,
    port: Annotated[int, typer.Option(min=1, max=65535, help="HTTP/OCPP port.")] = 9000,
    protocol: Annotated[str, typer.Option(help="1.6, 2.0.1 or mixed.")] = "mixed",
    duration: Annotated[
        float | None, typer.Option(help="Stop after this many seconds (default: Ctrl-C).")
    ] = None,
    database_url: Annotated[str | None, typer.Option(help="Default: var/demo.db.")] = None,
) -> None:
    """Start Forecourt with a demo site and a fleet of simulated stations charging cars."""
    from forecourt.observability.logging import configure_logging
    from forecourt.simulator.fleet import FleetConfig

    if protocol not in ("1.6", "2.0.1", "mixed"):
        raise typer.BadParameter("protocol must be 1.6, 2.0.1 or mixed", param_hint="--protocol")
    DEMO_DIR.mkdir(exist_ok=True)
    settings = load_settings(
        port=port,
        database_url=database_url or f"sqlite:///{DEMO_DIR / 'demo.db'}",
        registration_policy=RegistrationPolicy.AUTO,
        heartbeat_interval=60,
        test_provider_state_file=DEMO_DIR / "test-provider.json",  # holds survive a restart
        log_level="WARNING",
        secret_key=_demo_secret_key(),
    )
    _first_run_check(settings)
    configure_logging(settings.log_level, settings.log_format.value)
    fleet = FleetConfig(
        stations=stations,
        protocol=protocol,  # type: ignore[arg-type]  # checked above
        url=f"ws://127.0.0.1:{settings.port}/ocpp",
        prefix="DEMO",
        speed=1.0,  # real time: a faster fleet reads as meter anomalies and impossible receipts
        meter_interval_s=5.0,
        mean_idle_s=20.0,
        include_chademo=True,
        duration_s=duration,
        keep_free=frozenset({VISITOR_PORT}),
    )
    asyncio.run(_run(settings, fleet))


def _first_run_check(settings: Settings) -> None:
    """`forecourt doctor` before starting: a problem is printed with its fix, not a traceback."""
    from forecourt.cli.doctor import problems, run_checks

    found = problems(run_checks(settings, for_demo=True))
    for check in found:
        typer.echo(check.line(), err=True)
    if found:
        raise typer.Exit(EXIT_FAILED)


async def _run(settings: Settings, fleet_config: FleetConfig) -> None:
    from forecourt.app import create_app
    from forecourt.simulator.fleet import Fleet

    app = create_app(settings)
    stop = asyncio.Event()
    server = _demo_server(uvicorn_config(settings, app), stop, asyncio.get_running_loop())
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            serving.result()
            return
        await asyncio.sleep(0.05)
    services: Services = app.state.forecourt.services
    await provision(services, fleet_config)
    api_key = await _demo_api_key(services)
    password = await _demo_login(services)
    _print_welcome(settings, api_key, password)
    try:
        summary = await Fleet(fleet_config).run(stop)
        typer.echo(
            f"fleet stopped: {summary.sessions} sessions, {summary.energy_wh / 1000:.1f} kWh"
        )
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await serving


def _demo_server(
    config: uvicorn.Config, stop_fleet: asyncio.Event, loop: asyncio.AbstractEventLoop
) -> uvicorn.Server:
    """The demo's server (its class is defined here: uvicorn is slow to import, and `--help`
    needs none of it)."""
    import uvicorn

    class _DemoServer(uvicorn.Server):
        """Ctrl-C (or SIGTERM) first lets the drivers finish: every running session ends with a
        stop the CSMS records, then the server stops. A second Ctrl-C stops at once."""

        def __init__(
            self, config: uvicorn.Config, stop_fleet: asyncio.Event, loop: asyncio.AbstractEventLoop
        ) -> None:
            super().__init__(config)
            self._stop_fleet = stop_fleet
            self._loop = loop
            self._asked = False

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            if self._asked:
                super().handle_exit(sig, frame)
                return
            self._asked = True
            typer.echo("Stopping: ending the running sessions first (Ctrl-C again to quit now).")
            self._loop.call_soon_threadsafe(self._stop_fleet.set)

    return _DemoServer(config, stop_fleet, loop)


async def provision(services: Services, fleet: FleetConfig) -> None:
    """Register the demo site, its stations with typed connectors, and the fleet's RFID cards.

    OCPP 1.6 stations never report their plug types, so the operator declares them: here.
    """
    from forecourt.services.network import ConnectorSpec
    from forecourt.simulator.fleet import station_configs

    with contextlib.suppress(Conflict):
        await services.network.add_site(Site(DEMO_SITE, "Demo Forecourt", "1 Main Street"))
    for station in station_configs(fleet):
        with contextlib.suppress(Conflict):
            await services.network.add_station(station.station_id, site_id=DEMO_SITE)
        for evse_number, evse in enumerate(station.evses, start=1):
            for connector_number, plug in enumerate(evse.connectors, start=1):
                spec = ConnectorSpec(
                    evse_number, connector_number, ConnectorType(plug), _rating(evse, plug)
                )
                await services.network.set_connector(station.station_id, spec)
    for tag in fleet.id_tags:
        with contextlib.suppress(Conflict):
            await services.network.add_token(TokenRecord(tag, label="demo fleet card"))
    await _price_the_site(services)


async def _price_the_site(services: Services) -> None:
    """A published tariff bound to the demo site: drivers see a price and can pay by card."""
    from forecourt.payments.ports import TariffBinding

    tariffs = services.feature(PAYMENTS).tariffs
    if DEMO_TARIFF.code not in {tariff.code for tariff in await tariffs.current()}:
        await tariffs.publish(DEMO_TARIFF)
    binding = TariffBinding(DEMO_TARIFF.code, site_id=DEMO_SITE)
    if not any(
        b.tariff_code == binding.tariff_code and b.site_id == DEMO_SITE
        for b in await tariffs.bindings()
    ):
        await tariffs.bind(binding)


def _rating(evse: EvseConfig, plug: str) -> ConnectorRating:
    if plug in ("j1772", "type2"):
        return ConnectorRating.from_limits(PowerType.AC_1_PHASE, 240, evse.max_power_w / 240)
    volts = 500.0 if plug == "chademo" else 1000.0
    current = min(500.0, evse.max_power_w / 400)
    return ConnectorRating.from_limits(PowerType.DC, volts, current, evse.max_power_w)


async def _demo_api_key(services: Services) -> str:
    """One admin key per demo database, kept beside it so the printed key stays valid."""
    path = DEMO_DIR / "demo-api-key.txt"
    if path.exists() and await services.api_keys.verify(path.read_text().strip()):
        return path.read_text().strip()
    key, _ = await services.api_keys.create("demo")
    path.write_text(key + "\n")
    return key


def _demo_secret_key() -> str | None:
    """The environment's key if one is set, else one made once and kept in the demo dir."""
    from forecourt.settings import Settings

    if not Settings().uses_default_secret_key:
        return None
    path = DEMO_DIR / "demo-secret-key.txt"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip()


async def _demo_login(services: Services) -> str:
    """A dashboard admin for the demo; its password is kept beside the demo database."""
    from forecourt.services.access import Role

    path = DEMO_DIR / "demo-login.txt"
    saved = path.read_text().strip() if path.exists() else ""
    if saved and await services.users.authenticate(DEMO_USER, saved):
        return saved
    password = secrets.token_urlsafe(12)
    try:
        await services.users.create(DEMO_USER, password, Role.ADMIN)
    except Conflict:  # the user exists with a password we no longer know
        await services.users.set_password(DEMO_USER, password)
    path.write_text(password + "\n")
    return password


def _print_welcome(settings: Settings, api_key: str, password: str) -> None:
    base = f"http://{settings.host}:{settings.port}"
    typer.echo(
        "\n".join(
            [
                "",
                "Forecourt demo is running.",
                f"  Dashboard:    {base}/dashboard   (login: {DEMO_USER} / {password})",
                f"  Driver page:  {base}/s/{DEMO_SITE}",
                f"  Try paying by card: {base}/pay/{VISITOR_PORT}   (test provider, no real money)",
                f"  REST API:     {base}/docs   (API key: {api_key})",
                f"  OCPP:         ws://{settings.host}:{settings.port}/ocpp/<station id>",
                f"  Metrics:      {base}/metrics",
                "Cars charge at real time: a DC session takes 20-40 min, as at a real site.",
                "Press Ctrl-C to stop.",
                "",
            ]
        )
    )
