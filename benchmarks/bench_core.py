"""Core OCPP benchmark: a real server process, simulated stations over real websockets.

    python benchmarks/bench_core.py [--stations 500,2000] [--rate 1.0] [--seconds 30]
                                    [--idle 5000] [--storm 5000] [--database-url URL]

Prints a table:
- steady state, once per station count: every station connects and boots first; then, for
  ``--seconds``, each one alternates Heartbeat and MeterValues at ``--rate`` calls/s. Only
  calls of that window are timed, so admission does not pollute the latencies. Server CPU
  per message comes from /proc; the load generator's own CPU is shown too (same machine).
- server memory per connected idle station;
- a reconnect storm: ``--storm`` new stations connect and boot at once (first registration),
  then the same stations again (what a server restart looks like).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from forecourt.simulator.dialect import not_implemented
from forecourt.simulator.load import LatencyStats, LoadConfig, run_load
from forecourt.simulator.meter import SAMPLE_PERIODIC, MeterSample, render_v16
from forecourt.simulator.rpc import Answer, OcppCallError, Payload, RpcConnection
from forecourt.simulator.session import utc_now
from forecourt.simulator.uplink import LINK_ERRORS

BOOT = {"chargePointVendor": "Forecourt", "chargePointModel": "SimLoad"}
STATUS = {"connectorId": 1, "errorCode": "NoError", "status": "Available"}
CONNECTS_PER_S = 250  # how fast the steady-state stations are brought in


@dataclass
class Row:
    scenario: str
    value: str
    detail: str


def free_port_base(span: int = 32) -> int:
    """A base port with ``span`` free ports above it, picked at random, so two benchmark runs
    on one machine never collide (they used to bind fixed ports)."""
    for _ in range(200):
        base = random.randrange(20_000, 60_000 - span)
        if all(_port_is_free(port) for port in range(base, base + span)):
            return base
    raise RuntimeError(f"no {span} free ports in a row between 20000 and 60000")


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """``forecourt serve`` in its own process, so its memory and CPU are measured alone."""

    def __init__(self, port: int, database_url: str, **settings: str) -> None:
        self.port = port
        # every simulated station connects from 127.0.0.1: no per-address socket cap
        env = dict(os.environ, FORECOURT_LOG_LEVEL="WARNING", FORECOURT_MAX_SOCKETS_PER_ADDRESS="0")
        env.setdefault("FORECOURT_SECRET_KEY", "benchmark-only-secret-key-0123456789")
        env.update({f"FORECOURT_{name.upper()}": value for name, value in settings.items()})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "forecourt.cli.main", "serve", "--port", str(port),
             "--database-url", database_url, "--registration-policy", "auto",
             "--heartbeat-interval", "3600"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip

    def wait_ready(self) -> None:
        for _ in range(300):
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    @property
    def connected(self) -> int:
        # Generous: while thousands of stations are being admitted, requests queue behind them.
        health = httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=120).json()
        return int(health["connected_stations"])

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def url(port: int) -> str:
    return f"ws://127.0.0.1:{port}/ocpp"


@dataclass
class Window:
    """The measured part of the steady-state run."""

    rate: float
    seconds: float
    stations: int
    stats: LatencyStats = field(default_factory=LatencyStats)
    settled: int = 0  # stations booted or failed
    all_in: asyncio.Event = field(default_factory=asyncio.Event)
    begin: asyncio.Event = field(default_factory=asyncio.Event)
    start_at: float = 0.0  # loop time
    end_at: float = 0.0

    def settle(self) -> None:
        self.settled += 1
        if self.settled == self.stations:
            self.all_in.set()


async def steady_state(server: Server, stations: int, rate: float, seconds: float) -> Row:
    window = Window(rate, seconds, stations)
    gap = 1.0 / CONNECTS_PER_S
    started, rss_before = time.perf_counter(), rss_mib(server.pid)
    tasks = [
        asyncio.create_task(_steady_station(server.port, f"TPUT-{i + 1:05d}", i * gap, window))
        for i in range(stations)
    ]
    await window.all_in.wait()
    admitted_s = time.perf_counter() - started
    loop = asyncio.get_running_loop()
    window.start_at = loop.time() + 1.0 / rate  # every station's phase falls inside
    window.end_at = window.start_at + seconds
    window.begin.set()
    await asyncio.sleep(window.start_at - loop.time())
    server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
    await asyncio.sleep(seconds)
    server_cpu, client_cpu = cpu_seconds(server.pid) - server_cpu, time.process_time() - client_cpu
    active_kib = (rss_mib(server.pid) - rss_before) * 1024 / stations
    await asyncio.gather(*tasks)
    stats = window.stats
    stats.elapsed_s = seconds
    return Row(
        f"steady: {stations} stations x {rate:g}/s, msg/s",
        f"{stats.calls_per_s:,.0f}",
        f"p50 {stats.p50_ms:.1f} / p99 {stats.p99_ms:.1f} / max {stats.max_ms:.0f} ms; "
        f"{stats.ok} ok, {stats.failed} failed; server CPU "
        f"{1000 * server_cpu / max(1, stats.ok):.2f} ms/message ({server_cpu / seconds:.0%} "
        f"of a core), load generator {client_cpu / seconds:.0%}; all admitted in "
        f"{admitted_s:.1f} s; RSS +{active_kib:.0f} KiB per active station",
    )


async def _steady_station(port: int, station_id: str, delay: float, window: Window) -> None:
    await asyncio.sleep(delay)
    booted = False
    try:
        async with connect(
            f"{url(port)}/{station_id}", subprotocols=[Subprotocol("ocpp1.6")], open_timeout=120
        ) as ws:
            rpc = RpcConnection(ws, _refuse, protocol="1.6", call_timeout=30.0, spawn=_discard)
            reader = asyncio.create_task(rpc.run())
            try:
                await rpc.call("BootNotification", BOOT)
                await rpc.call("StatusNotification", STATUS)
                booted = True
                window.settle()
                await _steady_calls(rpc, window)
            finally:
                reader.cancel()
    except LINK_ERRORS as exc:
        window.stats.errors[f"{'link' if booted else 'connect'}: {type(exc).__name__}"] += 1
        if not booted:
            window.settle()


async def _steady_calls(rpc: RpcConnection, window: Window) -> None:
    await window.begin.wait()
    loop = asyncio.get_running_loop()
    period = 1.0 / window.rate
    next_at = window.start_at + random.uniform(0.0, period)  # spread evenly, no lockstep
    for turn in itertools.count():
        await asyncio.sleep(max(0.0, next_at - loop.time()))
        if loop.time() >= window.end_at:
            return
        action, payload = ("Heartbeat", {}) if turn % 2 else ("MeterValues", _meter(turn))
        started = time.perf_counter()
        try:
            await rpc.call(action, payload)
        except OcppCallError as exc:
            window.stats.errors[exc.code] += 1
        except TimeoutError:
            window.stats.errors["timeout"] += 1
        else:
            window.stats.record(action, time.perf_counter() - started)
        next_at += period  # fixed rate: a slow reply eats into the next gap


def _meter(turn: int) -> Payload:
    sample = MeterSample(utc_now(), SAMPLE_PERIODIC, 1_000_000.0 + turn, 0, 150_000, 0, 0, None)
    return {"connectorId": 1, "meterValue": [render_v16(sample, "")]}


async def _refuse(action: str, _payload: Payload) -> Answer:
    raise not_implemented(action)


def _discard(coro: Coroutine[Any, Any, None]) -> None:
    coro.close()  # _refuse never schedules follow-up work


async def idle_memory(server: Server, stations: int) -> Row:
    stop = asyncio.Event()
    config = LoadConfig(
        stations=stations, url=url(server.port), prefix="IDLE", rate_per_station_hz=0.001,
        duration_s=3600, ramp_s=stations / CONNECTS_PER_S, call_timeout_s=60,
    )  # fmt: skip
    before = rss_mib(server.pid)
    load = asyncio.create_task(run_load(config, stop=stop))
    connected = 0
    for _ in range(int(config.ramp_s) + 120):  # until every station is in, or 2 min more
        await asyncio.sleep(1)
        connected = await asyncio.to_thread(lambda: server.connected)
        if connected >= stations:
            break
    await asyncio.sleep(2)
    after = rss_mib(server.pid)
    stop.set()
    await load
    per_station = (after - before) * 1024 / max(1, connected)
    return Row("memory per connected station", f"{per_station:.0f} KiB", f"{connected} idle")


async def storm(server: Server, stations: int, wave: str) -> Row:
    config = LoadConfig(
        stations=stations, url=url(server.port), prefix="STORM", duration_s=0, ramp_s=0,
        call_timeout_s=300,
    )  # fmt: skip
    started, cpu = time.perf_counter(), cpu_seconds(server.pid)
    stats = await run_load(config)
    seconds, cpu = time.perf_counter() - started, cpu_seconds(server.pid) - cpu
    return Row(
        f"storm: {stations} {wave}",
        f"{seconds:.1f} s",
        f"{stats.connected} connected and booted, {stats.failed} failed; server CPU "
        f"{1000 * cpu / max(1, stats.connected):.1f} ms/station",
    )


def _counts(text: str) -> list[int]:
    return [int(part) for part in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--stations", type=_counts, default=[500, 2000], help="steady-state sizes, e.g. 500,2000"
    )
    parser.add_argument("--rate", type=float, default=1.0, help="calls/s per station")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured window")
    parser.add_argument("--idle", type=int, default=5000, help="stations for the memory probe")
    parser.add_argument("--storm", type=int, default=5000, help="stations connecting at once")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--port", type=int, default=None, help="base port (default: a free one)")
    args = parser.parse_args()
    args.port = args.port or free_port_base()
    raise_fd_limit()
    load = os.getloadavg()[0]  # other work on the machine skews every number
    with tempfile.TemporaryDirectory() as tmp:
        db = args.database_url or f"sqlite:///{tmp}/bench.db"
        rows = asyncio.run(run_all(args, db))
    print_table(rows, db, load)


async def run_all(args: argparse.Namespace, database_url: str) -> list[Row]:
    server = Server(args.port, database_url)
    try:
        await asyncio.to_thread(server.wait_ready)
        rows = [Row("server RSS at start", f"{rss_mib(server.pid):.0f} MiB", "")]
        for stations in args.stations:
            rows.append(await steady_state(server, stations, args.rate, args.seconds))
        rows.append(await idle_memory(server, args.idle))
        rows.append(await storm(server, args.storm, "new stations at once"))
        rows.append(await storm(server, args.storm, "known stations reconnect"))
        rows.append(Row("server RSS at end", f"{rss_mib(server.pid):.0f} MiB", ""))
        return rows
    finally:
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.stop()


def print_table(rows: list[Row], database_url: str, load: float) -> None:
    dialect = database_url.split(":", 1)[0]
    machine = f"{os.cpu_count()} cores, load average {load:.1f} at start"
    print(f"\nForecourt core benchmark ({dialect}, {machine})\n")
    print(f"| {'scenario':<44} | {'result':>10} | detail")
    print(f"|{'-' * 46}|{'-' * 12}|{'-' * 60}")
    for row in rows:
        print(f"| {row.scenario:<44} | {row.value:>10} | {row.detail}")


if __name__ == "__main__":
    main()
