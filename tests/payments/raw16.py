"""A bare OCPP 1.6J station over a real websocket, for exact timestamps and replays."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from tests.payments.conftest import PASSWORD

#: Answers to CSMS calls: this station shows no prices (like most 1.6 stations).
ANSWERS: dict[str, dict[str, Any]] = {
    "DataTransfer": {"status": "UnknownVendorId"},
    "ChangeConfiguration": {"status": "NotSupported"},
    "RemoteStopTransaction": {"status": "Accepted"},
    "RemoteStartTransaction": {"status": "Accepted"},
}


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Raw16:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.received: list[tuple[str, dict[str, Any]]] = []  # CSMS calls seen

    async def call(self, action: str, payload: dict[str, Any], message_id: str = "") -> Any:
        mid = message_id or f"m{next(self.ids)}"
        await self.ws.send(json.dumps([2, mid, action, payload]))
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
            if frame[0] == 2:  # the CSMS calls us meanwhile
                self.received.append((frame[2], frame[3]))
                await self.ws.send(json.dumps([3, frame[1], ANSWERS.get(frame[2], {})]))
            elif frame[1] == mid:
                assert frame[0] == 3, frame
                return frame[2]

    async def boot(self) -> None:
        answer = await self.call(
            "BootNotification", {"chargePointVendor": "Raw", "chargePointModel": "R1"}
        )
        assert answer["status"] == "Accepted"

    def energy(self, at: datetime, wh: float) -> dict[str, Any]:
        sampled = [
            {"value": str(round(wh)), "unit": "Wh", "measurand": "Energy.Active.Import.Register"}
        ]
        return {"timestamp": stamp(at), "sampledValue": sampled}


@asynccontextmanager
async def raw16(ws_url: str, station_id: str) -> AsyncIterator[Raw16]:
    token = base64.b64encode(f"{station_id}:{PASSWORD}".encode()).decode()
    async with connect(
        f"{ws_url}/{station_id}",
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers={"Authorization": f"Basic {token}"},
    ) as ws:
        station = Raw16(ws)
        await station.boot()
        yield station
