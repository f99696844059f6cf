"""The web pages over HTTP (no browser): sign-in, CSRF, roles, site scopes, management forms,
driver-page slots. The app runs in-process with its real lifespan and a SQLite file."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from jinja2 import ChoiceLoader, DictLoader

from forecourt.app import create_app
from forecourt.domain.connectors import ConnectorType
from forecourt.domain.stations import Site
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.services.network import ConnectorSpec
from forecourt.settings import Settings

pytestmark = pytest.mark.asyncio(loop_scope="module")

PASSWORD = "a long enough password"


@dataclass
class Rig:
    app: FastAPI
    services: Services

    def client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(transport=transport, base_url="http://forecourt.test")

    @asynccontextmanager
    async def signed_in(self, username: str) -> AsyncIterator[httpx.AsyncClient]:
        async with self.client() as client:
            token = await csrf_token(client, "/login")
            answer = await client.post(
                "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
            )
            assert answer.status_code == 303, answer.text
            # CSRF tokens are bound to the session: sign-in needs a fresh one.
            client.headers["X-CSRF-Token"] = await csrf_token(client, "/dashboard")
            yield client


async def csrf_token(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found.group(1)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def rig(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Rig]:
    tmp: Path = tmp_path_factory.mktemp("http")
    app = create_app(Settings(database_url=f"sqlite:///{tmp / 'web.db'}"))
    async with app.router.lifespan_context(app):
        services: Services = app.state.forecourt.services
        for site_id, name in (("north", "North Lot"), ("south", "South Lot")):
            await services.network.add_site(Site(site_id, name))
        await services.network.add_station("N-1", site_id="north")
        await services.network.add_station("S-1", site_id="south")
        await services.network.set_connector("N-1", ConnectorSpec(1, 1, ConnectorType.CCS1))
        for username, role in (
            ("admin", Role.ADMIN),
            ("ops", Role.OPERATOR),
            ("tech", Role.TECHNICIAN),
            ("watcher", Role.VIEWER),
        ):
            await services.users.create(username, PASSWORD, role)
        await services.users.create("host", PASSWORD, Role.VIEWER, ["north"])
        yield Rig(app, services)


async def test_anonymous_dashboard_requests_go_to_sign_in(rig: Rig) -> None:
    async with rig.client() as client:
        page = await client.get("/dashboard/sessions?state=active")
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=%2Fdashboard%2Fsessions%3Fstate%3Dactive"
        stream = await client.get("/dashboard/live", headers={"Accept": "text/event-stream"})
        assert stream.status_code == 401  # an EventSource stops instead of retrying
        htmx = await client.get("/dashboard", headers={"HX-Request": "true"})
        assert htmx.headers["HX-Redirect"].startswith("/login")
        assert (await client.get("/")).headers["location"] == "/dashboard"


async def test_wrong_passwords_are_refused_then_throttled(rig: Rig) -> None:
    async with rig.client() as client:
        token = await csrf_token(client, "/login")
        form = {"username": "tech", "password": "wrong password", "csrf_token": token}
        answer = await client.post("/login", data=form)
        assert answer.status_code == 401
        assert "Wrong username or password." in answer.text
        for _ in range(10):
            answer = await client.post("/login", data=form)
        assert "Too many failed attempts" in answer.text
        right = await client.post("/login", data={**form, "password": PASSWORD})
        assert right.status_code == 429  # this address waits, even with the right password
    rig.services.users.account_throttle.succeeded("127.0.0.1\x00tech")  # others sign in


async def test_sign_in_redirects_only_to_local_pages(rig: Rig) -> None:
    async with rig.client() as client:
        token = await csrf_token(client, "/login?next=//evil.example/")
        assert (
            'name="next" value="/dashboard"'
            in (await client.get("/login?next=//evil.example/")).text
        )
        form = {
            "username": "ops",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example",
        }
        answer = await client.post("/login", data=form)
        assert answer.headers["location"] == "/dashboard"
        cookie = answer.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie


async def test_posts_need_the_csrf_token(rig: Rig) -> None:
    async with rig.signed_in("ops") as client:
        del client.headers["X-CSRF-Token"]
        refused = await client.post("/dashboard/sites", data={"site_id": "x", "name": "X"})
        assert refused.status_code == 403
        assert "expired" in refused.text
        forged = await client.post(
            "/dashboard/sites", data={"site_id": "x", "name": "X", "csrf_token": "forged"}
        )
        assert forged.status_code == 403


async def test_site_hosts_see_only_their_sites_and_cannot_command(rig: Rig) -> None:
    async with rig.signed_in("host") as client:
        overview = await client.get("/dashboard")
        assert 'data-station="N-1"' in overview.text
        assert 'data-station="S-1"' not in overview.text
        assert (await client.get("/dashboard/stations/S-1")).status_code == 404
        station = await client.get("/dashboard/stations/N-1")
        assert station.status_code == 200
        assert "/commands/" not in station.text
        refused = await client.post("/dashboard/stations/N-1/commands/reset", data={})
        assert refused.status_code == 403
        assert (await client.get("/dashboard/tokens")).status_code == 403
        sites = await client.get("/dashboard/sites")
        assert "North Lot" in sites.text
        assert "South Lot" not in sites.text


async def test_technicians_send_commands_and_see_the_answer(rig: Rig) -> None:
    async with rig.signed_in("tech") as client:
        page = await client.post("/dashboard/stations/S-1/commands/reset", data={"hard": "false"})
        assert page.status_code == 303
        shown = await client.get(page.headers["location"])
        assert 'data-command-status="offline"' in shown.text
        fragment = await client.post(
            "/dashboard/stations/S-1/commands/unlock_connector",
            data={"connector": "1:1"},
            headers={"HX-Request": "true"},
        )
        assert fragment.text.startswith('<p class="notice error"')
        assert "not connected" in fragment.text
        bad = await client.post(
            "/dashboard/stations/S-1/commands/remote_start", data={"evse_id": "0"}
        )
        assert bad.status_code == 400
        assert "id_token" in bad.text
        unknown = await client.post("/dashboard/stations/S-1/commands/self_destruct", data={})
        assert unknown.status_code == 404


async def test_operators_manage_sites_and_tokens(rig: Rig) -> None:
    async with rig.signed_in("ops") as client:
        added = await client.post(
            "/dashboard/sites", data={"site_id": "east", "name": "East Depot"}
        )
        assert added.headers["location"] == "/dashboard/sites?done=site"
        assert "East Depot" in (await client.get("/dashboard/sites?done=site")).text
        await client.post("/dashboard/tokens", data={"value": "04AABBCC", "kind": "rfid"})
        await client.post("/dashboard/tokens/block", data={"value": "04AABBCC", "blocked": "true"})
        assert (await rig.services.network.token("04AABBCC")).blocked
        duplicate = await client.post("/dashboard/sites", data={"site_id": "east", "name": "E"})
        assert duplicate.status_code == 409
        assert (await client.get("/dashboard/api-keys")).status_code == 403


async def test_admins_create_api_keys_shown_once(rig: Rig) -> None:
    async with rig.signed_in("admin") as client:
        created = await client.post(
            "/dashboard/api-keys", data={"name": "billing", "role": "viewer"}
        )
        key = re.search(r'<code id="new-key">([^<]+)</code>', created.text)
        assert key is not None
        assert await rig.services.api_keys.verify(key.group(1)) is not None
        listing = await client.get("/dashboard/api-keys")
        assert key.group(1) not in listing.text
        assert "API keys" in listing.text


async def test_a_password_change_ends_sessions(rig: Rig) -> None:
    async with rig.signed_in("watcher") as client:
        assert (await client.get("/dashboard")).status_code == 200
        await rig.services.users.set_password("watcher", "another long password")
        assert (await client.get("/dashboard")).status_code == 303
    await rig.services.users.set_password("watcher", PASSWORD)


async def test_pages_carry_security_headers(rig: Rig) -> None:
    async with rig.signed_in("watcher") as client:
        page = await client.get("/dashboard")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["x-content-type-options"] == "nosniff"
    async with rig.client() as client:
        driver = await client.get("/s/north")
        assert driver.headers["cache-control"] == "no-cache"


async def test_driver_pages_without_hooks_invent_nothing(rig: Rig) -> None:
    web = rig.app.state.web
    hooks, web.driver_hooks = web.driver_hooks, []  # as if no payment or compat feature ran
    try:
        await _driver_pages_alone(rig)
    finally:
        web.driver_hooks = hooks


async def _driver_pages_alone(rig: Rig) -> None:
    async with rig.client() as client:
        page = await client.get("/s/north")
        assert page.status_code == 200
        assert "has not published a price" in page.text
        assert 'data-slot="pay"' not in page.text
        assert 'data-slot="mycar"' not in page.text
        assert 'data-plug="ccs1"' in page.text
        assert "Offline — status unknown" in page.text
        evse = await client.get("/s/north/evse/N-1/1")
        assert evse.status_code == 200
        elsewhere = await client.get("/s/south/evse/N-1/1")
        assert elsewhere.status_code == 404
        assert "/login" not in elsewhere.text
        assert (await client.get("/s/nowhere")).status_code == 404


async def test_session_filters_explain_bad_dates(rig: Rig) -> None:
    async with rig.signed_in("host") as client:
        page = await client.get("/dashboard/sessions?since=yesterday")
        assert page.status_code == 400
        assert "YYYY-MM-DD" in page.text
        assert (await client.get("/dashboard/sessions?station=S-1")).status_code == 404
        assert (await client.get("/dashboard/sessions?state=active")).status_code == 200


async def test_features_add_templates_to_slots(rig: Rig) -> None:
    web = rig.app.state.web
    environment = web.renderer.environment
    original = environment.loader
    panel = '<p id="slot-panel">Uptime of {{ station.id }}</p>'
    environment.loader = ChoiceLoader([original, DictLoader({"test/_panel.html": panel})])
    web.add_slot_template("dashboard.station", "test/_panel.html")
    try:
        async with rig.signed_in("watcher") as client:
            page = await client.get("/dashboard/stations/N-1")
        assert '<p id="slot-panel">Uptime of N-1</p>' in page.text
        with pytest.raises(ValueError, match="unknown slot"):
            web.add_slot_template("dashboard.nowhere", "test/_panel.html")
    finally:
        web.slots["dashboard.station"].clear()
        environment.loader = original
