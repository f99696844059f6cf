"""A minimal in-memory CSMS on the ``ocpp`` library: the yardstick of ``bench_flood.py``.

    python benchmarks/reference_csms.py --port 9300

It answers what the flood and the sessions send (1.6 Boot/Status/Heartbeat/Authorize/Start/
MeterValues/Stop, 2.0.1 Boot/Status/TransactionEvent) and keeps meter values in a list:
nothing is durable. The ``ocpp`` library validates every frame against the OCA schemas, as
Forecourt does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
from datetime import UTC, datetime
from typing import Any

from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call_result as result16
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call_result as result201
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

SAMPLES: list[Any] = []  # "stored": in memory only
TX_IDS = itertools.count(1)


def now() -> str:
    return datetime.now(UTC).isoformat()


class Station16(ChargePoint16):
    @on("BootNotification")
    async def boot(self, **_: Any) -> result16.BootNotification:
        return result16.BootNotification(current_time=now(), interval=3600, status="Accepted")

    @on("StatusNotification")
    async def status(self, **_: Any) -> result16.StatusNotification:
        return result16.StatusNotification()

    @on("Heartbeat")
    async def heartbeat(self, **_: Any) -> result16.Heartbeat:
        return result16.Heartbeat(current_time=now())

    @on("Authorize")
    async def authorize(self, **_: Any) -> result16.Authorize:
        return result16.Authorize({"status": "Accepted"})

    @on("StartTransaction")
    async def start_tx(self, **_: Any) -> result16.StartTransaction:
        return result16.StartTransaction(next(TX_IDS), {"status": "Accepted"})

    @on("MeterValues")
    async def meter(self, meter_value: list[Any], **_: Any) -> result16.MeterValues:
        SAMPLES.extend(meter_value)
        return result16.MeterValues()

    @on("StopTransaction")
    async def stop_tx(self, **_: Any) -> result16.StopTransaction:
        return result16.StopTransaction()


class Station201(ChargePoint201):
    @on("BootNotification")
    async def boot(self, **_: Any) -> result201.BootNotification:
        return result201.BootNotification(current_time=now(), interval=3600, status="Accepted")

    @on("StatusNotification")
    async def status(self, **_: Any) -> result201.StatusNotification:
        return result201.StatusNotification()

    @on("TransactionEvent")
    async def transaction(self, **payload: Any) -> result201.TransactionEvent:
        SAMPLES.extend(payload.get("meter_value", ()))
        return result201.TransactionEvent()


async def on_connect(websocket: ServerConnection) -> None:
    station_id = websocket.request.path.rstrip("/").rsplit("/", 1)[-1] if websocket.request else ""
    kind = Station201 if websocket.subprotocol == "ocpp2.0.1" else Station16
    with contextlib.suppress(ConnectionClosed):  # the load generator hangs up at the end
        await kind(station_id, websocket).start()


async def main(port: int) -> None:
    protocols = [Subprotocol("ocpp1.6"), Subprotocol("ocpp2.0.1")]
    async with serve(on_connect, "127.0.0.1", port, subprotocols=protocols, compression=None):
        await asyncio.Future()  # until killed


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--port", type=int, default=9300)
    asyncio.run(main(parser.parse_args().port))
