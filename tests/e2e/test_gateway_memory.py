"""What an idle connected station keeps in the server, checked object by object (deterministic,
unlike RSS): no handshake request or response, no headers (the password among them), and no
compression state between messages. benchmarks/bench_gateway.py measures the bytes."""

from __future__ import annotations

import asyncio
import gc
import inspect
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.server import ServerProtocol

from forecourt.gateway.lean import LeanEvent, LeanQueue
from tests.e2e.test_gateway_slow_clients import WAIT, server_with_station, station

STATIONS = 5


def server_websockets() -> list[Any]:
    gc.collect()
    return [
        o
        for o in gc.get_objects()
        if isinstance(o, WebSocketsSansIOProtocol) and not o.disconnected
    ]


async def test_an_idle_station_keeps_no_handshake_or_compression_state(tmp_path: Path) -> None:
    async with server_with_station(tmp_path) as server, AsyncExitStack() as stack:
        for n in range(STATIONS):  # the newest connection replaces the previous one: one stays
            ws = await stack.enter_async_context(station(server))
            await ws.send(f'[2,"{n}","Heartbeat",{{}}]')
            assert '"currentTime"' in await asyncio.wait_for(ws.recv(), WAIT)
        await asyncio.sleep(0.2)
        [protocol] = server_websockets()
        assert not hasattr(protocol, "request")
        assert not hasattr(protocol, "response")
        assert protocol.scope["headers"] == []
        [deflate] = protocol.conn.extensions
        assert type(deflate).__name__ == "PerMessageDeflate"
        assert not hasattr(deflate, "encoder")  # made per message, dropped after it
        assert not hasattr(deflate, "decoder")
        # websockets' handshake parser keeps the parsed request (the Authorization header) as a
        # local while it goes on parsing frames: the gateway restarts a frame-only parser
        assert not handshake_parsers()
        assert protocol.conn.parser.gi_code is not ServerProtocol.parse.__code__
        # and no asyncio queue or event, whose deques cost ~3 KiB per idle connection
        assert isinstance(protocol.queue, LeanQueue)
        assert isinstance(protocol.writable, LeanEvent)
        assert '"currentTime"' in await asyncio.wait_for(ws_call(ws), WAIT)  # still usable


def handshake_parsers() -> list[Any]:
    gc.collect()
    return [
        o
        for o in gc.get_objects()
        if inspect.isgenerator(o) and o.gi_code is ServerProtocol.parse.__code__
    ]


async def ws_call(ws: Any) -> str:
    await ws.send('[2,"again","Heartbeat",{}]')
    return str(await ws.recv())
