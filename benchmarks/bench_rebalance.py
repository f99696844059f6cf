"""Site load management on a 200-EVSE site.  Run: ``python benchmarks/bench_rebalance.py``.

Prints two tables: the pure allocation (``rebalance``, every policy, with and without a
per-phase limit and single-phase cars) and the service's full rebalance on SQLite (read the
site, plan, send the changed profiles to an answering gateway, keep the answers), with the
profiles sent per kind of change. Nothing is asserted here.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from forecourt.bootstrap import build_services, open_database
from forecourt.bus.inprocess import InProcessBus
from forecourt.domain.commands import Command, CommandResult, CommandStatus, SetChargingProfile
from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType
from forecourt.domain.stations import ProtocolVersion, Site
from forecourt.domain.tokens import IdToken, TokenRecord
from forecourt.services.core import Services
from forecourt.services.network import ConnectorSpec
from forecourt.services.transactions import TransactionStart
from forecourt.smart_charging.domain.allocation import EvseRef, EvseState, Policy, rebalance
from forecourt.smart_charging.domain.phases import PhaseLimit
from forecourt.smart_charging.domain.site import SiteLimit
from forecourt.smart_charging.keys import SMART_CHARGING
from forecourt.smart_charging.ports import Departure

EVSES = 200
STATIONS = 100  # two EVSEs each
SITE = "BIG"
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@dataclass
class CountingGateway:
    """Every station is connected and accepts; counts what it is sent."""

    sent: list[Command] = field(default_factory=list)

    def is_connected(self, _station_id: str) -> bool:
        return True

    def protocol_of(self, _station_id: str) -> ProtocolVersion | None:
        return ProtocolVersion.V201

    async def send(self, _station_id: str, command: Command, _timeout: float) -> CommandResult:
        self.sent.append(command)
        return CommandResult(CommandStatus.ACCEPTED)

    def connected_ids(self) -> list[str]:
        return []


def _evse(i: int, phased: bool) -> EvseState:
    """Every third car needs 10-30 kW by its departure; with ``phased`` every fourth is a
    single-phase car on one of the three phases."""
    one_phase = phased and i % 4 == 0
    return EvseState(
        EvseRef(f"S{i // 2}", i % 2 + 1), True, True,
        1380 if one_phase else 4140, 7360 if one_phase else 22_080, None, None, i % 3,
        phases=(i % 3 + 1,) if one_phase else (1, 2, 3),
        need_w=10_000 + (i % 5) * 5_000 if i % 3 == 0 else None,
    )  # fmt: skip


def pure_table() -> None:
    rows = []
    for phased in (False, True):
        evses = [_evse(i, phased) for i in range(EVSES)]
        phase_limit = PhaseLimit(2_000) if phased else None  # binds before the 1.5 MW
        for policy in Policy:
            times = []
            for _ in range(50):
                start = time.perf_counter()
                rebalance(1_500_000, evses, policy, phase_limit)
                times.append((time.perf_counter() - start) * 1000)
            name = f"{policy.value}{' + phases' if phased else ''}"
            rows.append((name, statistics.median(times), max(times)))
    print(f"pure rebalance, {EVSES} charging EVSEs")
    print(f"{'policy':<22} {'median ms':>10} {'max ms':>8}")
    for name, median, worst in rows:
        print(f"{name:<22} {median:>10.2f} {worst:>8.2f}")


async def seed(services: Services) -> list[str]:
    await services.network.add_site(Site(SITE, "Big depot"))
    rating = ConnectorRating.from_limits(PowerType.AC_3_PHASE, 400, 32)
    txs = []
    for n in range(STATIONS):
        station = f"S{n:03d}"
        await services.network.add_station(station, site_id=SITE)
        for evse in (1, 2):
            spec = ConnectorSpec(evse, 1, ConnectorType.TYPE2, rating)
            await services.network.set_connector(station, spec)
        async with services.ctx.uow() as uow:
            await uow.stations.set_connected(station, True, NOW)
            await uow.commit()
        for evse in (1, 2):
            token = f"T{n}-{evse}"
            await services.network.add_token(TokenRecord(token))
            outcome = await services.core.transactions.start(
                station, TransactionStart(evse, 1, NOW, IdToken(token), 0.0)
            )
            assert outcome.transaction is not None
            txs.append(outcome.transaction.station_tx_id)
    return txs


async def service_table() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        database = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        await database.migrate()
        gateway = CountingGateway()
        services = build_services(database, gateway, bus=InProcessBus())
        txs = await seed(services)
        manager = services.feature(SMART_CHARGING)
        rows = []

        async def measure(change: str, action: Awaitable[object]) -> None:
            before = len(gateway.sent)
            start = time.perf_counter()
            await action
            elapsed = (time.perf_counter() - start) * 1000
            profiles = sum(isinstance(c, SetChargingProfile) for c in gateway.sent[before:])
            rows.append((change, elapsed, profiles))

        await measure("first limit", manager.set_limit(SiteLimit(SITE, 1_500_000)))
        await measure("nothing changed", manager.rebalance(SITE))
        await measure("limit -10 %", manager.set_limit(SiteLimit(SITE, 1_350_000)))
        await measure("limit +100 % (all at max)", manager.set_limit(SiteLimit(SITE, 5_000_000)))
        await measure("phase limit 1500 A", manager.set_limit(_phased(1_500)))
        await measure("policy departure", manager.set_limit(_phased(1_500), Policy.DEPARTURE))
        in_an_hour = datetime.now(UTC) + timedelta(hours=1)  # the service runs on real time
        soon = Departure(EvseRef("S000", 1), txs[0], in_an_hour, 20_000, NOW)
        await measure("one departure given", manager.set_departure(soon))
        await database.dispose()
    print(f"\nservice rebalance on SQLite, {EVSES} EVSEs on {STATIONS} stations (AC, 32 A)")
    print(f"{'change':<28} {'ms':>8} {'profiles sent':>14}")
    for change, ms, profiles in rows:
        print(f"{change:<28} {ms:>8.0f} {profiles:>14}")


def _phased(amps: float) -> SiteLimit:
    return SiteLimit(SITE, 5_000_000, phase_limit_a=amps)


if __name__ == "__main__":
    pure_table()
    asyncio.run(service_table())
