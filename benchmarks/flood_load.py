"""The flood's load generator: N stations, each inside a transaction, sending meter values back
to back with one CALL in flight (``bench_flood.py`` runs it in its own process).

A lean OCPP-J client on ``websockets`` + ``orjson``: no schema validation, no per-call task,
so the generator costs as little CPU as possible on the machine it shares with the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Subprotocol

TOKEN = "BENCHFLOOD01"
CONNECT_ATTEMPTS = 20
WARMUP_S = 2.0  # flooding, not counted: caches and connection pools settle


@dataclass
class Flood:
    """Shared by the stations of one run; latencies only from the measured window."""

    stations: int
    seconds: float
    ready: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    all_ready: asyncio.Event = field(default_factory=asyncio.Event)
    go: asyncio.Event = field(default_factory=asyncio.Event)
    start_at: float = 0.0
    end_at: float = 0.0
    latencies: list[float] = field(default_factory=list)
    acknowledged: int = 0  # every MeterValues/TransactionEvent answered, warm-up included

    def settle(self, error: str | None = None) -> None:
        if error is not None:
            self.failed[error] = self.failed.get(error, 0) + 1
        self.ready += 1
        if self.ready == self.stations:
            self.all_ready.set()


@dataclass
class FloodResult:
    calls_per_s: float
    p50_ms: float
    p99_ms: float
    measured: int
    acknowledged: int
    failed: dict[str, int]


class CallError(Exception):
    pass


class Station:
    """One websocket, one CALL at a time; CSMS-initiated CALLs get NotImplemented."""

    def __init__(self, ws: ClientConnection, protocol: str) -> None:
        self.ws = ws
        self.protocol = protocol
        self._ids = itertools.count(1)

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        message_id = str(next(self._ids))
        await self.ws.send(orjson.dumps([2, message_id, action, payload]).decode())
        while True:
            frame = orjson.loads(await self.ws.recv())
            if frame[0] == 2:  # the server asks us something: not part of the flood
                code = "NotImplemented" if self.protocol != "1.6" else "NotSupported"
                await self.ws.send(orjson.dumps([4, frame[1], code, "", {}]).decode())
            elif frame[1] == message_id:
                if frame[0] == 4:
                    raise CallError(f"{action}: {frame[2]}")
                result: dict[str, Any] = frame[2]
                return result


def stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def sample16(wh: int) -> dict[str, Any]:
    return {
        "timestamp": stamp(),
        "sampledValue": [
            {
                "value": str(wh),
                "measurand": "Energy.Active.Import.Register",
                "unit": "Wh",
                "context": "Sample.Periodic",
            },
        ],
    }


def sample201(wh: int) -> dict[str, Any]:
    return {
        "timestamp": stamp(),
        "sampledValue": [
            {
                "value": wh,
                "measurand": "Energy.Active.Import.Register",
                "unitOfMeasure": {"unit": "Wh"},
                "context": "Sample.Periodic",
            },
        ],
    }


class Session16:
    def __init__(self, station: Station) -> None:
        self.station = station
        self.tx_id = 0

    async def begin(self) -> None:
        s = self.station
        await s.call("BootNotification", {"chargePointVendor": "Bench", "chargePointModel": "F"})
        await s.call(
            "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Preparing"}
        )
        answer = await s.call(
            "StartTransaction",
            {"connectorId": 1, "idTag": TOKEN, "meterStart": 0, "timestamp": stamp()},
        )
        self.tx_id = int(answer["transactionId"])

    async def meter(self, wh: int) -> None:
        payload = {"connectorId": 1, "transactionId": self.tx_id, "meterValue": [sample16(wh)]}
        await self.station.call("MeterValues", payload)


class Session201:
    def __init__(self, station: Station, tx_id: str) -> None:
        self.station = station
        self.tx_id = tx_id
        self.seq = itertools.count(1)

    async def begin(self) -> None:
        s = self.station
        boot = {"reason": "PowerUp", "chargingStation": {"model": "F", "vendorName": "Bench"}}
        await s.call("BootNotification", boot)
        await s.call(
            "StatusNotification",
            {"timestamp": stamp(), "connectorStatus": "Occupied", "evseId": 1, "connectorId": 1},
        )
        await s.call(
            "TransactionEvent",
            {
                "eventType": "Started",
                "timestamp": stamp(),
                "triggerReason": "Authorized",
                "seqNo": 0,
                "transactionInfo": {"transactionId": self.tx_id},
                "evse": {"id": 1, "connectorId": 1},
                "idToken": {"idToken": TOKEN, "type": "ISO14443"},
            },
        )

    async def meter(self, wh: int) -> None:
        await self.station.call(
            "TransactionEvent",
            {
                "eventType": "Updated",
                "timestamp": stamp(),
                "triggerReason": "MeterValuePeriodic",
                "seqNo": next(self.seq),
                "transactionInfo": {"transactionId": self.tx_id, "chargingState": "Charging"},
                "meterValue": [sample201(wh)],
            },
        )


async def run_station(url: str, station_id: str, protocol: str, flood: Flood) -> None:
    subprotocol = "ocpp1.6" if protocol == "1.6" else "ocpp2.0.1"
    try:
        async with _connect(f"{url}/{station_id}", Subprotocol(subprotocol)) as ws:
            station = Station(ws, protocol)
            session = Session16(station) if protocol == "1.6" else Session201(station, station_id)
            await session.begin()
            flood.settle()
            await flood.go.wait()
            await _meter_loop(session, flood)
    except Exception as exc:
        if not flood.all_ready.is_set():
            flood.settle(f"setup: {type(exc).__name__}: {exc}"[:80])
        else:
            flood.failed[type(exc).__name__] = flood.failed.get(type(exc).__name__, 0) + 1


@contextlib.asynccontextmanager
async def _connect(url: str, subprotocol: Subprotocol) -> AsyncIterator[ClientConnection]:
    """Like a station: a 503 (the server's admission control while its loop is busy) is
    retried after a pause."""
    for attempt in itertools.count(1):
        try:
            ws = await connect(url, subprotocols=[subprotocol], compression=None,
                               open_timeout=60, max_queue=4)  # fmt: skip
            break
        except InvalidStatus as refused:
            if refused.response.status_code != 503 or attempt == CONNECT_ATTEMPTS:
                raise
        await asyncio.sleep(0.5 + random.random())
    try:
        yield ws
    finally:
        await ws.close()


async def _meter_loop(session: Session16 | Session201, flood: Flood) -> None:
    loop = asyncio.get_running_loop()
    for wh in itertools.count(1):
        now = loop.time()
        if now >= flood.end_at:
            return
        started = time.perf_counter()
        await session.meter(wh)
        elapsed = time.perf_counter() - started
        flood.acknowledged += 1
        if now >= flood.start_at:
            flood.latencies.append(elapsed)


async def flood(url: str, protocol: str, stations: int, seconds: float, prefix: str) -> FloodResult:
    state = Flood(stations, seconds)
    tasks = []
    for i in range(stations):
        station_id = f"{prefix}-{i + 1:04d}"
        tasks.append(asyncio.create_task(run_station(url, station_id, protocol, state)))
        await asyncio.sleep(0.005)  # a gentle connect ramp: the flood is what is measured
    await asyncio.wait_for(state.all_ready.wait(), 120)
    loop = asyncio.get_running_loop()
    state.start_at = loop.time() + WARMUP_S
    state.end_at = state.start_at + seconds
    state.go.set()
    await asyncio.gather(*tasks)
    return summarize(state)


def summarize(state: Flood) -> FloodResult:
    ordered = sorted(state.latencies)

    def pct(q: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    return FloodResult(
        len(ordered) / state.seconds,
        pct(0.50),
        pct(0.99),
        len(ordered),
        state.acknowledged,
        state.failed,
    )
