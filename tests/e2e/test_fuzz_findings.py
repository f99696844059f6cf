"""Frames the session fuzzer found crashing the CSMS, replayed over a real websocket to a real
server: each now gets a precise CALLERROR and the connection keeps working."""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.e2e.conftest import PASSWORD, STATION, basic_auth
from tests.support.server import RunningServer

BOOT = {
    "ocpp1.6": {"chargePointVendor": "Fuzz", "chargePointModel": "F-1"},
    "ocpp2.0.1": {
        "reason": "PowerUp",
        "chargingStation": {"vendorName": "Fuzz", "model": "F-1"},
    },
}
FINDINGS = [
    (
        "ocpp1.6",
        "StartTransaction",
        {
            "connectorId": 2**63,
            "idTag": "TAG",
            "meterStart": 0,
            "timestamp": "2026-11-21T12:00:00Z",
        },
        "connectorId must be smaller than or equal to 2147483647",
    ),
    (
        "ocpp2.0.1",
        "TransactionEvent",
        {
            "eventType": "Ended",
            "timestamp": "2026-11-21T12:00:00Z",
            "triggerReason": "Authorized",
            "seqNo": 0,
            "transactionInfo": {"transactionId": ""},
        },
        "transactionId must not be empty",
    ),
]


async def answer_to(ws: ClientConnection, message_id: str) -> list[Any]:
    """The CSMS's reply to our CALL (its own CALLs to us are skipped)."""
    while True:
        frame = json.loads(await ws.recv())
        if frame[0] in (3, 4) and frame[1] == message_id:
            return frame  # type: ignore[no-any-return]


async def call_after_boot(
    server: RunningServer, protocol: str, action: str, payload: dict[str, Any]
) -> tuple[list[Any], list[Any]]:
    """Boot as STATION, send one CALL, then a Heartbeat: the replies to both."""
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=[protocol],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        await ws.send(json.dumps([2, "boot", "BootNotification", BOOT[protocol]]))
        assert (await answer_to(ws, "boot"))[2]["status"] == "Accepted"

        await ws.send(json.dumps([2, "call", action, payload]))
        reply = await answer_to(ws, "call")
        await ws.send(json.dumps([2, "after", "Heartbeat", {}]))
        return reply, await answer_to(ws, "after")


@pytest.mark.parametrize(("protocol", "action", "payload", "reason"), FINDINGS)
async def test_a_fuzzer_finding_is_a_precise_callerror(
    server: RunningServer, protocol: str, action: str, payload: dict[str, Any], reason: str
) -> None:
    reply, after = await call_after_boot(server, protocol, action, payload)

    assert reply[:4] == [4, "call", "PropertyConstraintViolation", reason]
    assert after[0] == 3
    assert "currentTime" in after[2]


async def test_a_1_6_register_beyond_32_bits_still_starts_and_stops(server: RunningServer) -> None:
    """A busy DC meter passes 2^31 Wh in its life: its Start and Stop must not be refused (the
    station would retry, then drop the Stop and the session with it)."""
    register = 3_000_000_000  # 3 GWh, in Wh
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        await ws.send(json.dumps([2, "boot", "BootNotification", BOOT["ocpp1.6"]]))
        assert (await answer_to(ws, "boot"))[2]["status"] == "Accepted"
        start = {
            "connectorId": 1,
            "idTag": "TAG",
            "meterStart": register,
            "timestamp": "2026-11-21T12:00:00Z",
        }
        await ws.send(json.dumps([2, "start", "StartTransaction", start]))
        started = await answer_to(ws, "start")
        assert started[0] == 3, started
        stop = {
            "transactionId": started[2]["transactionId"],
            "meterStop": register + 12_345,
            "timestamp": "2026-11-21T12:30:00Z",
        }
        await ws.send(json.dumps([2, "stop", "StopTransaction", stop]))
        stopped = await answer_to(ws, "stop")

    assert stopped[0] == 3, stopped
