"""The reliability dashboard pages over HTTP (in-process app with its real lifespan)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from forecourt.app import create_app
from forecourt.domain.connectors import ConnectorType
from forecourt.domain.stations import Site
from forecourt.reliability.domain.model import FaultKind, Finding
from forecourt.reliability.domain.thresholds import Thresholds
from forecourt.reliability.domain.watch import Decisions
from forecourt.reliability.keys import RELIABILITY
from forecourt.reliability.ports import TicketFilter
from forecourt.reliability.services.writer import Batch
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.services.network import ConnectorSpec
from forecourt.settings import Settings

PASSWORD = "a long enough password"


async def _sign_in(client: httpx.AsyncClient, username: str) -> None:
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    data = {"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    assert (await client.post("/login", data=data)).status_code == 303
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', (await client.get("/dashboard")).text)
    assert fresh is not None  # CSRF tokens are bound to the session: a new one after sign-in
    client.headers["X-CSRF-Token"] = fresh.group(1)


@pytest.fixture
async def web(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'web.db'}"))
    async with app.router.lifespan_context(app):
        services: Services = app.state.forecourt.services
        await services.network.add_site(Site("north", "North Lot"))
        await services.network.add_station("N-1", site_id="north")
        await services.network.set_connector("N-1", ConnectorSpec(1, 1, ConnectorType.CCS1))
        await services.users.create("tech", PASSWORD, Role.TECHNICIAN)
        await services.users.create("watcher", PASSWORD, Role.VIEWER)
        finding = Finding(
            FaultKind.CONNECTOR, "N-1", 1, services.ctx.clock.now(), 0.9, "latch broken"
        )
        batch = Batch("N-1", "north", Thresholds(), Decisions(findings=[finding]))
        services.feature(RELIABILITY).writer.submit(batch)
        await services.feature(RELIABILITY).settle()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://forecourt.test"
        ) as client:
            yield client, services


async def test_the_network_overview_alerts_show_reliabilitys_faults_and_tickets(
    web: tuple[httpx.AsyncClient, Services],
) -> None:
    """One source of truth: the dashboard's Alerts box never says "no faults" while the
    Reliability page lists an active fault and an open ticket."""
    client, _ = web
    await _sign_in(client, "watcher")
    page = (await client.get("/dashboard")).text
    alerts = page[page.index('id="alerts-title"') : page.index('id="sites-title"')]
    assert "No active faults" not in alerts
    assert "latch broken" in alerts
    assert '<span class="badge tone-bad">Connector (EVSE 1)</span>' in alerts  # kind and port
    assert '<a href="/dashboard/stations/N-1">N-1</a>' in alerts
    assert "1 open maintenance ticket" in alerts


async def test_overview_lists_tickets_faults_and_uptime(
    web: tuple[httpx.AsyncClient, Services],
) -> None:
    client, _ = web
    await _sign_in(client, "watcher")
    page = await client.get("/dashboard/reliability")
    assert page.status_code == 200
    assert "latch broken" in page.text
    assert 'href="/dashboard/reliability"' in page.text  # in the navigation
    assert "N-1/1" in page.text  # an uptime row for the port


async def test_ticket_page_and_workflow_buttons(web: tuple[httpx.AsyncClient, Services]) -> None:
    client, services = web
    (ticket,), _ = await services.feature(RELIABILITY).tickets.list(TicketFilter())
    await _sign_in(client, "watcher")
    page = await client.get(f"/dashboard/reliability/tickets/{ticket.id}")
    assert "Mark acknowledged" not in page.text  # viewers do not get the buttons
    forbidden = await client.post(
        f"/dashboard/reliability/tickets/{ticket.id}/transition", data={"state": "acknowledged"}
    )
    assert forbidden.status_code == 403
    client.cookies.clear()
    del client.headers["X-CSRF-Token"]
    await _sign_in(client, "tech")
    page = await client.get(f"/dashboard/reliability/tickets/{ticket.id}")
    assert "Mark acknowledged" in page.text
    moved = await client.post(
        f"/dashboard/reliability/tickets/{ticket.id}/transition",
        data={"state": "acknowledged", "note": "on it"},
    )
    assert moved.status_code == 303
    page = await client.get(f"/dashboard/reliability/tickets/{ticket.id}")
    assert "acknowledged" in page.text
    assert "web:tech" in page.text


async def test_station_page_gets_a_port_health_panel(
    web: tuple[httpx.AsyncClient, Services],
) -> None:
    client, _ = web
    await _sign_in(client, "watcher")
    station = await client.get("/dashboard/stations/N-1")
    assert "/dashboard/reliability/stations/N-1/panel" in station.text
    panel = await client.get("/dashboard/reliability/stations/N-1/panel")
    assert "Port health" in panel.text
    assert "connector" in panel.text  # the open ticket is linked
