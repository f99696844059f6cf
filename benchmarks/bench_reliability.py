"""Reliability benchmark: what the detectors cost, and how fast twelve-month uptime computes.

    python benchmarks/bench_reliability.py [--stations 5000] [--ports 20000]
                                           [--outages-per-port 24] [--database-url URL]

1. **Detectors on vs off** (5,000 stations): the services layer is driven directly with a
   synthetic message mix per station (Heartbeat, StatusNotification, a transaction with meter
   values), the same calls the OCPP handlers make, on a real database. A full websocket fleet
   of 5,000 is ``bench_core.py``'s job; here the difference between the two runs is the
   detectors' cost (bus delivery, in-memory state machines, the single writer), measured
   until every decision is persisted. A third row feeds the same events straight into the
   monitor: the detectors alone, without the core's own database writes.
2. **Twelve-month uptime for 20,000 ports**: timelines with ``--outages-per-port`` outages a
   year per port are bulk-loaded, then ``reports.uptime`` (query + exact arithmetic) runs.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from forecourt.bootstrap import build_services, open_database
from forecourt.bus.inprocess import InProcessBus
from forecourt.cli.runtime import NoStations
from forecourt.domain.events import DomainEvent
from forecourt.domain.metering import Measurand, MeterSample, ReadingContext
from forecourt.domain.stations import ConnectorStatus, StatusReport
from forecourt.domain.tokens import IdToken, TokenRecord
from forecourt.reliability.keys import RELIABILITY
from forecourt.reliability.storage.tables import reliability_intervals
from forecourt.services.core import Services
from forecourt.services.transactions import TransactionStart, TransactionStop, TransactionUpdate
from forecourt.storage.database import Database
from forecourt.storage.tables import evses, stations

MESSAGES_PER_STATION = 7  # heartbeat, status, start, 3 meter updates, stop
PLAUSIBLE = {"implausible_power_ratio": 1e9}


@dataclass
class Row:
    scenario: str
    value: str
    detail: str


async def fresh_services(url: str) -> tuple[Services, Database]:
    database = open_database(url)  # with the features' tables (reliability's among them)
    await database.migrate()
    return build_services(database, NoStations(), bus=InProcessBus()), database


async def provision(database: Database, count: int, evses_each: int) -> list[str]:
    ids = [f"BENCH-{i:05d}" for i in range(count)]
    async with database.engine.begin() as connection:
        await connection.execute(
            stations.insert(), [{"id": i, "registration": "accepted"} for i in ids]
        )
        rows = [{"station_id": i, "evse_id": e} for i in ids for e in range(1, evses_each + 1)]
        await connection.execute(evses.insert(), rows)
    return ids


def sample(at: datetime, wh: float, power_w: float) -> list[MeterSample]:
    return [
        MeterSample(at, Measurand.ENERGY_IMPORT_REGISTER, wh, "Wh", ReadingContext.PERIODIC),
        MeterSample(at, Measurand.POWER_IMPORT, power_w, "W", ReadingContext.PERIODIC),
        MeterSample(at, Measurand.POWER_OFFERED, 150_000.0, "W", ReadingContext.PERIODIC),
    ]


async def one_station(services: Services, station_id: str, round_: int) -> None:
    """Live messages carry the current time (else the clock-drift detector rightly fires)."""
    core = services.core
    tx_id = f"tx-{station_id}-{round_}"
    await core.provisioning.heartbeat(station_id)
    report = StatusReport(1, 1, ConnectorStatus.AVAILABLE, datetime.now(UTC))
    await core.availability.report(station_id, report)
    start = TransactionStart(1, 1, datetime.now(UTC), IdToken("BENCH-TAG"), 1_000_000.0, tx_id)
    await core.transactions.start(station_id, start)
    for step in (1, 2, 3):
        at = datetime.now(UTC)
        samples = sample(at, 1_000_000 + step * 2500, 150_000.0)
        await core.transactions.update(station_id, TransactionUpdate(tx_id, at, samples=samples))
    stop = TransactionStop(tx_id, datetime.now(UTC), 1_010_000.0)
    await core.transactions.stop(station_id, stop)


async def one_round(services: Services, ids: list[str], round_: int) -> None:
    for offset in range(0, len(ids), 50):  # 50 stations talking at once
        batch = ids[offset : offset + 50]
        await asyncio.gather(*(one_station(services, sid, round_) for sid in batch))
    await services.ctx.bus.drain()  # type: ignore[attr-defined]
    await services.feature(RELIABILITY).settle()


async def message_rate(url: str, station_count: int, detectors: bool) -> tuple[float, int]:
    services, database = await fresh_services(url)
    try:
        ids = await provision(database, station_count, 1)
        await services.network.add_token(TokenRecord("BENCH-TAG", allow_concurrent=True))
        if detectors:
            # Synthetic sessions put minutes of energy into milliseconds: the meter-plausibility
            # check would rightly flag every one. A healthy fleet is what is measured here.
            await services.feature(RELIABILITY).config.set_thresholds(None, PLAUSIBLE)
            await services.feature(RELIABILITY).start()
        await one_round(services, ids, 0)  # warm-up: port timelines start here
        began = time.perf_counter()
        await one_round(services, ids, 1)  # steady state
        elapsed = time.perf_counter() - began
        seen = services.feature(RELIABILITY).monitor.events_seen
        await services.feature(RELIABILITY).stop()
        return station_count * MESSAGES_PER_STATION / elapsed, seen
    finally:
        await database.dispose()


async def detectors_alone(url: str, station_count: int) -> float:
    """Events straight into the monitor: the detectors' own cost per event."""
    services, database = await fresh_services(url)
    try:
        await services.feature(RELIABILITY).config.set_thresholds(None, PLAUSIBLE)
        monitor = services.feature(RELIABILITY).monitor
        base = datetime.now(UTC)
        events = []
        for i in range(station_count):
            sid = f"BENCH-{i:05d}"
            tx = {"transaction_id": i + 1, "evse_id": 1, "connector_id": 1, "id_token": "T",
                  "started_at": base.isoformat(), "power_offered_w": 150_000.0}  # fmt: skip
            events.append(DomainEvent("link.heartbeat", sid, base))
            events.append(
                DomainEvent(
                    "connector.status",
                    sid,
                    base,
                    {"evse_id": 1, "connector_id": 1, "status": "available"},
                )
            )
            events.append(DomainEvent("transaction.started", sid, base, tx))
            for minute in (1, 2, 3):
                at = base + timedelta(minutes=minute)
                events.append(
                    DomainEvent("transaction.updated", sid, at, {**tx, "power_w": 150_000.0})
                )
            ended = {
                **tx,
                "energy_wh": 10_000.0,
                "peak_power_w": 150_000.0,
                "stopped_at": (base + timedelta(minutes=4)).isoformat(),
                "payment_method": "rfid_account",
            }
            events.append(DomainEvent("transaction.ended", sid, base + timedelta(minutes=4), ended))
        began = time.perf_counter()
        for event in events:
            monitor.handle(event)
        monitor.tick()
        elapsed = time.perf_counter() - began
        await services.feature(RELIABILITY).stop()  # persists what the detectors decided
        return len(events) / elapsed
    finally:
        await database.dispose()


