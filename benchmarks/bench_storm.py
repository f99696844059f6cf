"""Storm benchmark: idle memory and reconnect storms, Forecourt beside an in-memory reference.

    python benchmarks/bench_storm.py [--stations 1000,10000] [--workers 4]
                                     [--deflate on|off] [--only forecourt|reference]
                                     [--py-spy DIR] [--set NAME=VALUE ...]

For each station count, against ``forecourt serve`` (SQLite, stations with passwords) and then
against ``storm_reference.py`` (a minimal in-memory 1.6 CSMS on the ``ocpp`` library):
- the stations connect (ramped at 90/s; refused ones retry after Retry-After) and boot
  (a first registration with a password), then stay idle; the
  server's RSS growth per station is reported (target at 10,000: <= 30 KiB each);
- every station then sends one Heartbeat, spread over a window (100 a second): p50 / p99;
- reconnect storm: the server is restarted (SIGTERM, same database) and every station
  reconnects at once; the time from "server ready" until the last one is re-admitted and
  booted (targets: 1,000 < 1.5 s, 10,000 < 15 s). For Forecourt every boot is checked in the
  database afterwards (a BOOT event per station and wave).
The load generator runs in ``--workers`` separate processes (storm_load.py). At 10,000 the
first registration alone (a scrypt per new station) takes minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench_core import Row, cpu_seconds, free_port_base, raise_fd_limit, rss_mib
from storm_load import Outcome, serve

HERE = Path(__file__).parent
TARGETS = {"idle KiB": 30.0, 1000: 1.5, 10000: 15.0}
HEARTBEATS_PER_S = 100
# The first connect registers every station (a scrypt each), ramped just under Forecourt's
# default pace for stations it has never seen (FORECOURT_MAX_HANDSHAKES_PER_SECOND=100):
# 10,000 strangers retrying every few seconds would mostly measure refusals.
FIRST_WAVE_PER_S = 90


@dataclass
class Target:
    """A server under test: Forecourt on SQLite, or the reference."""

    name: str
    port: int
    database: Path | None
    settings: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    def start(self, log: Path) -> None:
        if self.database is None:
            command = [sys.executable, str(HERE / "storm_reference.py"), "--port", str(self.port)]
            env = dict(os.environ)
        else:
            command = [
                sys.executable, "-m", "forecourt.cli.main", "serve", "--port", str(self.port),
                "--database-url", f"sqlite:///{self.database}", "--registration-policy", "auto",
            ]  # fmt: skip
            env = dict(os.environ, FORECOURT_LOG_LEVEL="WARNING")
            env.setdefault("FORECOURT_SECRET_KEY", "benchmark-only-secret-key-0123456789")
            env.update(self.settings)
        with log.open("ab") as sink:  # never a pipe: an unread pipe would block the server
            self.process = subprocess.Popen(command, env=env, stdout=sink, stderr=sink)
        self._wait_ready()

    def _wait_ready(self) -> None:
        for _ in range(600):
            try:
                if self.database is None:
                    import socket

                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                else:
                    httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                return
            except (OSError, httpx.HTTPError):
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def refusals(self) -> str:
        """The server's own count of refused handshakes and timeouts, by reason."""
        if self.database is None:
            return ""
        text = httpx.get(f"http://127.0.0.1:{self.port}/metrics", timeout=60).text
        counts = [
            line.split("{", 1)[1].replace('"}', "").replace('="', " ").replace("reason ", "")
            for line in text.splitlines()
            if line.startswith(
                ("forecourt_gateway_refused_total{", "forecourt_gateway_timeouts_total{")
            )
        ]
        return f"; server refusals: {', '.join(counts) or 'none'}"

    def boots_persisted(self) -> int:
        if self.database is None:
            return -1
        with sqlite3.connect(self.database) as db:
            row = db.execute("SELECT count(*) FROM station_events WHERE kind = 'boot'").fetchone()
        return int(row[0])


class Load:
    """The worker processes, and commands to all of them at once."""

    def __init__(self, stations: int, workers: int, url: str) -> None:
        context = multiprocessing.get_context("spawn")
        ids = [f"STORM-{i:05d}" for i in range(stations)]
        self.pipes = []
        self.processes = []
        for n in range(workers):
            parent, child = context.Pipe()
            process = context.Process(
                target=serve, args=(child, url, ids[n::workers], f"127.0.2.{n + 1}"), daemon=True
            )
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def all(self, *command: Any) -> list[Any]:
        for pipe in self.pipes:
            pipe.send(command)
        return [pipe.recv() for pipe in self.pipes]

    def close(self) -> None:
        for pipe in self.pipes:
            pipe.send(("exit",))
        for process in self.processes:
            process.join(30)


def merged(outcomes: list[Outcome]) -> Outcome:
    total = Outcome()
    for outcome in outcomes:
        total.booted += outcome.booted
        total.failed += outcome.failed
        total.last_booted_at = max(total.last_booted_at, outcome.last_booted_at)
        total.refusals.update(outcome.refusals)
        total.intervals.extend(outcome.intervals)
    return total


