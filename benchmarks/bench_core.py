"""Core OCPP benchmark: a real server process, simulated stations over real websockets.

    python benchmarks/bench_core.py [--stations 1000] [--rate 1.0] [--seconds 20]
                                    [--idle 2000] [--storm 5000] [--database-url URL]

Prints a table: sustained messages/second (Heartbeat + MeterValues mix) with p50/p99 latency,
server memory per connected station, and the time to re-admit a reconnect storm. The load
generator shares the machine with the server, so on small machines it is part of the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from forecourt.simulator.load import LatencyStats, LoadConfig, run_load

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Row:
    scenario: str
    value: str
    detail: str


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Server:
    """``forecourt serve`` in its own process, so its memory is measured alone."""

    def __init__(self, port: int, database_url: str) -> None:
        self.port = port
        env = dict(os.environ, FORECOURT_LOG_LEVEL="WARNING")
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
        health = httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=10).json()
        return int(health["connected_stations"])

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def url(port: int) -> str:
    return f"ws://127.0.0.1:{port}/ocpp"


async def throughput(port: int, stations: int, rate: float, seconds: float) -> LatencyStats:
    config = LoadConfig(
        stations=stations, url=url(port), prefix="TPUT", rate_per_station_hz=rate,
        duration_s=seconds, ramp_s=min(10.0, stations / 200),
    )  # fmt: skip
    return await run_load(config)


async def idle_memory(server: Server, stations: int) -> tuple[float, int]:
    stop = asyncio.Event()
    config = LoadConfig(
        stations=stations, url=url(server.port), prefix="IDLE", rate_per_station_hz=0.001,
        duration_s=3600, ramp_s=stations / 250,
    )  # fmt: skip
    before = rss_mib(server.process.pid)
    load = asyncio.create_task(run_load(config, stop=stop))
    await asyncio.sleep(config.ramp_s + 5)
    connected = await asyncio.to_thread(lambda: server.connected)
    after = rss_mib(server.process.pid)
    stop.set()
    await load
    return (after - before) * 1024 / max(1, connected), connected


async def storm(port: int, stations: int) -> tuple[float, LatencyStats]:
    config = LoadConfig(
        stations=stations, url=url(port), prefix="STORM", duration_s=0, ramp_s=0,
        call_timeout_s=120,
    )  # fmt: skip
    started = time.perf_counter()
    stats = await run_load(config)
    return time.perf_counter() - started, stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=1.0, help="calls/s per station")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--idle", type=int, default=2000, help="stations for the memory probe")
    parser.add_argument("--storm", type=int, default=5000, help="stations reconnecting at once")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--port", type=int, default=9123)
    args = parser.parse_args()
    raise_fd_limit()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        rows = asyncio.run(run_all(args, db))
    print_table(rows, args, db)


async def run_all(args: argparse.Namespace, database_url: str) -> list[Row]:
    server = Server(args.port, database_url)
    try:
        await asyncio.to_thread(server.wait_ready)
        rows = [Row("server RSS at start", f"{rss_mib(server.process.pid):.0f} MiB", "")]
        stats = await throughput(args.port, args.stations, args.rate, args.seconds)
        rows.append(Row(
            "sustained messages/s", f"{stats.calls_per_s:,.0f}",
            f"{args.stations} stations x {args.rate:g}/s, {stats.ok} ok, {stats.failed} failed",
        ))  # fmt: skip
        rows.append(Row("latency p50 / p99", f"{stats.p50_ms:.1f} / {stats.p99_ms:.1f} ms",
                        f"max {stats.max_ms:.0f} ms"))  # fmt: skip
        per_station, connected = await idle_memory(server, args.idle)
        rows.append(Row("memory per connected station", f"{per_station:.0f} KiB",
                        f"{connected} idle stations"))  # fmt: skip
        seconds, storm_stats = await storm(args.port, args.storm)
        rows.append(Row(f"re-admit {args.storm} stations at once", f"{seconds:.1f} s",
                        f"{storm_stats.connected} connected, {storm_stats.failed} failed"))  # fmt: skip
        rows.append(Row("server RSS at end", f"{rss_mib(server.process.pid):.0f} MiB", ""))
        return rows
    finally:
        server.stop()


def print_table(rows: list[Row], args: argparse.Namespace, database_url: str) -> None:
    dialect = database_url.split(":", 1)[0]
    print(f"\nForecourt core benchmark ({dialect}, {os.cpu_count()} cores)\n")
    print(f"| {'scenario':<36} | {'result':>16} | detail")
    print(f"|{'-' * 38}|{'-' * 18}|{'-' * 40}")
    for row in rows:
        print(f"| {row.scenario:<36} | {row.value:>16} | {row.detail}")


if __name__ == "__main__":
    main()
