"""The server's real log (``forecourt serve``): no credentials at DEBUG, no forged lines."""

from __future__ import annotations

import asyncio
import base64
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import websockets
from websockets.asyncio.client import ClientConnection, connect

from tests.e2e.conftest import basic_auth
from tests.e2e.served import served

BOOT16 = {"chargePointVendor": "V", "chargePointModel": "M"}
PASSWORD = "pw-Secret-7f3a9c21"
TAG = "TAG-SECRET-42"
FORGED = "2026-12-07 00:00:00,000 CRITICAL forecourt [-] forged"
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?P<level>[A-Z]+) ")


async def reply(ws: ClientConnection) -> Any:
    return json.loads(await asyncio.wait_for(ws.recv(), 10))


def nested_call(message_id: str, depth: int) -> str:
    payload = '{"a":' * depth + "1" + "}" * depth
    return f'[2,"{message_id}","DataTransfer",{payload}]'


async def test_debug_log_shows_no_credential_and_no_traceback(tmp_path: Path) -> None:
    with served(tmp_path, log_level="DEBUG", registration_policy="pending") as server:
        async with connect(
            f"{server.ws_url}/CS-LOG-1",
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            additional_headers=basic_auth("CS-LOG-1", PASSWORD),
        ) as ws:
            await ws.send(json.dumps([2, "b1", "BootNotification", BOOT16]))
            assert (await reply(ws))[2]["status"] == "Pending"
            await ws.send(json.dumps([2, "a1", "Authorize", {"idTag": TAG}]))
            assert (await reply(ws))[:3] == [4, "a1", "SecurityError"]
            await ws.send(nested_call("n1", 300))
            assert await reply(ws) == [
                4, "n1", "FormationViolation", "Payload is nested deeper than 64 levels", {},
            ]  # fmt: skip
            await ws.send(json.dumps([2, "b2", "BootNotification", BOOT16]))
            assert (await reply(ws))[:2] == [3, "b2"]  # still usable
    log = server.log()
    # DEBUG is really on for the websocket layer (the edge's sans-I/O protocol logs its state,
    # not frames or headers; tests/unit/test_log_redaction.py covers those dumps' redaction)
    assert "DEBUG   uvicorn.error [-] = connection is CONNECTING" in log
    encoded = base64.b64encode(f"CS-LOG-1:{PASSWORD}".encode()).decode()
    for secret in (PASSWORD, encoded, TAG):
        assert secret not in log
    assert "Traceback" not in log


async def test_a_station_id_cannot_forge_a_log_line(tmp_path: Path) -> None:
    station_id = f"evil\r\n{FORGED}"
    with (
        served(tmp_path, registration_policy="strict") as server,
        pytest.raises(websockets.exceptions.InvalidStatus),
    ):
        async with connect(
            f"{server.ws_url}/{quote(station_id, safe='')}",
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        ):
            pass
    log = server.log()
    assert "[evil\\r\\n2026-12-07 00:00:00,000 CRITICAL" in log  # escaped, on the refusal line
    assert "\r" not in log
    lines = log.splitlines()
    assert not [line for line in lines if line.startswith(FORGED)]
    levels = {match["level"] for match in map(LOG_RECORD.match, lines) if match}
    assert "CRITICAL" not in levels
