"""The load generator of ``bench_storm.py``: one process holding some thousands of stations.

Each worker process runs its own event loop and takes commands from the benchmark over a pipe,
so the client side of 10,000 websockets is spread over several processes (and cores) and the
server's memory and CPU are measured alone. Every station connects from the worker's own
loopback address (127.0.2.N), which gives each worker its own range of ephemeral ports.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus, WebSocketException
from websockets.typing import Subprotocol

BOOT = {"chargePointVendor": "Forecourt", "chargePointModel": "StormLoad"}
V16 = [Subprotocol("ocpp1.6")]


def password(station_id: str) -> str:
    return f"pw-{station_id}-0123456789abcdef"


def auth(station_id: str) -> dict[str, str]:
    token = base64.b64encode(f"{station_id}:{password(station_id)}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@dataclass
class Outcome:
    """What a connect wave gives back to the benchmark (picklable)."""

    booted: int = 0
    failed: int = 0
    last_booted_at: float = 0.0  # time.monotonic(): one clock for every process on Linux
    refusals: Counter[str] = field(default_factory=Counter)
    intervals: list[int] = field(default_factory=list)


class Worker:
    def __init__(self, url: str, station_ids: list[str], source: str) -> None:
        self.url = url
        self.station_ids = station_ids
        self.source = source
        self.sockets: dict[str, ClientConnection] = {}

    async def connect_all(self, deadline_s: float, ramp_s: float) -> Outcome:
        outcome = Outcome()
        gap = ramp_s / max(1, len(self.station_ids))
        await asyncio.gather(
            *(
                self._connect(station_id, i * gap, deadline_s, outcome)
                for i, station_id in enumerate(self.station_ids)
            )
        )
        return outcome

    async def _connect(
        self, station_id: str, delay: float, deadline_s: float, out: Outcome
    ) -> None:
        await asyncio.sleep(delay)
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            retry_after = 1.0
            try:
                ws = await connect(
                    f"{self.url}/{station_id}",
                    subprotocols=V16,
                    additional_headers=auth(station_id),
                    local_addr=(self.source, 0),
                    open_timeout=deadline_s,
                    ping_interval=None,  # the server pings; an idle station only answers
                    max_queue=4,
                )
                answer = await _call(ws, "BootNotification", BOOT, deadline_s)
            except InvalidStatus as refused:
                out.refusals[str(refused.response.status_code)] += 1
                retry_after = float(refused.response.headers.get("Retry-After", "1"))
            except (OSError, WebSocketException, TimeoutError) as exc:
                out.refusals[type(exc).__name__] += 1
            else:
                self.sockets[station_id] = ws
                out.booted += 1
                out.last_booted_at = time.monotonic()
                out.intervals.append(int(answer.get("interval", -1)))
                return
            # a station told to come back later does, with a little jitter, as real ones do
            await asyncio.sleep(retry_after * random.uniform(1.0, 1.2))
        out.failed += 1

    async def heartbeats(self, start_at: float, window_s: float) -> tuple[list[float], int]:
        latencies: list[float] = []
        errors = 0

        async def one(ws: ClientConnection) -> None:
            nonlocal errors
            await asyncio.sleep(max(0.0, start_at + random.uniform(0, window_s) - time.monotonic()))
            started = time.perf_counter()
            try:
                await _call(ws, "Heartbeat", {}, 120)
            except (WebSocketException, TimeoutError):
                errors += 1
            else:
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(one(ws) for ws in self.sockets.values()))
        return latencies, errors

    async def wait_closed(self, timeout_s: float) -> int:
        """After a server restart: every socket has seen its close (or the timeout passed)."""
        waits = [ws.wait_closed() for ws in self.sockets.values()]
        await asyncio.wait([asyncio.ensure_future(w) for w in waits], timeout=timeout_s)
        closed = sum(1 for ws in self.sockets.values() if ws.close_code is not None)
        self.sockets.clear()
        return closed

    async def close_all(self) -> None:
        await asyncio.gather(*(ws.close() for ws in self.sockets.values()), return_exceptions=True)
        self.sockets.clear()


async def _call(ws: ClientConnection, action: str, payload: Any, timeout: float) -> Any:
    message_id = f"{action[0]}{random.getrandbits(40)}"
    await ws.send(json.dumps([2, message_id, action, payload]))
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame[0] == 3 and frame[1] == message_id:
                return frame[2]
            if frame[0] == 4 and frame[1] == message_id:
                raise WebSocketException(f"CALLERROR {frame[2]}")
            if frame[0] == 2:  # a call from the CSMS: this load answers none
                await ws.send(json.dumps([4, frame[1], "NotImplemented", "", {}]))


def serve(pipe: Connection, url: str, station_ids: list[str], source: str) -> None:
    """Worker process entry point: run commands from ``pipe`` until "exit"."""
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(_serve(pipe, Worker(url, station_ids, source)))


async def _serve(pipe: Connection, worker: Worker) -> None:
    loop = asyncio.get_running_loop()
    while True:
        command, *args = await loop.run_in_executor(None, pipe.recv)
        if command == "exit":
            await worker.close_all()
            return
        if command == "url":
            worker.url = args[0]
            pipe.send(None)
        elif command == "connect":
            pipe.send(await worker.connect_all(*args))
        elif command == "heartbeats":
            pipe.send(await worker.heartbeats(*args))
        elif command == "wait_closed":
            pipe.send(await worker.wait_closed(*args))
        elif command == "close":
            await worker.close_all()
            pipe.send(None)
