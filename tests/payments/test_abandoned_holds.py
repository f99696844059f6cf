"""A driver opens the card page and walks away: the hold expires, is released at the provider,
and the operator sees it released (API and Payments page). Real server, real HTTP, the test
provider."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from forecourt.payments.domain.payments import PaymentState
from forecourt.services.access import Role
from forecourt.simulator import SimulatedStation
from tests.payments.conftest import eventually, prepare_network, provider_of, station_config
from tests.support.server import RunningServer, running_server

pytestmark = pytest.mark.asyncio


@pytest.fixture
def card_page_timeout() -> float:
    return 1.5


@pytest.fixture
async def server(tmp_path: Path, card_page_timeout: float) -> AsyncIterator[RunningServer]:
    settings = {
        "call_timeout": 3.0,
        "payments_sweep_interval": 0.3,
        "payments_card_page_timeout": card_page_timeout,
        "test_provider_state_file": tmp_path / "provider.json",
    }
    async with running_server(tmp_path, **settings) as running:
        await prepare_network(running.forecourt.services, "PAY-16")
        yield running


async def test_an_abandoned_card_page_expires_and_the_hold_is_released(
    server: RunningServer,
) -> None:
    services = server.forecourt.services
    key, _ = await services.api_keys.create("operator", Role.OPERATOR)
    async with (
        SimulatedStation(station_config(server, "PAY-16", "1.6")) as station,
        httpx.AsyncClient(base_url=server.http_url, timeout=60) as http,
    ):
        await station.wait_ready(timeout=30)
        started = await http.post(
            "/api/payments/scan-to-pay", json={"station_id": "PAY-16", "evse_id": 1}
        )
        assert started.status_code == 201, started.text
        public_id = started.json()["public_id"]
        assert started.json()["state"] == "pending"
        operator = {"Authorization": f"Bearer {key}"}
        pending = (await http.get(f"/api/payments/{public_id}", headers=operator)).json()
        created = datetime.fromisoformat(pending["created_at"])
        expires = datetime.fromisoformat(pending["expires_at"])
        assert (expires - created).total_seconds() == pytest.approx(1.5)
        # the driver never enters a card

        async def released() -> dict[str, object] | None:
            answer = await http.get(
                f"/api/payments/{public_id}", headers={"Authorization": f"Bearer {key}"}
            )
            body: dict[str, object] = answer.json()
            return body if body["state"] == PaymentState.RELEASED.value else None

        payment = await eventually(released)
        assert "not completed in time" in str(payment["message"])
        assert payment["expires_at"] is None
        status = (await http.get(f"/api/payments/{public_id}/status")).json()
        assert status["state"] == "released"
    [hold] = provider_of(server).holds()
    assert hold.status.value == "canceled", hold


# Long enough for a loaded machine to sign in and read the page while the hold is pending.
@pytest.mark.parametrize("card_page_timeout", [10.0])
async def test_the_operator_payments_page_says_when_a_pending_hold_is_released(
    server: RunningServer,
) -> None:
    services = server.forecourt.services
    await services.users.create("ops", "a long enough password", Role.VIEWER)
    async with (
        SimulatedStation(station_config(server, "PAY-16", "1.6")) as station,
        httpx.AsyncClient(base_url=server.http_url, timeout=60) as http,
    ):
        await station.wait_ready(timeout=30)
        body = {"station_id": "PAY-16", "evse_id": 1}
        assert (await http.post("/api/payments/scan-to-pay", json=body)).status_code == 201
        login = await http.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert token is not None
        form = {"username": "ops", "password": "a long enough password",
                "csrf_token": token.group(1)}  # fmt: skip
        assert (await http.post("/login", data=form)).status_code == 303
        page = (await http.get("/dashboard/payments")).text
        assert "released if unused" in page

        async def released_row() -> str | None:
            text = (await http.get("/dashboard/payments")).text
            return text if "not completed in time" in text else None

        await eventually(released_row)
