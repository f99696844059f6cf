"""One unit of work per reconnect (issue 12): a station that connects and boots has its
"connected" written by the boot's unit of work; one that says something else first, or nothing,
still gets it written alone, before its own writes. Counted over a real server, never timed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection, connect

from forecourt.ports.repositories import UnitOfWork
from tests.e2e.conftest import basic_auth
from tests.e2e.test_gateway_connect_cost import settle
from tests.support.server import RunningServer, running_server
from tests.support.statements import recording

STATION, PASSWORD = "CP-UNITS-1", "units-station-password"
BOOT = json.dumps(
    [2, "b", "BootNotification", {"chargePointVendor": "Units", "chargePointModel": "U1"}]
)


@asynccontextmanager
async def station(ws_url: str) -> AsyncIterator[ClientConnection]:
    async with connect(
        f"{ws_url}/{STATION}",
        subprotocols=[websockets.Subprotocol("ocpp1.6")],
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        yield ws


async def call(ws: ClientConnection, frame: str) -> Any:
    await ws.send(frame)
    return json.loads(await ws.recv())


class CountingUnits:
    """Wraps the services' unit-of-work factory: the history kinds each committed unit wrote."""

    def __init__(self, server: RunningServer) -> None:
        self.ctx = server.forecourt.services.ctx
        self.factory = self.ctx.uow
        self.committed: list[list[str]] = []

    def __enter__(self) -> CountingUnits:
        self.ctx.uow = self._unit
        return self

    def __exit__(self, *_: object) -> None:
        self.ctx.uow = self.factory

    @asynccontextmanager
    async def _unit(self) -> AsyncIterator[UnitOfWork]:
        async with self.factory() as uow:
            kinds: list[str] = []
            add, commit = uow.events.add, uow.commit

            async def recorded_add(event: Any) -> Any:
                kinds.append(event.kind.value)
                return await add(event)

            async def counted_commit() -> None:
                await commit()
                if kinds:
                    self.committed.append(list(kinds))
                    kinds.clear()

            uow.events.add = recorded_add  # type: ignore[method-assign]
            uow.commit = counted_commit  # type: ignore[method-assign]
            yield uow


async def history(server: RunningServer) -> list[str]:
    events = await server.forecourt.services.network.station_events(STATION, limit=50)
    return [e.kind.value for e in reversed(events)]


async def stored_connected(server: RunningServer) -> bool:
    found = await server.forecourt.services.network.station(STATION)
    return found.connected


async def test_a_reconnect_and_boot_commit_once(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        async with station(server.ws_url) as ws:  # the first login (stores the verifier)
            await call(ws, BOOT)
        await settle(server)
        with CountingUnits(server) as units, recording(server.forecourt.database.engine) as sql:
            async with station(server.ws_url) as ws:
                assert (await call(ws, BOOT))[2]["status"] == "Accepted"
                assert await stored_connected(server)
            for _ in range(200):  # until the disconnect is written (bounded)
                if ["disconnected"] in units.committed:
                    break
                await asyncio.sleep(0.05)
            await settle(server)
        kinds = await history(server)
    # connected and the boot: one unit of work, one UPDATE of the station; then the close
    assert units.committed == [["connected", "boot"], ["disconnected"]]
    assert sum(s.startswith("UPDATE stations") for s in sql.statements) == 2, sql.statements
    assert kinds[-3:] == ["connected", "boot", "disconnected"]


async def test_another_first_message_writes_connected_before_its_own_work(
    tmp_path: Path,
) -> None:
    async with running_server(tmp_path) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        async with station(server.ws_url) as ws:
            await call(ws, BOOT)
        await settle(server)
        with CountingUnits(server) as units:
            async with station(server.ws_url) as ws:
                status = {"connectorId": 1, "errorCode": "NoError", "status": "Available"}
                frame = json.dumps([2, "s", "StatusNotification", status])
                assert (await call(ws, frame))[0] == 3
                assert await stored_connected(server)
        kinds = await history(server)
    assert units.committed[0] == ["connected"]  # alone, before the status's own unit
    assert kinds[-2:] == ["connected", "disconnected"]


async def test_a_silent_station_is_written_connected_after_the_grace(tmp_path: Path) -> None:
    async with running_server(tmp_path, connected_write_grace=0.2) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        async with station(server.ws_url):
            for _ in range(200):  # the grace timer writes it (bounded wait)
                if await stored_connected(server):
                    break
                await asyncio.sleep(0.05)
            assert await stored_connected(server)
            assert (await history(server))[-1] == "connected"
        for _ in range(200):
            if not await stored_connected(server):
                break
            await asyncio.sleep(0.05)
        kinds = await history(server)
    assert kinds == ["connected", "disconnected"]


async def test_a_station_gone_before_any_message_still_has_its_history_in_order(
    tmp_path: Path,
) -> None:
    async with running_server(tmp_path, connected_write_grace=30.0) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        async with station(server.ws_url):
            pass
        for _ in range(200):
            if len(await history(server)) == 2:
                break
            await asyncio.sleep(0.05)
        kinds = await history(server)
        connected = await stored_connected(server)
    assert kinds == ["connected", "disconnected"]
    assert not connected


async def test_grace_zero_writes_connected_at_the_handshake(tmp_path: Path) -> None:
    async with running_server(tmp_path, connected_write_grace=0.0) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        with CountingUnits(server) as units:
            async with station(server.ws_url) as ws:
                await call(ws, BOOT)
        await settle(server)
    assert units.committed[:2] == [["connected"], ["boot"]]
