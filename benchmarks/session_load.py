"""Realistic sessions: N 1.6 stations living an ordinary day, every CALL timed.

Each station connects (ramped), boots and reports its connector, then repeats: idle for a
while, Authorize, StartTransaction with its status changes, MeterValues every
``METER_EVERY_S`` while charging, StopTransaction, back to Available; a Heartbeat now and
then. Stations start at random points of that cycle, so the offered load is steady (about
0.25 messages/s per station, the issue's 1,000 stations ≈ 235 msg/s). Only calls answered
within the measured window count; the generator shares ``flood_load``'s lean client.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field

from websockets.typing import Subprotocol

from flood_load import Station, _connect, sample16, stamp

METER_EVERY_S = 5.0
METERS_PER_SESSION = (6, 14)
IDLE_S = (5.0, 20.0)
RAMP_PER_S = 90.0  # under the server's pace for stations it has never seen (100/s)


def station_ids(prefix: str, stations: int) -> list[str]:
    return [f"{prefix}-{i + 1:05d}" for i in range(stations)]


def token_of(station_id: str) -> str:
    """Each station its own card, as in a real network (one shared card would make every
    start check a thousand concurrent sessions of that card)."""
    return "T" + station_id.replace("-", "")


@dataclass
class Sessions:
    stations: int
    start_at: float = 0.0
    end_at: float = 0.0
    ready: int = 0
    latencies: list[float] = field(default_factory=list)
    answered: int = 0  # every call, in the window or not
    errors: dict[str, int] = field(default_factory=dict)


@dataclass
class SessionsResult:
    offered_per_s: float
    p50_ms: float
    p99_ms: float
    measured: int
    answered: int
    errors: dict[str, int]


async def sessions(url: str, stations: int, seconds: float, prefix: str) -> SessionsResult:
    state = Sessions(stations)
    loop = asyncio.get_running_loop()
    ramp_s = stations / RAMP_PER_S
    # every station is in and idling (at a random phase) before the window opens
    state.start_at = loop.time() + ramp_s + 5.0
    state.end_at = state.start_at + seconds
    tasks = []
    for station_id in station_ids(prefix, stations):
        tasks.append(asyncio.create_task(_station(url, station_id, state)))
        await asyncio.sleep(1.0 / RAMP_PER_S)
    await asyncio.gather(*tasks)
    ordered = sorted(state.latencies)

    def pct(q: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    return SessionsResult(
        len(ordered) / seconds, pct(0.5), pct(0.99), len(ordered), state.answered, state.errors
    )


async def _station(url: str, station_id: str, state: Sessions) -> None:
    try:
        async with _connect(f"{url}/{station_id}", Subprotocol("ocpp1.6")) as ws:
            station = _Timed(Station(ws, "1.6"), state)
            await station.call("BootNotification", {"chargePointVendor": "Bench",
                                                    "chargePointModel": "Sessions"})  # fmt: skip
            await station.status("Available")
            state.ready += 1
            with contextlib.suppress(TimeoutError):  # the window is over: hang up at once
                async with asyncio.timeout_at(state.end_at):
                    await _day(station, state, token_of(station_id))
    except Exception as exc:
        name = type(exc).__name__
        state.errors[name] = state.errors.get(name, 0) + 1


async def _day(station: _Timed, state: Sessions, token: str) -> None:
    loop = asyncio.get_running_loop()
    await asyncio.sleep(random.uniform(0, 15.0))  # starts spread over the ramp and a bit
    wh = 0
    while loop.time() < state.end_at:
        await station.call("Authorize", {"idTag": token})
        await station.status("Preparing")
        answer = await station.call(
            "StartTransaction",
            {"connectorId": 1, "idTag": token, "meterStart": wh, "timestamp": stamp()},
        )
        tx_id = int(answer["transactionId"])
        await station.status("Charging")
        for _ in range(random.randint(*METERS_PER_SESSION)):
            if loop.time() >= state.end_at:
                break
            await asyncio.sleep(METER_EVERY_S)
            wh += random.randint(500, 2500)
            payload = {"connectorId": 1, "transactionId": tx_id, "meterValue": [sample16(wh)]}
            await station.call("MeterValues", payload)
        await station.call(
            "StopTransaction",
            {"transactionId": tx_id, "meterStop": wh, "timestamp": stamp(), "idTag": token},
        )
        await station.status("Finishing")
        await station.status("Available")
        await asyncio.sleep(random.uniform(*IDLE_S))
        await station.call("Heartbeat", {})


class _Timed:
    """A station whose calls inside the window are timed."""

    def __init__(self, station: Station, state: Sessions) -> None:
        self._station = station
        self._state = state

    async def call(self, action: str, payload: dict[str, object]) -> dict[str, object]:
        loop = asyncio.get_running_loop()
        now = loop.time()
        started = time.perf_counter()
        answer = await self._station.call(action, payload)
        self._state.answered += 1
        if self._state.start_at <= now < self._state.end_at:
            self._state.latencies.append(time.perf_counter() - started)
        return answer

    async def status(self, status: str) -> None:
        await self.call(
            "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": status}
        )
