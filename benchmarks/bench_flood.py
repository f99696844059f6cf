"""MeterValues flood: Forecourt on SQLite and PostgreSQL against an in-memory reference, one run.

    python benchmarks/bench_flood.py [--seconds 20] [--stations 100]
                                     [--targets sqlite,postgresql,reference] [--versions 1.6,2.0.1]
                                     [--pg-url postgresql://postgres@127.0.0.1:5432/test]

Each target is a server in its own process; this process is the load generator
(``flood_load.py``): ``--stations`` stations, each inside a transaction, send MeterValues (1.6)
or TransactionEvent(Updated) (2.0.1) back to back, one CALL in flight each. PostgreSQL gets a
fresh database per run (created next to ``--pg-url``'s, dropped afterwards). After each flood
the samples stored by Forecourt are counted: every acknowledged message must be there.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx
from sqlalchemy.engine import make_url

from bench_core import Server, cpu_seconds, free_port_base, raise_fd_limit
from bench_storm import _py_spy
from flood_load import TOKEN, FloodResult, flood

HERE = Path(__file__).parent
TARGETS = {"sqlite": (5000.0, 50.0), "postgresql": (3000.0, 50.0)}  # msg/s, p99 ms


@dataclass
class Row:
    target: str
    version: str
    result: FloodResult | None
    server_cpu: float = 0.0  # share of one core during the flood
    cpu_ms_per_msg: float = 0.0  # server CPU per acknowledged message, warm-up included
    stored: int | None = None
    note: str = ""

    def cells(self, reference: Row | None) -> list[str]:
        r = self.result
        if r is None:
            return [self.target, self.version, "n/a", "", "", "", "", "", "", ""]
        ratio = ""
        if reference is not None and reference.result is not None and self is not reference:
            ratio = f"{r.calls_per_s / reference.result.calls_per_s:.2f}x"
        target = TARGETS.get(self.target)
        goal = f">={target[0]:,.0f}/s, p99<{target[1]:.0f} ms" if target else ""
        met = ""
        if target:
            met = "met" if r.calls_per_s >= target[0] and r.p99_ms < target[1] else "missed"
        stored = "" if self.stored is None else f"{self.stored:,}/{r.acknowledged:,}"
        failed = f" ({sum(r.failed.values())} failed)" if r.failed else ""
        return [
            self.target,
            self.version,
            f"{r.calls_per_s:,.0f}{failed}",
            f"{r.p50_ms:.1f} / {r.p99_ms:.1f}",
            ratio,
            f"{self.server_cpu:.0%}",
            f"{self.cpu_ms_per_msg:.2f}",
            stored,
            goal,
            met,
        ]


class Reference:
    """``reference_csms.py`` in its own process."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "reference_csms.py"), "--port", str(port)],
            stdout=subprocess.DEVNULL,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    async def wait_ready(self) -> None:
        for _ in range(100):
            with contextlib.suppress(OSError):
                _reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            await asyncio.sleep(0.1)
        raise RuntimeError("reference did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


async def measure(port: int, pid: int, target: str, version: str, args: argparse.Namespace) -> Row:
    prefix = f"FL{version.replace('.', '')}"
    cpu = cpu_seconds(pid)
    started = time.perf_counter()
    result = await flood(
        f"ws://127.0.0.1:{port}/ocpp", version, args.stations, args.seconds, prefix
    )
    cpu = cpu_seconds(pid) - cpu
    cpu_share = cpu / (time.perf_counter() - started)
    return Row(target, version, result, cpu_share, 1000 * cpu / max(1, result.acknowledged))


def forecourt_cli(database_url: str, *command: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "forecourt.cli.main", "--database-url", database_url, *command],
        check=True,
        stdout=subprocess.DEVNULL,
    )


async def run_forecourt(target: str, database_url: str, args: argparse.Namespace) -> list[Row]:
    forecourt_cli(database_url, "migrate")
    forecourt_cli(database_url, "tokens", "add", TOKEN)
    server = Server(args.port, database_url, **dict(args.set))
    rows = []
    try:
        await asyncio.to_thread(server.wait_ready)
        for version in args.versions:
            wal = await pg_wal_counters(database_url)
            spy = _py_spy(server.pid, args.py_spy, f"{target}-{version}") if args.py_spy else None
            row = await measure(args.port, server.pid, target, version, args)
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait(60)
            row.stored = await stored_samples(database_url, f"FL{version.replace('.', '')}-%")
            row.note = await pg_wal_note(database_url, wal)
            rows.append(row)
    finally:
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.stop()
    return rows


async def stored_samples(database_url: str, station_like: str) -> int:
    query = "SELECT count(*) FROM meter_samples WHERE station_id LIKE $1 AND context = $2"
    if database_url.startswith("sqlite"):
        path = make_url(database_url).database or ""
        with sqlite3.connect(path) as db:
            sql = query.replace("$1", "?").replace("$2", "?")
            return int(db.execute(sql, (station_like, "periodic")).fetchone()[0])
    connection = await asyncpg.connect(_plain(database_url))
    try:
        return int(await connection.fetchval(query, station_like, "periodic"))
    finally:
        await connection.close()


