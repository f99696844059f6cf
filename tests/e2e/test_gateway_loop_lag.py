"""Admission protects the stations already connected: while the event loop is congested (one
turn of it takes longer than ``handshake_max_loop_lag``), new handshakes wait."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import websockets
from websockets.asyncio.client import connect

from tests.e2e.conftest import basic_auth
from tests.support.server import running_server

STATION, PASSWORD = "CP-LAG-1", "lag-station-password"
CONGESTED_TURNS = 100  # bounded: 100 x 30 ms at most; a handshake needs about 20 (measured)


async def congest(stop: asyncio.Event) -> None:
    """Each loop turn runs 30 ms of blocking work, as a burst of connects would."""
    for _ in range(CONGESTED_TURNS):
        if stop.is_set():
            return
        time.sleep(0.03)  # noqa: ASYNC251 - the point: work that blocks the loop
        await asyncio.sleep(0)


async def handshake(ws_url: str) -> None:
    async with connect(
        f"{ws_url}/{STATION}",
        subprotocols=[websockets.Subprotocol("ocpp1.6")],
        additional_headers=basic_auth(STATION, PASSWORD),
        open_timeout=30,
    ) as ws:
        await ws.send('[2,"1","Heartbeat",{}]')
        await ws.recv()


async def test_a_new_handshake_waits_while_the_loop_is_congested(tmp_path: Path) -> None:
    async with running_server(tmp_path, handshake_max_loop_lag=0.02) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        await handshake(server.ws_url)  # first login: password hashed, usual address known
        stop = asyncio.Event()
        congestion = asyncio.create_task(congest(stop))
        await handshake(server.ws_url)
        congested_until_admitted = not congestion.done()
        stop.set()
        await congestion
    assert not congested_until_admitted  # admitted only once the loop was quiet again


async def test_without_a_budget_the_handshake_does_not_wait(tmp_path: Path) -> None:
    async with running_server(tmp_path, handshake_max_loop_lag=0) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        await handshake(server.ws_url)
        stop = asyncio.Event()
        congestion = asyncio.create_task(congest(stop))
        await handshake(server.ws_url)
        admitted_while_congested = not congestion.done()
        stop.set()
        await congestion
    assert admitted_while_congested  # the control: the congestion outlasts a plain handshake
