"""Lightweight load generator for benchmarks.

Each load station is a bare OCPP-J client (no sessions, no vehicle): connect, boot, one
StatusNotification, then alternate Heartbeat and MeterValues at a fixed rate, timing every
call. CSMS-initiated calls get a NotImplemented CALLERROR.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import math
import time
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from forecourt.simulator.config import SUBPROTOCOLS, ProtocolVersion, dc_dispenser
from forecourt.simulator.dialect import not_implemented
from forecourt.simulator.meter import SAMPLE_PERIODIC, MeterSample, render_v16, render_v201
from forecourt.simulator.rpc import Answer, OcppCallError, Payload, RpcConnection
from forecourt.simulator.session import ocpp_timestamp, utc_now
from forecourt.simulator.uplink import LINK_ERRORS


@dataclass
class LoadConfig:
    stations: int = 100
    protocol: ProtocolVersion = "1.6"
    url: str = "ws://127.0.0.1:9000/ocpp"
    password: str | None = None
    prefix: str = "LOAD"
    rate_per_station_hz: float = 1.0  # calls per second per station
    duration_s: float = 10.0
    ramp_s: float = 2.0  # connects are spread evenly over this many seconds
    call_timeout_s: float = 10.0


@dataclass
class LatencyStats:
    latencies_ms: list[float] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)  # by kind: CALLERROR code, timeout…
    connected: int = 0
    elapsed_s: float = 0.0

    def record(self, action: str, seconds: float) -> None:
        self.calls[action] += 1
        self.latencies_ms.append(seconds * 1000.0)

    @property
    def ok(self) -> int:
        return len(self.latencies_ms)

    @property
    def failed(self) -> int:
        return sum(self.errors.values())

    def percentile_ms(self, fraction: float) -> float:
        """Nearest-rank percentile; 0.0 when nothing was measured."""
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]

    @property
    def p50_ms(self) -> float:
        return self.percentile_ms(0.50)

    @property
    def p99_ms(self) -> float:
        return self.percentile_ms(0.99)

    @property
    def max_ms(self) -> float:
        return max(self.latencies_ms, default=0.0)

    @property
    def calls_per_s(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s else 0.0


async def run_load(config: LoadConfig, *, stop: asyncio.Event | None = None) -> LatencyStats:
    stats = LatencyStats()
    stop = stop or asyncio.Event()
    started = time.perf_counter()
    deadline = asyncio.get_running_loop().time() + config.duration_s
    gap = config.ramp_s / max(1, config.stations)
    tasks = [
        asyncio.create_task(_load_station(config, index, index * gap, deadline, stop, stats))
        for index in range(config.stations)
    ]
    await asyncio.gather(*tasks)
    stats.elapsed_s = time.perf_counter() - started
    return stats


async def _load_station(
    config: LoadConfig,
    index: int,
    delay: float,
    deadline: float,
    stop: asyncio.Event,
    stats: LatencyStats,
) -> None:
    await asyncio.sleep(delay)
    station_id = f"{config.prefix}-{index + 1:05d}"
    headers = {}
    if config.password is not None:
        secret = base64.b64encode(f"{station_id}:{config.password}".encode()).decode()
        headers["Authorization"] = f"Basic {secret}"
    try:
        async with connect(
            f"{config.url.rstrip('/')}/{station_id}",
            subprotocols=[Subprotocol(SUBPROTOCOLS[config.protocol])],
            additional_headers=headers,
            open_timeout=config.call_timeout_s,
        ) as ws:
            rpc = RpcConnection(
                ws,
                _refuse,
                protocol=config.protocol,
                call_timeout=config.call_timeout_s,
                spawn=_no_follow_ups,
            )
            reader = asyncio.create_task(rpc.run())
            stats.connected += 1
            try:
                await _drive(rpc, config, deadline, stop, stats)
            finally:
                reader.cancel()
    except LINK_ERRORS as exc:
        stats.errors[f"connect: {type(exc).__name__}"] += 1


async def _drive(
    rpc: RpcConnection,
    config: LoadConfig,
    deadline: float,
    stop: asyncio.Event,
    stats: LatencyStats,
) -> None:
    loop = asyncio.get_running_loop()
    messages = _messages(config.protocol)
    for action, payload in messages[:2]:  # BootNotification, StatusNotification
        await _timed_call(rpc, action, payload, stats)
    period = 1.0 / config.rate_per_station_hz
    next_at = loop.time()
    turn = 0
    while loop.time() < deadline and not stop.is_set():
        action, payload = messages[2 + turn % 2]
        if action == "MeterValues":
            payload = _meter_values(config.protocol, turn)
        await _timed_call(rpc, action, payload, stats)
        turn += 1
        next_at += period  # fixed rate: a slow reply eats into the next gap, not the schedule
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(0.0, next_at - loop.time()))


async def _timed_call(
    rpc: RpcConnection, action: str, payload: Payload, stats: LatencyStats
) -> None:
    started = time.perf_counter()
    try:
        await rpc.call(action, payload)
    except OcppCallError as exc:
        stats.errors[exc.code] += 1
    except TimeoutError:
        stats.errors["timeout"] += 1
    else:
        stats.record(action, time.perf_counter() - started)


async def _refuse(action: str, _payload: Payload) -> Answer:
    raise not_implemented(action)


def _no_follow_ups(coro: Coroutine[Any, Any, None]) -> None:
    coro.close()  # _refuse never schedules follow-up work


def _messages(protocol: ProtocolVersion) -> list[tuple[str, Payload]]:
    now = ocpp_timestamp(utc_now())
    if protocol == "1.6":
        boot: Payload = {"chargePointVendor": "Forecourt", "chargePointModel": "SimLoad"}
        status: Payload = {"connectorId": 1, "errorCode": "NoError", "status": "Available"}
    else:
        boot = {
            "chargingStation": {"model": "SimLoad", "vendorName": "Forecourt"},
            "reason": "PowerUp",
        }
        status = {"timestamp": now, "connectorStatus": "Available", "evseId": 1, "connectorId": 1}
    return [
        ("BootNotification", boot),
        ("StatusNotification", status),
        ("Heartbeat", {}),
        ("MeterValues", {}),
    ]


def _meter_values(protocol: ProtocolVersion, turn: int) -> Payload:
    rating = dc_dispenser().max_power_w
    sample = MeterSample(utc_now(), SAMPLE_PERIODIC, 1_000_000.0 + turn, 0, rating, 0, 0, None)
    if protocol == "1.6":
        return {"connectorId": 1, "meterValue": [render_v16(sample, "")]}
    return {"evseId": 1, "meterValue": [render_v201(sample, "")]}