async def pg_wal_counters(database_url: str) -> tuple[int, int] | None:
    """(commits in this database, WAL fsyncs of the whole server) so far; None on SQLite."""
    if not database_url.startswith("postgresql"):
        return None
    connection = await asyncpg.connect(_plain(database_url))
    try:
        commits = await connection.fetchval(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        )
        syncs = await connection.fetchval("SELECT wal_sync FROM pg_stat_wal")
        return int(commits), int(syncs)
    finally:
        await connection.close()


async def pg_wal_note(database_url: str, before: tuple[int, int] | None) -> str:
    after = await pg_wal_counters(database_url)
    if before is None or after is None:
        return ""
    commits, syncs = after[0] - before[0], after[1] - before[1]
    return (
        f"{commits:,} commits in its database, {syncs:,} WAL fsyncs server-wide "
        f"({commits / max(1, syncs):.1f} commits per fsync)"
    )


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextlib.asynccontextmanager
async def fresh_pg_database(admin_url: str, settings: list[tuple[str, str]]) -> AsyncIterator[str]:
    name = f"forecourt_flood_{os.getpid()}_{int(time.time())}"
    admin = await asyncpg.connect(_plain(admin_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        for setting, value in settings:  # experiments, e.g. synchronous_commit=off
            await admin.execute(f'ALTER DATABASE "{name}" SET {setting} = {value}')
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def run_reference(args: argparse.Namespace) -> list[Row]:
    reference = Reference(args.port + 1)
    try:
        await reference.wait_ready()
        return [
            await measure(reference.port, reference.pid, "reference", v, args)
            for v in args.versions
        ]
    finally:
        reference.stop()


async def run_all(args: argparse.Namespace, tmp: str) -> list[Row]:
    rows: list[Row] = []
    for target in args.targets:
        print(f"flooding {target} ...", file=sys.stderr, flush=True)
        if target == "reference":
            rows += await run_reference(args)
        elif target == "sqlite":
            rows += await run_forecourt(target, f"sqlite:///{tmp}/flood.db", args)
        elif target == "postgresql":
            try:
                async with fresh_pg_database(args.pg_url, args.pg_setting) as url:
                    rows += await run_forecourt(target, url, args)
            except (OSError, asyncpg.PostgresError) as exc:  # no server: the rest still runs
                note = f"PostgreSQL at {args.pg_url} not usable: {exc}"
                rows += [Row(target, v, None, note=note) for v in args.versions]
        else:
            raise SystemExit(f"unknown target {target!r}")
    return rows


def print_table(rows: list[Row], args: argparse.Namespace, load: float) -> None:
    references = {r.version: r for r in rows if r.target == "reference"}
    header = [
        "target",
        "OCPP",
        "msg/s",
        "p50 / p99 ms",
        "vs reference",
        "server CPU",
        "CPU ms/msg",
        "stored/acked",
        "target",
        "met",
    ]
    lines = [header] + [r.cells(references.get(r.version)) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    settings = ", ".join(f"{n}={v}" for n, v in args.set) or "defaults"
    if args.pg_setting:
        settings += "; PostgreSQL " + ", ".join(f"{n}={v}" for n, v in args.pg_setting)
    print(
        f"\nMeterValues flood: {args.stations} stations back to back, {args.seconds:g} s measured"
        f" ({os.cpu_count()} cores, load average {load:.1f} at start; Forecourt settings:"
        f" {settings})\n"
    )
    for n, line in enumerate(lines):
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        if row.note:
            print(f"{row.target} {row.version}: {row.note}")
        if row.result is not None and row.result.failed:
            print(f"{row.target} {row.version} failures: {row.result.failed}")


def _setting(text: str) -> tuple[str, str]:
    name, _, value = text.partition("=")
    return name, value


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured window per flood")
    parser.add_argument("--stations", type=int, default=100)
    parser.add_argument(
        "--targets", type=lambda s: s.split(","), default=["sqlite", "postgresql", "reference"]
    )
    parser.add_argument("--versions", type=lambda s: s.split(","), default=["1.6", "2.0.1"])
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--port", type=int, default=None, help="base port (default: a free one)")
    parser.add_argument("--py-spy", type=Path, default=None, help="profile each flood into DIR")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        type=_setting,
        metavar="NAME=VALUE",
        help="a Forecourt setting, e.g. group_commit_max_units=1 (repeatable)",
    )
    parser.add_argument("--pg-setting", action="append", default=[], type=_setting,
                        metavar="NAME=VALUE", help="for the PostgreSQL database, e.g. "
                        "synchronous_commit=off (an experiment: no fsync wait at all)")  # fmt: skip
    args = parser.parse_args()
    args.port = args.port or free_port_base()
    raise_fd_limit()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        try:
            rows = asyncio.run(run_all(args, tmp))
        except (OSError, asyncpg.PostgresError, httpx.HTTPError) as exc:
            print(f"flood benchmark failed: {exc}", file=sys.stderr)
            return 1
    print_table(rows, args, load)
    return 0


if __name__ == "__main__":
    sys.exit(main())
