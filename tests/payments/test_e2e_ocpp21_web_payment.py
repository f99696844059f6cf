"""OCPP 2.1 C25, second half, over the wire: the dynamic QR code on a 2.1 station's screen
(a QRCODE display message), and the station told when a driver opens its payment page
(NotifyWebPaymentStarted), once per code.

The station is the `ocpp` package's 2.1 ChargePoint: it checks every request against its
own copy of the 2.1 schemas.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from ocpp.routing import on
from ocpp.v21 import ChargePoint, call, call_result
from websockets.asyncio.client import connect

from forecourt.payments.keys import PAYMENTS
from forecourt.services.access import Role
from forecourt.simulator import SimulatedStation
from tests.e2e.conftest import basic_auth
from tests.payments.conftest import PASSWORD, SITE, eventually, station_config
from tests.support.server import RunningServer

pytestmark = pytest.mark.asyncio

STATION = "WEB-21"


class ScreenStation(ChargePoint):  # type: ignore[misc]
    """Shows what it is given and remembers the web payments it was told about."""

    shown: list[dict[str, Any]]
    web_payments: list[dict[str, Any]]

    @on("SetDisplayMessage")  # type: ignore[misc]
    def on_display(self, message: dict[str, Any], **_: Any) -> Any:
        self.shown.append(message)
        return call_result.SetDisplayMessage(status="Accepted")

    @on("NotifyWebPaymentStarted")  # type: ignore[misc]
    def on_web_payment(self, evse_id: int, timeout: int, **_: Any) -> Any:
        self.web_payments.append({"evse_id": evse_id, "timeout": timeout})
        return call_result.NotifyWebPaymentStarted()


@asynccontextmanager
async def station(server: RunningServer) -> AsyncIterator[ScreenStation]:
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=["ocpp2.1"],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        cp = ScreenStation(STATION, ws)
        cp.shown, cp.web_payments = [], []
        runner = asyncio.create_task(cp.start())
        try:
            boot = await cp.call(
                call.BootNotification(
                    charging_station={"model": "Screen21", "vendor_name": "Test"},
                    reason="PowerUp",
                )
            )
            assert boot.status == "Accepted"
            await cp.call(
                call.StatusNotification(
                    timestamp=datetime.now(UTC).isoformat(),
                    connector_status="Available",
                    evse_id=1,
                    connector_id=1,
                )
            )
            yield cp
        finally:
            runner.cancel()


async def _evse_known(server: RunningServer) -> bool:
    async with server.forecourt.services.ctx.uow() as uow:
        found = await uow.stations.get(STATION)
    return found is not None and found.evse(1) is not None


async def test_the_code_on_the_screen_and_the_station_told_once(
    server: RunningServer, http: httpx.AsyncClient
) -> None:
    services = server.forecourt.services
    await services.network.add_station(STATION, password=PASSWORD, site_id=SITE)
    key = (await services.api_keys.create("desk", Role.ATTENDANT))[0]
    attendant = {"Authorization": f"Bearer {key}"}
    ttl = services.feature(PAYMENTS).policy.dynamic_qr_ttl_s
    async with station(server) as cp:
        await eventually(lambda: _evse_known(server), timeout=30)
        issued = await http.post(
            f"/api/payments/qr/{STATION}/1", params={"show": "true"}, headers=attendant
        )
        assert issued.status_code == 201, issued.text
        code = issued.json()["code"]
        body = {"station_id": STATION, "evse_id": 1, "code": code}
        paid = await http.post("/api/payments/scan-to-pay", json=body)
        told = await eventually(lambda: asyncio.sleep(0, cp.web_payments), timeout=30)
        again = await http.post("/api/payments/scan-to-pay", json=body)
    assert issued.json()["shown"] == "accepted"
    (message,) = cp.shown
    assert message["message"] == {
        "format": "QRCODE",
        "language": "en",
        "content": issued.json()["url"],
    }
    assert message["state"] == "Idle"
    assert message["id"] == 7201
    assert paid.status_code == 201, paid.text
    assert told == [{"evse_id": 1, "timeout": round(ttl)}]
    assert again.status_code == 409  # a used code: refused, and the station not told again
    assert len(cp.web_payments) == 1


@pytest.mark.usefixtures("station16")
async def test_a_16_station_has_no_screen_for_it(
    server: RunningServer, http: httpx.AsyncClient
) -> None:
    key = (await server.forecourt.services.api_keys.create("desk", Role.ATTENDANT))[0]
    attendant = {"Authorization": f"Bearer {key}"}
    shown = await http.post("/api/payments/qr/PAY-16/1", params={"show": "true"}, headers=attendant)
    # The code itself is issued (for a screen that is not the station's); the station's
    # answer says it cannot show it.
    assert shown.status_code == 201, shown.text
    assert shown.json()["shown"] == "not_supported"


async def test_the_simulated_21_station_shows_the_code_and_the_web_payment(
    server: RunningServer, http: httpx.AsyncClient
) -> None:
    services = server.forecourt.services
    await services.network.add_station("SIM-21", password=PASSWORD, site_id=SITE)
    key = (await services.api_keys.create("desk", Role.ATTENDANT))[0]
    attendant = {"Authorization": f"Bearer {key}"}
    shown: list[str] = []
    config = station_config(server, "SIM-21", "2.1")
    async with SimulatedStation(config, on_event=shown.append) as sim:
        await sim.wait_ready(timeout=30)
        issued = await http.post(
            "/api/payments/qr/SIM-21/1", params={"show": "true"}, headers=attendant
        )
        body = {"station_id": "SIM-21", "evse_id": 1, "code": issued.json()["code"]}
        paid = await http.post("/api/payments/scan-to-pay", json=body)
        told = await eventually(
            lambda: asyncio.sleep(0, [m for m in shown if "web payment started" in m]),
            timeout=30,
        )
    ttl = round(services.feature(PAYMENTS).policy.dynamic_qr_ttl_s)
    assert issued.json()["shown"] == "accepted", issued.text
    assert paid.status_code == 201, paid.text
    assert told == [f"SIM-21: EVSE 1: web payment started (for {ttl} s)"]
    assert f"SIM-21: display 7201: {issued.json()['url']}" in shown  # the QR link shown
