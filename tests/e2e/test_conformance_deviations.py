"""Issue 16's conformance deviations, over the wire: EVSE reset, the token type of a remote
start, and no SignCertificate trigger. The station is the `ocpp` package's ChargePoint (an
independent implementation) or the simulator; commands go through the HTTP API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call as call16
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call, call_result
from ocpp.v201.enums import Action
from websockets.asyncio.client import connect

from forecourt.domain.tokens import TokenKind, TokenRecord
from tests.e2e.conftest import PASSWORD, STATION, TAG, basic_auth, simulated_station, technician_api
from tests.support.server import RunningServer

APP_TOKEN = "APP-USER-7"


class Station201(ChargePoint201):  # type: ignore[misc]
    """Records every CSMS-initiated call it gets."""

    received: list[tuple[str, dict[str, Any]]]

    @on(Action.request_start_transaction)  # type: ignore[untyped-decorator]
    def on_request_start(self, **kwargs: Any) -> Any:
        self.received.append(("RequestStartTransaction", kwargs))
        return call_result.RequestStartTransaction(status="Accepted")

    @on(Action.reset)  # type: ignore[untyped-decorator]
    def on_reset(self, **kwargs: Any) -> Any:
        self.received.append(("Reset", kwargs))
        return call_result.Reset(status="Accepted")

    @on(Action.trigger_message)  # type: ignore[untyped-decorator]
    def on_trigger(self, **kwargs: Any) -> Any:
        self.received.append(("TriggerMessage", kwargs))
        return call_result.TriggerMessage(status="Accepted")


class Station16(ChargePoint16):  # type: ignore[misc]
    received: list[tuple[str, dict[str, Any]]]


@asynccontextmanager
async def station(server: RunningServer, version: str) -> AsyncIterator[Any]:
    subprotocol = "ocpp2.0.1" if version == "2.0.1" else "ocpp1.6"
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=[subprotocol],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        cp = Station201(STATION, ws) if version == "2.0.1" else Station16(STATION, ws)
        cp.received = []
        runner = asyncio.create_task(cp.start())
        if version == "2.0.1":
            await cp.call(
                call.BootNotification(
                    charging_station={"model": "E2E", "vendor_name": "Test"}, reason="PowerUp"
                )
            )
        else:
            await cp.call(
                call16.BootNotification(charge_point_model="E2E", charge_point_vendor="Test")
            )
        try:
            yield cp
        finally:
            runner.cancel()


async def command(client: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    return await client.post(f"/api/stations/{STATION}/commands", json=body, timeout=10)


async def test_a_201_evse_is_reset_alone(server: RunningServer) -> None:
    async with technician_api(server, timeout=5.0) as client, station(server, "2.0.1") as cp:
        answer = await command(client, {"kind": "reset", "hard": True, "evse_id": 2})
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "accepted"
    assert answer.json()["params"]["evse_id"] == 2
    assert cp.received == [("Reset", {"type": "Immediate", "evse_id": 2})]


async def test_a_16_station_cannot_reset_one_evse(server: RunningServer) -> None:
    async with technician_api(server, timeout=5.0) as client, station(server, "1.6") as cp:
        answer = await command(client, {"kind": "reset", "evse_id": 1})
        history = await client.get(f"/api/stations/{STATION}/commands")
    assert answer.status_code == 422
    assert "not supported by OCPP 1.6" in answer.json()["detail"]
    assert cp.received == []
    assert history.json()[0]["status"] == "not_supported"  # the record is closed, not pending


async def test_remote_start_sends_the_tokens_registered_type(server: RunningServer) -> None:
    await server.forecourt.services.network.add_token(TokenRecord(APP_TOKEN, TokenKind.CENTRAL))
    async with technician_api(server, timeout=5.0) as client, station(server, "2.0.1") as cp:
        card = await command(client, {"kind": "remote_start", "id_token": TAG, "evse_id": 1})
        app = await command(client, {"kind": "remote_start", "id_token": APP_TOKEN})
        unknown = await command(client, {"kind": "remote_start", "id_token": "NEW-1"})
    assert [r.json()["status"] for r in (card, app, unknown)] == ["accepted"] * 3
    sent = [kwargs["id_token"] for action, kwargs in cp.received]
    assert sent == [
        {"id_token": TAG, "type": "ISO14443"},  # registered as an RFID card
        {"id_token": APP_TOKEN, "type": "Central"},
        {"id_token": "NEW-1", "type": "Central"},  # not registered: issued by the CSMS
    ]


async def test_sign_certificate_is_triggered_now_that_forecourt_signs(
    server: RunningServer,
) -> None:
    """Issue 18 built the signing (tests/pki): the trigger is no longer refused."""
    async with technician_api(server, timeout=5.0) as client, station(server, "2.0.1") as cp:
        body = {"kind": "trigger_message", "message": "sign_certificate"}
        triggered = await command(client, body)
    assert triggered.json()["status"] == "accepted"
    assert [action for action, _ in cp.received] == ["TriggerMessage"]
    assert cp.received[0][1]["requested_message"] == "SignChargingStationCertificate"


async def test_the_simulator_resets_one_evse(server: RunningServer) -> None:
    async with (
        simulated_station(server, "2.0.1", seed=3, id_tags=[TAG], reconnect_delay_s=0.2),
        technician_api(server, timeout=5.0) as client,
    ):
        evse = await command(client, {"kind": "reset", "evse_id": 1})
        unknown = await command(client, {"kind": "reset", "evse_id": 9})
    assert evse.json()["status"] == "accepted"
    assert unknown.json()["status"] == "rejected"
