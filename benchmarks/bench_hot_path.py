"""CPU per MeterValues in one process: real services, every feature started (as ``serve`` does),
real OCPP sessions, a SQLite file with group commit; no websocket and no load generator.

    PYTHONPATH=<tree>/src python benchmarks/bench_hot_path.py [--stations 20] [--messages 300]
                                                              [--version 1.6|2.0.1] [--runs 3]

Each run: ``--stations`` sessions, each inside a transaction, send ``--messages`` MeterValues
(1.6) or TransactionEvent(Updated) (2.0.1) back to back, one in flight each. Prints this
process's CPU time (``time.process_time``) per message, per run and the median: on a shared
machine a steadier figure than any rate, and the one to compare between two trees.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from forecourt.bootstrap import build_services, open_database
from forecourt.bus.inprocess import InProcessBus
from forecourt.domain.commands import Command, CommandResult, CommandStatus
from forecourt.domain.stations import ProtocolVersion, RegistrationStatus
from forecourt.domain.tokens import TokenRecord
from forecourt.features import FEATURES
from forecourt.ocpp.adapter import Link, dispatcher
from forecourt.ocpp.session import OcppSession
from forecourt.ocpp.v16 import ADAPTER as V16
from forecourt.ocpp.v201 import ADAPTER as V201
from forecourt.services.core import Services

T0 = datetime(2026, 11, 21, 11, 0, tzinfo=UTC)


class Transport:
    def __init__(self) -> None:
        self.sent: asyncio.Queue[str] = asyncio.Queue()

    async def send_text(self, text: str) -> None:
        await self.sent.put(text)


class OfflineGateway:
    def is_connected(self, _station_id: str) -> bool:
        return False

    def protocol_of(self, _station_id: str) -> ProtocolVersion | None:
        return None

    async def send(self, _station_id: str, _command: Command, _timeout: float) -> CommandResult:
        return CommandResult(CommandStatus.OFFLINE)

    def connected_ids(self) -> list[str]:
        return []


class Station:
    def __init__(self, services: Services, station_id: str, version: str) -> None:
        adapter = V16 if version == "1.6" else V201
        self.version = version
        self.transport = Transport()
        link = Link(station_id, services.core, RegistrationStatus.ACCEPTED)
        handler = dispatcher(adapter, link)
        self.session = OcppSession(adapter.version, self.transport, handler, station_id=station_id)
        self.tx: Any = None
        self.n = 0

    async def call(self, action: str, payload: dict[str, Any]) -> Any:
        self.n += 1
        await self.session.receive(json.dumps([2, f"m{self.n}", action, payload]))
        frame = json.loads(await self.transport.sent.get())
        if frame[0] != 3:
            raise RuntimeError(f"{action} answered {frame}")
        return frame[2]

    async def start(self, token: str) -> None:
        if self.version == "1.6":
            payload = {"connectorId": 1, "idTag": token, "meterStart": 0,
                       "timestamp": _at(0)}  # fmt: skip
            self.tx = (await self.call("StartTransaction", payload))["transactionId"]
            return
        self.tx = f"TX-{id(self)}"
        await self.call("TransactionEvent", self._event("Started", 0, 0))

    async def meter(self, i: int) -> None:
        wh = 1000.0 * i
        if self.version == "1.6":
            payload = {"connectorId": 1, "transactionId": self.tx, "meterValue": [
                {"timestamp": _at(i), "sampledValue": [
                    {"value": str(wh), "context": "Sample.Periodic",
                     "measurand": "Energy.Active.Import.Register"}]}]}  # fmt: skip
            await self.call("MeterValues", payload)
            return
        await self.call("TransactionEvent", self._event("Updated", i, wh))

    def _event(self, kind: str, i: int, wh: float) -> dict[str, Any]:
        event: dict[str, Any] = {
            "eventType": kind, "timestamp": _at(i), "seqNo": i,
            "triggerReason": "MeterValuePeriodic" if kind == "Updated" else "Authorized",
            "transactionInfo": {"transactionId": self.tx},
            "evse": {"id": 1, "connectorId": 1},
            "meterValue": [{"timestamp": _at(i), "sampledValue": [
                {"value": wh, "context": "Sample.Periodic",
                 "measurand": "Energy.Active.Import.Register"}]}],
        }  # fmt: skip
        if kind == "Started":
            event["idToken"] = {"idToken": "TAG", "type": "ISO14443"}
        return event


def _at(seconds: int) -> str:
    return (T0 + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


async def run(stations: int, messages: int, version: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        database = open_database(f"sqlite:///{Path(tmp) / 'hot.db'}")
        await database.migrate()
        services = build_services(database, OfflineGateway(), bus=InProcessBus())
        for feature in FEATURES:
            await feature.start(services.feature(feature.key))
        try:
            await services.network.add_token(TokenRecord("TAG"))
            fleet = []
            for n in range(stations):
                await services.network.add_station(f"HOT-{n}")
                station = Station(services, f"HOT-{n}", version)
                await station.start("TAG")
                fleet.append(station)
            await asyncio.sleep(0.5)  # the starts' subscribers are done

            async def flood(station: Station) -> None:
                for i in range(1, messages + 1):
                    await station.meter(i)

            before = time.process_time()
            await asyncio.gather(*(flood(s) for s in fleet))
            spent = time.process_time() - before
        finally:
            for feature in reversed(FEATURES):
                await feature.stop(services.feature(feature.key))
            await database.dispose()
    return spent * 1000 / (stations * messages)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stations", type=int, default=20)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--version", choices=["1.6", "2.0.1"], default="1.6")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    figures = [
        asyncio.run(run(args.stations, args.messages, args.version)) for _ in range(args.runs)
    ]
    shown = ", ".join(f"{f:.3f}" for f in figures)
    print(f"{args.version}: CPU ms per message, median {statistics.median(figures):.3f} ({shown})")


if __name__ == "__main__":
    main()