async def uptime_timing(url: str, ports: int, outages: int) -> tuple[float, float, int]:
    services, database = await fresh_services(url)
    try:
        per_station = 2
        ids = await provision(database, ports // per_station, per_station)
        start = datetime(2026, 1, 1, tzinfo=UTC)
        rows = list(_intervals(ids, per_station, start, outages))
        loaded = time.perf_counter()
        async with database.engine.begin() as connection:
            for offset in range(0, len(rows), 50_000):
                await connection.execute(
                    reliability_intervals.insert(), rows[offset : offset + 50_000]
                )
        load_s = time.perf_counter() - loaded
        began = time.perf_counter()
        result = await services.feature(RELIABILITY).reports.uptime(2026, 12)
        elapsed = time.perf_counter() - began
        assert len(result) == ports, (len(result), ports)
        return elapsed, load_s, len(rows)
    finally:
        await database.dispose()


def _intervals(ids: list[str], per_station: int, start: datetime, outages: int):  # type: ignore[no-untyped-def]
    rng = random.Random(680)
    year = 365 * 24 * 60
    for station_id in ids:
        for evse_id in range(1, per_station + 1):
            cuts = sorted(rng.sample(range(1, year - 600), outages))
            moment = start
            for cut in cuts:
                down = start + timedelta(minutes=cut)
                if down <= moment:
                    continue
                back = down + timedelta(minutes=rng.randint(5, 600))
                yield _row(station_id, evse_id, moment, down, "")
                yield _row(
                    station_id,
                    evse_id,
                    down,
                    back,
                    rng.choice(("offline", "faulted", "failing_sessions")),
                )
                moment = back
            yield _row(station_id, evse_id, moment, None, "")


def _row(
    station_id: str, evse_id: int, start: datetime, end: datetime | None, conditions: str
) -> dict[str, object]:
    return {
        "station_id": station_id,
        "evse_id": evse_id,
        "start_at": start,
        "end_at": end,
        "conditions": conditions,
    }


def print_table(rows: list[Row]) -> None:
    width = max(len(r.scenario) for r in rows)
    value_width = max(len(r.value) for r in rows)
    print(f"{'scenario':<{width}}  {'result':>{value_width}}  detail")
    print(f"{'-' * width}  {'-' * value_width}  {'-' * 40}")
    for row in rows:
        print(f"{row.scenario:<{width}}  {row.value:>{value_width}}  {row.detail}")


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:

        def url(name: str) -> str:
            return args.database_url or f"sqlite:///{Path(tmp) / name}"

        rows = []
        off, _ = await message_rate(url("off.db"), args.stations, detectors=False)
        rows.append(
            Row(
                f"messages/s, detectors off ({args.stations} stations)",
                f"{off:,.0f}",
                "services layer, synthetic mix, real SQLite",
            )
        )
        on, seen = await message_rate(url("on.db"), args.stations, detectors=True)
        overhead = (off - on) / off * 100 if off else 0.0
        rows.append(
            Row(
                f"messages/s, detectors on ({args.stations} stations)",
                f"{on:,.0f}",
                f"{seen:,} events handled; {overhead:+.1f} % cost vs off",
            )
        )
        alone = await detectors_alone(url("alone.db"), args.stations)
        rows.append(
            Row(
                "events/s, detectors alone (in memory)",
                f"{alone:,.0f}",
                "monitor.handle on synthetic events",
            )
        )
        took, load_s, count = await uptime_timing(
            url("uptime.db"), args.ports, args.outages_per_port
        )
        rows.append(
            Row(
                f"12-month uptime, {args.ports:,} ports",
                f"{took:.2f} s",
                f"{count:,} intervals ({args.outages_per_port} outages/port/yr;"
                f" loaded in {load_s:.1f} s)",
            )
        )
    print_table(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=5000)
    parser.add_argument("--ports", type=int, default=20000)
    parser.add_argument("--outages-per-port", type=int, default=24)
    parser.add_argument("--database-url", default=None, help="default: fresh SQLite files")
    sys.exit(asyncio.run(main(parser.parse_args())))
