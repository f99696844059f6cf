"""Hardening over HTTP: CSRF tokens bound to the session and an Origin check, security
headers on every response (HSTS only over TLS), /metrics allow-list and token, and the
refusal to serve with the default secret key (tests/cli/test_secret_key.py)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from forecourt.app import create_app
from forecourt.services.access import Role
from forecourt.settings import Settings
from forecourt.web.auth import CSRF_COOKIE

pytestmark = pytest.mark.asyncio(loop_scope="module")

PASSWORD = "a long enough password"
METRICS_TOKEN = "scrape-me-please-0123456789"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def app(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FastAPI]:
    tmp: Path = tmp_path_factory.mktemp("hardening")
    settings = Settings(database_url=f"sqlite:///{tmp / 'web.db'}", metrics_token=METRICS_TOKEN)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        for name in ("ops", "other"):
            await app.state.forecourt.services.users.create(name, PASSWORD, Role.OPERATOR)
        yield app


def client(app: FastAPI, address: str = "127.0.0.1", scheme: str = "http") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url=f"{scheme}://forecourt.test")


async def page_token(http: httpx.AsyncClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', (await http.get(path)).text)
    assert found is not None
    return found.group(1)


async def sign_in(http: httpx.AsyncClient, username: str) -> str:
    """Signs in; the token the dashboard then hands out."""
    form = {"username": username, "password": PASSWORD}
    form["csrf_token"] = await page_token(http, "/login")
    assert (await http.post("/login", data=form)).status_code == 303
    return await page_token(http, "/dashboard")


def add_site(http: httpx.AsyncClient, token: str, **headers: str) -> object:
    form = {"site_id": "x", "name": "X", "csrf_token": token}
    return http.post("/dashboard/sites", data=form, headers=headers)


async def test_csrf_tokens_are_bound_to_the_session(app: FastAPI) -> None:
    async with client(app) as victim, client(app) as attacker:
        anonymous_token = await page_token(victim, "/login")
        victims_token = await sign_in(victim, "ops")
        assert victims_token != anonymous_token
        # A token from before sign-in (e.g. planted by an attacker) no longer counts.
        victim.cookies.set(CSRF_COOKIE, anonymous_token)
        stale = await add_site(victim, anonymous_token)
        assert stale.status_code == 403  # type: ignore[attr-defined]
        # Another session's token, even repeated in the cookie, is refused too.
        await sign_in(attacker, "other")
        attacker.cookies.set(CSRF_COOKIE, victims_token)
        borrowed = await add_site(attacker, victims_token)
        assert borrowed.status_code == 403  # type: ignore[attr-defined]


async def test_state_changes_from_another_origin_are_refused(app: FastAPI) -> None:
    async with client(app) as http:
        token = await sign_in(http, "ops")
        cross = await add_site(http, token, Origin="https://evil.example")
        assert cross.status_code == 403  # type: ignore[attr-defined]
        assert "another site" in cross.text  # type: ignore[attr-defined]
        referred = await add_site(http, token, Referer="https://evil.example/form")
        assert referred.status_code == 403  # type: ignore[attr-defined]
        opaque = await add_site(http, token, Origin="null")
        assert opaque.status_code == 403  # type: ignore[attr-defined]
        same = await add_site(http, token, Origin="http://forecourt.test")
        assert same.status_code == 303  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", ["/dashboard", "/api/sites", "/static/app.css", "/s/none"])
async def test_every_response_carries_security_headers(app: FastAPI, path: str) -> None:
    async with client(app) as plain, client(app, scheme="https") as tls:
        answer = await plain.get(path)
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert "strict-transport-security" not in answer.headers  # meaningless without TLS
        secure = await tls.get(path)
        assert secure.headers["strict-transport-security"] == "max-age=31536000"


async def test_metrics_need_loopback_or_the_token(app: FastAPI) -> None:
    async with client(app) as local, client(app, "192.0.2.50") as remote:
        assert (await local.get("/metrics")).status_code == 200
        assert (await remote.get("/metrics")).status_code == 403
        wrong = {"Authorization": "Bearer nope"}
        assert (await remote.get("/metrics", headers=wrong)).status_code == 403
        right = {"Authorization": f"Bearer {METRICS_TOKEN}"}
        scraped = await remote.get("/metrics", headers=right)
        assert scraped.status_code == 200
        assert "forecourt_connected_stations" in scraped.text
