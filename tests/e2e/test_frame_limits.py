"""Hostile frames over a real websocket: bounded nesting and size, the connection stays usable."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest
import websockets
from websockets.asyncio.client import ClientConnection, connect

from tests.e2e.conftest import PASSWORD, STATION, basic_auth
from tests.support.server import RunningServer, running_server

BOOT = {
    "ocpp1.6": {"chargePointVendor": "V", "chargePointModel": "M"},
    "ocpp2.0.1": {"chargingStation": {"vendorName": "V", "model": "M"}, "reason": "PowerUp"},
}
FORMAT = {"ocpp1.6": "FormationViolation", "ocpp2.0.1": "FormatViolation"}


async def reply(ws: ClientConnection) -> Any:
    return json.loads(await asyncio.wait_for(ws.recv(), 10))


async def booted(ws: ClientConnection, protocol: str) -> None:
    await ws.send(json.dumps([2, "boot", "BootNotification", BOOT[protocol]]))
    assert (await reply(ws))[2]["status"] == "Accepted"


@pytest.mark.parametrize("protocol", ["ocpp1.6", "ocpp2.0.1"])
@pytest.mark.parametrize("depth", [256, 1000])
async def test_deeply_nested_payload_gets_a_format_error(
    server: RunningServer, caplog: pytest.LogCaptureFixture, protocol: str, depth: int
) -> None:
    caplog.set_level(logging.INFO)
    nested = '{"a":' * depth + "1" + "}" * depth
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=[protocol],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        await booted(ws, protocol)
        await ws.send(f'[2,"deep-1","DataTransfer",{nested}]')
        assert await reply(ws) == [
            4, "deep-1", FORMAT[protocol], "Payload is nested deeper than 64 levels", {},
        ]  # fmt: skip
        await ws.send(json.dumps([2, "hb-1", "Heartbeat", {}]))
        assert (await reply(ws))[:2] == [3, "hb-1"]
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []


async def test_a_frame_over_the_size_limit_closes_only_that_connection(tmp_path: Path) -> None:
    async with running_server(
        tmp_path, registration_policy="auto", ws_max_message_size=65536
    ) as server:
        url = f"{server.ws_url}/BIG-1"
        async with connect(url, subprotocols=["ocpp1.6"]) as ws:  # type: ignore[list-item]
            await booted(ws, "ocpp1.6")
            transfer = {"vendorId": "x", "data": "y" * 70_000}
            await ws.send(json.dumps([2, "big", "DataTransfer", transfer]))
            with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
                await reply(ws)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1009  # message too big (RFC 6455 §7.4.1)
        async with connect(url, subprotocols=["ocpp1.6"]) as ws:  # type: ignore[list-item]
            await booted(ws, "ocpp1.6")
            fits = {"vendorId": "x", "data": "y" * 60_000}
            await ws.send(json.dumps([2, "fits", "DataTransfer", fits]))
            assert (await reply(ws))[:2] == [3, "fits"]
