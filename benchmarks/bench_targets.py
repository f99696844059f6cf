"""Issue 12's targets in one table: Forecourt beside the in-memory reference, same run.

    python benchmarks/bench_targets.py            # the full run (about 15 minutes)
    QUICK=1 python benchmarks/bench_targets.py    # shorter floods, 1,000 stations only

Runs, one after the other on this machine (the load average is printed with the table):
- the MeterValues flood (``bench_flood.py``): 100 stations back to back, 1.6 MeterValues and
  2.0.1 TransactionEvent(Updated), on SQLite, PostgreSQL and the reference;
- realistic sessions (``session_load.py``): 1,000 stations charging and idling, every CALL
  timed, on SQLite and the reference;
- idle memory and reconnect storms (``bench_storm.py``): 1,000 and 10,000 stations.
Every row has the measured figure, the reference's, their ratio, the target and met/missed.
Nothing here is a test: ``make test`` never asserts wall-clock figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import bench_flood
import bench_storm
from bench_core import Server, cpu_seconds, free_port_base, raise_fd_limit
from bench_flood import Reference, forecourt_cli
from session_load import SessionsResult, sessions, station_ids, token_of

QUICK = os.environ.get("QUICK", "") not in ("", "0")


@dataclass
class Target:
    scenario: str
    unit: str
    forecourt: float | None
    reference: float | None
    goal: float
    higher_is_better: bool
    note: str = ""

    def cells(self) -> list[str]:
        def fmt(value: float | None) -> str:
            if value is None:
                return "n/a"
            return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"

        ratio = ""
        if self.forecourt and self.reference:
            ratio = f"{self.forecourt / self.reference:.2f}x"
        sign = ">=" if self.higher_is_better else "<" if self.unit != "KiB" else "<="
        met = "n/a"
        if self.forecourt is not None:
            better = (
                self.forecourt >= self.goal
                if self.higher_is_better
                else (
                    self.forecourt <= self.goal
                    if self.unit == "KiB"
                    else self.forecourt < self.goal
                )
            )
            met = "met" if better else "missed"
        return [self.scenario, self.unit, fmt(self.forecourt), fmt(self.reference), ratio,
                f"{sign} {self.goal:,g}", met]  # fmt: skip


def flood_targets(rows: list[bench_flood.Row]) -> list[Target]:
    by = {(r.target, r.version): r for r in rows}
    out = []
    flood16, flood201 = "MeterValues flood 1.6", "TransactionEvent(Updated) flood 2.0.1"
    cases = [("sqlite", "1.6", f"{flood16}, SQLite", 5000.0),
             ("postgresql", "1.6", f"{flood16}, PostgreSQL", 3000.0),
             ("sqlite", "2.0.1", f"{flood201}, SQLite", 5000.0),
             ("postgresql", "2.0.1", f"{flood201}, PostgreSQL", 3000.0)]  # fmt: skip
    for target, version, label, goal in cases:
        row, ref = by.get((target, version)), by.get(("reference", version))
        if row is None:
            continue
        mine = row.result
        theirs = ref.result if ref is not None else None
        note = row.note
        if mine is not None:
            cpu = f"server CPU {row.cpu_ms_per_msg:.2f} ms/msg ({row.server_cpu:.0%} of a core)"
            note = f"stored/acked {row.stored or 0:,}/{mine.acknowledged:,}, {cpu}"
        out.append(Target(f"{label}: msg/s", "msg/s", mine and mine.calls_per_s,
                          theirs and theirs.calls_per_s, goal, True, note))  # fmt: skip
        out.append(Target(f"{label}: p99", "ms", mine and mine.p99_ms,
                          theirs and theirs.p99_ms, 50.0, False))  # fmt: skip
    return out


async def sessions_pair(stations: int, seconds: float, port: int, tmp: str) -> Target:
    database_url = f"sqlite:///{tmp}/sessions.db"
    forecourt_cli(database_url, "migrate")
    cards = Path(tmp) / "cards.csv"
    rows = [f"{token_of(s)},,,," for s in station_ids("SES", stations)]
    cards.write_text("\n".join(["tag,kind,expires,group,label", *rows]) + "\n")
    forecourt_cli(database_url, "tokens", "import", str(cards))
    server = Server(port, database_url)
    try:
        await asyncio.to_thread(server.wait_ready)
        cpu = cpu_seconds(server.pid)
        mine = await sessions(f"ws://127.0.0.1:{port}/ocpp", stations, seconds, "SES")
        cpu = cpu_seconds(server.pid) - cpu
    finally:
        try:
            server.stop()
        except subprocess.TimeoutExpired:  # closing 1,000 sessions on a loaded machine
            server.process.kill()
            server.process.wait(30)
    reference = Reference(port + 1)
    try:
        await reference.wait_ready()
        ref_cpu = cpu_seconds(reference.pid)
        theirs = await sessions(f"ws://127.0.0.1:{port + 1}/ocpp", stations, seconds, "SES")
        ref_cpu = cpu_seconds(reference.pid) - ref_cpu
    finally:
        reference.stop()
    note = _sessions_note(mine, theirs, cpu, ref_cpu)
    return Target(f"{stations:,} realistic sessions: p99", "ms", mine.p99_ms, theirs.p99_ms,
                  20.0, False, note)  # fmt: skip


def _sessions_note(mine: SessionsResult, theirs: SessionsResult, cpu: float, ref: float) -> str:
    errors = f", errors {mine.errors}" if mine.errors else ""
    per_call = 1000 * cpu / max(1, mine.answered)
    ref_per_call = 1000 * ref / max(1, theirs.answered)
    return (f"answered {mine.offered_per_s:.0f} msg/s in the window (reference "
            f"{theirs.offered_per_s:.0f}), p50 {mine.p50_ms:.1f} ms (reference "
            f"{theirs.p50_ms:.1f}); server CPU {per_call:.2f} ms per call, connects and boots "
            f"included (reference {ref_per_call:.2f}){errors}")  # fmt: skip


def storm_targets(stations: int, port: int, tmp: str) -> list[Target]:
    settings = {"FORECOURT_MAX_SOCKETS_PER_ADDRESS": "0"}
    log = Path(tmp) / "storm.log"
    figures: dict[str, dict[str, tuple[float, str]]] = {}
    for name, database in (("forecourt", Path(tmp) / f"storm-{stations}.db"), ("reference", None)):
        target = bench_storm.Target(name, port if database else port + 1, database, settings)
        rows = bench_storm.run_target(target, stations, 4, log, None)
        figures[name] = {r.scenario.rpartition(": ")[2]: (_number(r.value), r.detail) for r in rows}
    mine, theirs = figures["forecourt"], figures["reference"]
    storm_goal = bench_storm.TARGETS.get(stations, 15.0)
    assert isinstance(storm_goal, float)
    return [
        Target(f"{stations:,} idle stations: RSS per station", "KiB",
               mine["idle RSS per station"][0], theirs["idle RSS per station"][0], 30.0, False,
               mine["idle RSS per station"][1]),
        Target(f"{stations:,} stations reconnecting at once", "s",
               mine["reconnect storm"][0], theirs["reconnect storm"][0], storm_goal, False,
               mine["reconnect storm"][1]),
    ]  # fmt: skip


def _number(text: str) -> float:
    return float(text.split()[0].replace(",", ""))


def print_table(targets: list[Target], load: float, quick: bool) -> None:
    header = ["target", "unit", "Forecourt", "reference", "ratio", "goal", "met"]
    lines = [header] + [t.cells() for t in targets]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    run = "QUICK" if quick else "full"
    print(f"\nIssue 12 targets ({run} run; {os.cpu_count()} cores, {_cpu_model()}, "
          f"load average {load:.1f} at start, {os.getloadavg()[0]:.1f} at end)\n")  # fmt: skip
    for n, line in enumerate(lines):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print()
    for t in targets:
        if t.note:
            print(f"- {t.scenario}: {t.note}")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=QUICK, help="as QUICK=1")
    parser.add_argument("--skip", type=lambda s: s.split(","), default=[],
                        help="flood,sessions,storm (comma-separated) to leave out")  # fmt: skip
    parser.add_argument("--port", type=int, default=None, help="base port (default: a free one)")
    args = parser.parse_args()
    args.port = args.port or free_port_base()
    raise_fd_limit()
    load = os.getloadavg()[0]
    flood_args = argparse.Namespace(
        seconds=5.0 if args.quick else 20.0, stations=100,
        targets=["sqlite", "postgresql", "reference"], versions=["1.6", "2.0.1"],
        pg_url=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        port=args.port, set=[], pg_setting=[], py_spy=None,
    )  # fmt: skip
    targets: list[Target] = []

    def measured(rows: list[Target]) -> None:  # as they come: a stopped run still tells
        targets.extend(rows)
        for row in rows:
            print("  " + " | ".join(row.cells()), file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        if "flood" not in args.skip:
            print("flood ...", file=sys.stderr, flush=True)
            measured(flood_targets(asyncio.run(bench_flood.run_all(flood_args, tmp))))
        if "sessions" not in args.skip:
            print("realistic sessions ...", file=sys.stderr, flush=True)
            seconds = 15.0 if args.quick else 30.0
            measured([asyncio.run(sessions_pair(1000, seconds, args.port + 10, tmp))])
        if "storm" not in args.skip:
            for stations in (1000,) if args.quick else (1000, 10000):
                print(f"storm {stations} ...", file=sys.stderr, flush=True)
                measured(storm_targets(stations, args.port + 20, tmp))
    print_table(targets, load, args.quick)
    if args.quick:
        print("\nQUICK: no 10,000-station rows (idle memory at 10,000, the 10,000 storm).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