def run_target(
    target: Target, stations: int, workers: int, log: Path, spy: Path | None
) -> list[Row]:
    label = f"{target.name}, {stations:,}"
    target.start(log)
    load = Load(stations, workers, f"ws://127.0.0.1:{target.port}/ocpp")
    try:
        rss_before = rss_mib(target.pid)
        started = time.monotonic()
        first = merged(load.all("connect", 900.0, stations / FIRST_WAVE_PER_S))
        first_s = time.monotonic() - started
        time.sleep(3.0)
        per_station = (rss_mib(target.pid) - rss_before) * 1024 / max(1, first.booted)
        window = max(10.0, stations / HEARTBEATS_PER_S)
        beats = load.all("heartbeats", time.monotonic() + 1.0, window)
        latencies = sorted(x for part, _ in beats for x in part)
        beat_errors = sum(errors for _, errors in beats)
        target.stop()
        closed = sum(load.all("wait_closed", 60.0))
        target.start(log)
        rss_restarted = rss_mib(target.pid)
        profiler = _py_spy(target.pid, spy, f"{target.name}-{stations}") if spy else None
        cpu, started = cpu_seconds(target.pid), time.monotonic()
        storm = merged(load.all("connect", 900.0, 0.0))
        storm_s = max(storm.last_booted_at, started) - started
        cpu = cpu_seconds(target.pid) - cpu
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(60)
        boots = target.boots_persisted()
        refused = target.refusals()
        time.sleep(3.0)
        idle_after = (rss_mib(target.pid) - rss_restarted) * 1024 / max(1, storm.booted)
    finally:
        load.close()
        target.stop()
    limit = TARGETS.get(stations)
    persisted = "" if boots < 0 else f"; {boots:,} BOOT events stored (2 per station expected)"
    return [
        Row(
            f"{label}: first connect, 90/s",
            f"{first_s:.1f} s",
            f"{first.booted:,} booted, {first.failed} failed; retries {_refusals(first)}",
        ),
        Row(
            f"{label}: idle RSS per station",
            f"{per_station:.1f} KiB",
            f"target <= 30 KiB at 10,000; after the storm {idle_after:.1f} KiB",
        ),
        Row(
            f"{label}: heartbeat p99",
            f"{_pct(latencies, 99):.1f} ms",
            f"p50 {_pct(latencies, 50):.1f} ms, max {1000 * max(latencies, default=0):.0f} ms; "
            f"{len(latencies):,} over {window:.0f} s, {beat_errors} errors",
        ),
        Row(
            f"{label}: reconnect storm",
            f"{storm_s:.2f} s",
            (f"target < {limit:g} s; " if limit else "")
            + f"{storm.booted:,} re-admitted and booted, {storm.failed} failed ({closed:,} saw "
            f"the restart); server CPU {cpu:.1f} s; retries {_refusals(storm)}; boot "
            f"intervals {_spread(storm.intervals)}{persisted}{refused}",
        ),
    ]


def _pct(sorted_latencies: list[float], pct: float) -> float:
    if not sorted_latencies:
        return float("nan")
    index = min(len(sorted_latencies) - 1, math.ceil(len(sorted_latencies) * pct / 100) - 1)
    return 1000 * sorted_latencies[index]


def _refusals(outcome: Outcome) -> str:
    return ", ".join(f"{k} x{v:,}" for k, v in outcome.refusals.most_common()) or "none"


def _spread(intervals: list[int]) -> str:
    if not intervals:
        return "-"
    counts = Counter(intervals)
    if len(counts) == 1:
        return f"all {intervals[0]} s"
    return (
        f"{min(intervals)}-{max(intervals)} s (median {statistics.median(intervals):.0f}, "
        f"{len(counts)} distinct)"
    )


def _py_spy(pid: int, folder: Path, name: str) -> subprocess.Popen[bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    spy = Path(sys.executable).with_name("py-spy")
    command = [str(spy), "record", "--pid", str(pid), "--format", "raw", "--rate", "200",
               "--output", str(folder / f"{name}.txt"), "--nonblocking"]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stations", default="1000,10000", help="counts, comma-separated")
    parser.add_argument("--workers", type=int, default=4, help="load generator processes")
    parser.add_argument("--deflate", choices=["on", "off"], default=None, help="server setting")
    parser.add_argument("--only", choices=["forecourt", "reference"], default=None)
    parser.add_argument("--py-spy", type=Path, default=None, help="profile each storm into DIR")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        help="a Forecourt setting, e.g. SQLITE_SYNCHRONOUS=NORMAL",
    )
    parser.add_argument("--port", type=int, default=None, help="base port (default: a free one)")
    args = parser.parse_args()
    args.port = args.port or free_port_base()
    raise_fd_limit()
    load_avg = os.getloadavg()[0]
    settings = {"FORECOURT_MAX_SOCKETS_PER_ADDRESS": "0"}
    if args.deflate:
        settings["FORECOURT_WS_PER_MESSAGE_DEFLATE"] = str(args.deflate == "on").lower()
    settings.update(
        ("FORECOURT_" + item.partition("=")[0], item.partition("=")[2]) for item in args.set
    )
    print(f"\nStorms and idle memory ({os.cpu_count()} cores, load average {load_avg:.1f} at start;"
          f" {args.workers} load processes)\n")  # fmt: skip
    print(f"| {'scenario':<44} | {'result':>10} | detail")
    print(f"|{'-' * 46}|{'-' * 12}|{'-' * 60}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "servers.log"
        for stations in (int(n) for n in args.stations.split(",")):
            targets = [
                Target("forecourt", args.port, Path(tmp) / f"storm-{stations}.db", settings),
                Target("reference", args.port + 1, None, {}),
            ]
            for target in targets:
                if args.only in (None, target.name):
                    for row in run_target(target, stations, args.workers, log, args.py_spy):
                        print(f"| {row.scenario:<44} | {row.value:>10} | {row.detail}", flush=True)
        errors = [line for line in log.read_text().splitlines() if "Traceback" in line]
    print(f"\nserver logs: {len(errors)} tracebacks")


if __name__ == "__main__":
    main()
