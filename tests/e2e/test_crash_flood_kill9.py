"""Crash drill for group commit (ADR 0008): stations flood MeterValues, the server is killed with
SIGKILL mid-flood, restarted, and the stations resend what was in flight (as real stations do).
Every MeterValues that got a CALLRESULT is stored, and nothing is stored twice."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.typing import Subprotocol

from forecourt.domain.tokens import TokenRecord
from tests.support.harness import make_services
from tests.support.process import ServerProcess, start_server_process

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]

STATIONS = 20
ACKED_BEFORE_KILL = 400  # the kill lands mid-flood: this many answered, every station in
T0 = datetime(2026, 11, 21, 11, 0, tzinfo=UTC)


@dataclass
class Station:
    """One station's view: what it was told is stored, and what was in flight at the kill."""

    station_id: str
    tx_id: int = 0
    acked: list[int] = field(default_factory=list)
    in_flight: int | None = None


async def call(ws: ClientConnection, message_id: str, action: str, payload: Any) -> Any:
    await ws.send(orjson.dumps([2, message_id, action, payload]).decode())
    while True:
        frame = orjson.loads(await ws.recv())
        if frame[0] == 2:  # a CSMS-initiated call: not part of the drill
            await ws.send(orjson.dumps([4, frame[1], "NotSupported", "", {}]).decode())
        elif frame[1] == message_id:
            assert frame[0] == 3, frame
            return frame[2]


def meter_values(station: Station, n: int) -> dict[str, Any]:
    """Sample ``n``: the register reads ``n`` Wh at T0 + n seconds (unique per station)."""
    stamp = (T0 + timedelta(seconds=n)).isoformat().replace("+00:00", "Z")
    return {
        "connectorId": 1, "transactionId": station.tx_id,
        "meterValue": [{"timestamp": stamp, "sampledValue": [
            {"value": str(n), "unit": "Wh", "context": "Sample.Periodic"}]}],
    }  # fmt: skip


def socket(server: ServerProcess, station: Station) -> Any:
    return connect(f"{server.ws_url}/{station.station_id}",
                   subprotocols=[Subprotocol("ocpp1.6")], compression=None)  # fmt: skip


async def flood(server: ServerProcess, station: Station, answered: list[int]) -> None:
    """Start a transaction, then MeterValues back to back until the connection dies."""
    with contextlib.suppress(ConnectionClosed, OSError):
        async with socket(server, station) as ws:
            boot = {"chargePointVendor": "Drill", "chargePointModel": "K9"}
            await call(ws, "b", "BootNotification", boot)
            start = {"connectorId": 1, "idTag": "TAG", "meterStart": 0,
                     "timestamp": T0.isoformat().replace("+00:00", "Z")}  # fmt: skip
            station.tx_id = (await call(ws, "s", "StartTransaction", start))["transactionId"]
            for n in range(1, 1_000_000):
                station.in_flight = n
                await call(ws, f"m{n}", "MeterValues", meter_values(station, n))
                station.in_flight = None
                station.acked.append(n)
                answered[0] += 1


async def resend(server: ServerProcess, station: Station) -> None:
    """After the restart: the unanswered CALL goes again (OCPP-J: same content)."""
    if station.in_flight is None or not station.tx_id:
        return
    n = station.in_flight
    for attempt in range(1, 11):  # like a station: reconnect until answered
        try:
            async with socket(server, station) as ws:
                await call(ws, f"m{n}", "MeterValues", meter_values(station, n))
        except (InvalidHandshake, ConnectionClosed, OSError):
            if attempt == 10:
                raise
            await asyncio.sleep(0.3)
        else:
            station.acked.append(n)
            return


def stored_values(db: Path) -> dict[int, list[int]]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT transaction_id, value FROM meter_samples WHERE context = 'periodic'"
        ).fetchall()
    stored: dict[int, list[int]] = {}
    for tx_id, value in rows:
        stored.setdefault(tx_id, []).append(int(value))
    return stored


async def test_kill9_mid_flood_loses_no_acknowledged_meter_value(tmp_path: Path) -> None:
    services, database = await make_services(tmp_path)  # tmp_path/forecourt.db, migrated
    await services.network.add_token(TokenRecord("TAG"))
    await database.dispose()
    env = {
        "FORECOURT_DATABASE_URL": f"sqlite:///{tmp_path / 'forecourt.db'}",
        "FORECOURT_REGISTRATION_POLICY": "auto",
        "FORECOURT_MAX_SOCKETS_PER_ADDRESS": "0",
    }
    server = await start_server_process(tmp_path, env)
    stations = [Station(f"K9-{n:02d}") for n in range(STATIONS)]
    answered = [0]
    floods = [asyncio.create_task(flood(server, s, answered)) for s in stations]
    try:
        while answered[0] < ACKED_BEFORE_KILL or not all(s.tx_id for s in stations):
            stopped = [f for f in floods if f.done()]
            assert not stopped, f"a station stopped before the kill: {stopped[0].exception()!r}"
            await asyncio.sleep(0.01)
        server.kill()  # SIGKILL: batches in flight die with the process
        await asyncio.gather(*floods)
        server = await start_server_process(tmp_path, env)
        await asyncio.gather(*(resend(server, s) for s in stations))
    finally:
        server.kill()
    stored = stored_values(tmp_path / "forecourt.db")
    for station in stations:
        values = stored.get(station.tx_id, [])
        assert len(values) == len(set(values)), f"{station.station_id}: stored twice"
        assert set(station.acked) <= set(values), f"{station.station_id}: acknowledged, lost"
    assert sum(len(s.acked) for s in stations) >= ACKED_BEFORE_KILL
