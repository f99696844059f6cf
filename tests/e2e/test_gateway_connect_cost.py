"""What one reconnect costs the database, counted statement by statement over a real server: a
churning fleet pays it on every connect."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import websockets
from sqlalchemy import event
from websockets.asyncio.client import connect

from tests.e2e.conftest import basic_auth
from tests.support.server import running_server

STATION, PASSWORD = "CP-COST-1", "cost-station-password"


async def reconnect(ws_url: str) -> None:
    async with connect(
        f"{ws_url}/{STATION}",
        subprotocols=[websockets.Subprotocol("ocpp1.6")],
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        await ws.send('[2,"1","Heartbeat",{}]')
        await ws.recv()


async def test_a_reconnect_reads_the_station_once(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        await reconnect(server.ws_url)  # the first login checks the password; later ones not
        statements: list[str] = []

        def record(*args: Any) -> None:
            statements.append(" ".join(str(args[2]).split()))

        engine = server.forecourt.database.engine.sync_engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            await reconnect(server.ws_url)
            for _ in range(200):  # until the disconnect is written (bounded)
                if sum("INSERT INTO station_events" in s for s in statements) >= 2:
                    break
                await asyncio.sleep(0.05)
        finally:
            event.remove(engine, "before_cursor_execute", record)

    on_stations = [s.split(" WHERE")[0] for s in statements if " stations" in s]
    reads = [s for s in on_stations if s.startswith("SELECT")]
    updates = [s for s in on_stations if s.startswith("UPDATE stations")]
    # admission, and the reliability monitor's profile refresh; marking the station connected
    # no longer reads it (with its EVSEs and connectors) once more
    assert len(reads) == 2, reads
    assert len(updates) == 3, updates  # connected, the Heartbeat, disconnected
