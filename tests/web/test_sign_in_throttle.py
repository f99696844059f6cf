"""Sign-in throttling over HTTP: back-off per address and username, per address (spraying),
bounded memory that a flood cannot wipe, metrics and the security log. Counts, never timing."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from forecourt.app import create_app
from forecourt.services.access import Role
from forecourt.services.throttle import BackOffThrottle
from forecourt.services.users import PER_ACCOUNT, PER_ADDRESS, Users
from forecourt.settings import Settings

pytestmark = pytest.mark.asyncio(loop_scope="module")

PASSWORD = "a long enough password"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def app(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FastAPI]:
    tmp: Path = tmp_path_factory.mktemp("throttle")
    app = create_app(Settings(database_url=f"sqlite:///{tmp / 'web.db'}"))
    async with app.router.lifespan_context(app):
        for name in ("victim", "other", "flooded"):
            await app.state.forecourt.services.users.create(name, PASSWORD, Role.VIEWER)
        yield app


def client_from(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://forecourt.test")


async def try_sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    page = await client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    form = {"username": username, "password": password, "csrf_token": found.group(1)}
    return await client.post("/login", data=form)


async def test_a_guesser_waits_but_cannot_lock_the_user_out_elsewhere(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "forecourt.security")
    async with client_from(app, "192.0.2.10") as attacker:
        for _ in range(PER_ACCOUNT.free_failures):
            assert (await try_sign_in(attacker, "victim", "guess")).status_code == 401
        answer = await try_sign_in(attacker, "victim", "guess")
        assert answer.status_code == 429
        assert answer.headers["Retry-After"] == "30"
        assert "Too many failed attempts" in answer.text
        # Waiting: even the right password is not checked from this address.
        assert (await try_sign_in(attacker, "victim", PASSWORD)).status_code == 429
    async with client_from(app, "198.51.100.7") as victim:
        assert (await try_sign_in(victim, "victim", PASSWORD)).status_code == 303
    assert "sign-in throttled: address=192.0.2.10 username='victim'" in caplog.text
    async with client_from(app, "127.0.0.1") as scraper:
        metrics = (await scraper.get("/metrics")).text
    assert 'forecourt_throttle_waits_started_total{throttle="sign_in_account"} 1.0' in metrics
    assert 'forecourt_throttle_refused_total{throttle="sign_in_account"} 1.0' in metrics


async def test_password_spraying_from_one_address_is_slowed(app: FastAPI) -> None:
    async with client_from(app, "203.0.113.5") as sprayer:
        for n in range(PER_ADDRESS.free_failures):
            assert (await try_sign_in(sprayer, f"user{n}", "Winter2026!")).status_code == 401
        refused = await try_sign_in(sprayer, "spray-last", "Winter2026!")
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "60"
        # A right password does not lift the address's wait either.
        assert (await try_sign_in(sprayer, "other", PASSWORD)).status_code == 429


async def test_flooding_fresh_names_does_not_wipe_a_wait(app: FastAPI) -> None:
    users: Users = app.state.forecourt.services.users
    clock = users.account_throttle._clock
    users.account_throttle = BackOffThrottle(clock, PER_ACCOUNT, max_keys=30)
    users.address_throttle = BackOffThrottle(clock, PER_ADDRESS, max_keys=30)
    async with client_from(app, "192.0.2.77") as attacker:
        for _ in range(PER_ACCOUNT.free_failures + 1):
            await try_sign_in(attacker, "flooded", "guess")
        assert (await try_sign_in(attacker, "flooded", PASSWORD)).status_code == 429
    for block in range(4):  # 80 fresh (address, name) pairs: more than the 30 tracked
        async with client_from(app, f"192.0.2.{100 + block}") as flooder:
            for n in range(PER_ADDRESS.free_failures):
                await try_sign_in(flooder, f"fresh{block}-{n}", "guess")
    assert len(users.account_throttle) <= 30
    assert users.account_throttle.stats.evicted > 0
    async with client_from(app, "192.0.2.77") as attacker:
        assert (await try_sign_in(attacker, "flooded", PASSWORD)).status_code == 429


async def test_rotating_ipv6_addresses_in_one_64_buys_no_fresh_tries(app: FastAPI) -> None:
    for n in range(PER_ACCOUNT.free_failures):
        async with client_from(app, f"2001:db8:7:7::{n + 1}") as rotating:
            assert (await try_sign_in(rotating, "other", "guess")).status_code == 401
    async with client_from(app, "2001:db8:7:7::99") as rotating:
        assert (await try_sign_in(rotating, "other", "guess")).status_code == 429
    async with client_from(app, "2001:db8:7:8::1") as neighbour:  # another subscriber
        assert (await try_sign_in(neighbour, "other", PASSWORD)).status_code == 303
