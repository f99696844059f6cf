"""What one reconnect costs the database, counted statement by statement over a real server: a
churning fleet pays it on every connect."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import websockets
from sqlalchemy import event
from websockets.asyncio.client import connect

from forecourt.reliability.keys import RELIABILITY
from tests.e2e.conftest import basic_auth
from tests.support.server import RunningServer, running_server

STATION, PASSWORD = "CP-COST-1", "cost-station-password"
BOOT = json.dumps(
    [2, "b", "BootNotification", {"chargePointVendor": "Cost", "chargePointModel": "C1"}]
)


async def reconnect(ws_url: str, *, boot: bool = False) -> None:
    async with connect(
        f"{ws_url}/{STATION}",
        subprotocols=[websockets.Subprotocol("ocpp1.6")],
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        if boot:
            await ws.send(BOOT)
            await ws.recv()
        await ws.send('[2,"1","Heartbeat",{}]')
        await ws.recv()


async def statements_of_a_reconnect(tmp_path: Path, *, boot: bool) -> list[str]:
    """Every SQL statement of one connect (+ boot) + Heartbeat + disconnect, after a first
    login (which checks the password; later ones do not)."""
    async with running_server(tmp_path) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        await reconnect(server.ws_url, boot=boot)
        await settle(server)
        statements: list[str] = []

        def record(*args: Any) -> None:
            statements.append(" ".join(str(args[2]).split()))

        engine = server.forecourt.database.engine.sync_engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            await reconnect(server.ws_url, boot=boot)
            for _ in range(200):  # until the disconnect is written (bounded)
                if sum("INSERT INTO station_events" in s for s in statements) >= 2 + boot:
                    break
                await asyncio.sleep(0.05)
            await settle(server)
        finally:
            event.remove(engine, "before_cursor_execute", record)
    return statements


async def settle(server: RunningServer) -> None:
    """Let the event subscribers (reliability, payments) finish what the reconnect started."""
    for _ in range(5):
        await asyncio.sleep(0.05)
    await server.forecourt.services.feature(RELIABILITY).writer.drain()


def station_statements(statements: list[str]) -> tuple[list[str], list[str]]:
    on_stations = [s.split(" WHERE")[0] for s in statements if " stations" in s]
    reads = [s for s in on_stations if s.startswith("SELECT")]
    updates = [s for s in on_stations if s.startswith("UPDATE stations")]
    return reads, updates


async def test_a_reconnect_reads_the_station_once(tmp_path: Path) -> None:
    reads, updates = station_statements(await statements_of_a_reconnect(tmp_path, boot=False))
    # admission only: the reliability monitor gets the station admission read with the
    # "station.connected" event instead of reading it again (it did, on every connect)
    assert len(reads) == 1, reads
    assert len(updates) == 3, updates  # connected, the Heartbeat, disconnected


async def test_a_reconnect_with_boot_reads_the_station_twice(tmp_path: Path) -> None:
    statements = await statements_of_a_reconnect(tmp_path, boot=True)
    reads, updates = station_statements(statements)
    # admission and boot; the reliability monitor (on connect and on boot) and the payments
    # price display (on boot) use the station the event carries: five reads before
    assert len(reads) == 2, reads
    # the boot's unit of work writes "connected" too (FORECOURT_CONNECTED_WRITE_GRACE)
    assert len(updates) == 3, updates  # connected + boot, the Heartbeat, disconnected


async def test_the_subscribers_see_the_station_as_booted(tmp_path: Path) -> None:
    """No read, same knowledge: the reliability monitor's profile has the booted model."""
    async with running_server(tmp_path) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        await reconnect(server.ws_url, boot=True)
        await settle(server)
        watch = server.forecourt.services.feature(RELIABILITY).monitor.watch(STATION)
        assert watch is not None
        assert (watch.profile.model, watch.profile.station_id) == ("C1", STATION)
