"""What a flood of MeterValues costs SQLite with group commit (ADR 0008), statement by statement:
ten stations' MeterValues in one batch are one BEGIN, one COMMIT, and per message a savepoint
around the same three statements as before. Real services and 1.6 sessions; never timed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from forecourt.bootstrap import build_services
from forecourt.domain.events import DomainEvent
from forecourt.domain.stations import RegistrationStatus
from forecourt.domain.tokens import TokenRecord
from forecourt.ocpp.adapter import Link, dispatcher
from forecourt.ocpp.session import OcppSession
from forecourt.ocpp.v16 import ADAPTER
from forecourt.ports.events import Subscriber
from forecourt.services.core import Services
from tests.support.harness import (
    OfflineGateway,
    ProtocolRig,
    RecordingTransport,
    SteppingClock,
    make_rig,
    make_services,
)

from .test_group_commit import LONG_DELAY, Traced

STATIONS = 10

#: One MeterValues inside a transaction, as before group commit: locate and lock the
#: transaction, insert its samples, save its running totals.
MESSAGE_SQL = [
    "SELECT FROM transactions",
    "INSERT INTO meter_samples",
    "UPDATE transactions",
]


class Silent:
    """Event bus port with no subscribers: only the handlers' own units of work run."""

    async def deliver(self, _event: DomainEvent) -> None:
        return None

    def subscribe(
        self, _prefix: str, _subscriber: Subscriber, _delivery: str = "shared"
    ) -> Callable[[], None]:
        return lambda: None


async def start_transactions(tmp_path: Path) -> None:
    """Ten stations, each with a transaction on connector 1 (tx ids 1-10)."""
    services, database = await make_services(tmp_path)
    try:
        await services.network.add_token(TokenRecord("TAG"))
        for n in range(STATIONS):
            rig = await make_rig(services, ADAPTER, f"CS-{n}")
            start = {"connectorId": 1, "idTag": "TAG", "meterStart": 0,
                     "timestamp": "2026-11-21T11:00:00Z"}  # fmt: skip
            assert (await rig.call("s", "StartTransaction", start))[0] == 3
        await asyncio.sleep(0.1)  # what the starts' subscribers write, they write now
    finally:
        await database.dispose()


def session_of(services: Services, station_id: str) -> ProtocolRig:
    link = Link(station_id, services.core, RegistrationStatus.ACCEPTED)
    transport = RecordingTransport()
    session = OcppSession(
        ADAPTER.version, transport, dispatcher(ADAPTER, link), station_id=station_id
    )
    return ProtocolRig(services, session, transport, link)


async def meter_values(rig: ProtocolRig, tx_id: int) -> None:
    payload = {
        "connectorId": 1, "transactionId": tx_id,
        "meterValue": [{"timestamp": "2026-11-21T11:01:00Z",
                        "sampledValue": [{"value": "1500", "context": "Sample.Periodic"}]}],
    }  # fmt: skip
    assert (await rig.call("m", "MeterValues", payload))[0] == 3


async def test_ten_stations_meter_values_share_one_commit(tmp_path: Path) -> None:
    await start_transactions(tmp_path)
    traced = Traced(tmp_path / "forecourt.db", group_commit_max_units=STATIONS,
                    group_commit_max_delay_s=LONG_DELAY)  # fmt: skip
    await traced.start()
    try:
        services = build_services(
            traced.database, OfflineGateway(), clock=SteppingClock(), bus=Silent()
        )
        rigs = [session_of(services, f"CS-{n}") for n in range(STATIONS)]
        await asyncio.gather(*(meter_values(rig, n + 1) for n, rig in enumerate(rigs)))
    finally:
        await traced.database.dispose()
    flood = [s for s in traced.sql if not s.startswith("PRAGMA")]
    assert flood[0] == "BEGIN IMMEDIATE"
    assert flood[-1] == "COMMIT"  # one fsync for the ten messages
    units = [_kind(s) for s in flood[1:-1]]
    assert units == ["SAVEPOINT fc_unit", *MESSAGE_SQL, "RELEASE fc_unit"] * STATIONS


def _kind(sql: str) -> str:
    """``SELECT FROM transactions``, ``INSERT INTO meter_samples``, ``UPDATE transactions``..."""
    words = sql.split()
    if words[0] == "SELECT":
        return f"SELECT FROM {words[words.index('FROM') + 1]}"
    return " ".join(words[:3] if words[0] == "INSERT" else words[:2])
