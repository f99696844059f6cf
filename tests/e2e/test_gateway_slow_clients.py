"""Slow, half-open and oversized clients at the socket level, end to end, with raw sockets: each
is answered or closed (after a small configured timeout) and counted, and sockets per source
address are capped. Waits are bounded; nothing asserts how fast."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import websockets
from websockets.asyncio.client import connect

from tests.e2e.conftest import basic_auth
from tests.e2e.test_gateway_admission import metric, metrics_text
from tests.support.server import RunningServer, running_server

STATION, PASSWORD = "CP-SLOW-1", "slow-station-password"
WAIT = 10.0  # upper bound for the server to act; the configured timeouts are far shorter


def upgrade_request(target: str, *extra: str) -> bytes:
    auth = base64.b64encode(f"{STATION}:{PASSWORD}".encode()).decode()
    lines = [
        f"GET {target} HTTP/1.1",
        "Host: 127.0.0.1",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Protocol: ocpp1.6",
        f"Authorization: Basic {auth}",
        *extra,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@asynccontextmanager
async def raw_socket(
    server: RunningServer, source: str = "127.0.0.1"
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port, local_addr=(source, 0))
    try:
        yield reader, writer
    finally:
        writer.close()


async def read_until_closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the socket (bounded by WAIT)."""
    return await asyncio.wait_for(reader.read(), WAIT)


def station(server: RunningServer) -> connect:  # an async context manager
    return connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=[websockets.Subprotocol("ocpp1.6")],
        additional_headers=basic_auth(STATION, PASSWORD),
    )


@asynccontextmanager
async def server_with_station(tmp_path: Path, **overrides: object) -> AsyncIterator[RunningServer]:
    async with running_server(tmp_path, **overrides) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        yield server


async def test_a_socket_that_never_completes_its_request_is_closed(tmp_path: Path) -> None:
    async with server_with_station(tmp_path, handshake_timeout=0.5) as server:
        async with raw_socket(server) as (silent_reader, _), raw_socket(server) as (reader, writer):
            writer.write(b"GET /ocpp/CP-SLOW-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and no more
            await writer.drain()
            assert await read_until_closed(reader) == b""
            assert await read_until_closed(silent_reader) == b""
        text = await metrics_text(server)
        assert metric(text, "forecourt_gateway_timeouts_total", stage="request_head") == 2


async def test_a_trickling_keep_alive_connection_is_closed(tmp_path: Path) -> None:
    async with (
        server_with_station(tmp_path, handshake_timeout=0.5) as server,
        raw_socket(server) as (reader, writer),
    ):
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        await writer.drain()
        assert b"200 OK" in await asyncio.wait_for(reader.readuntil(b"}"), WAIT)
        writer.write(b"GET /healthz HTTP/1.1\r\n")  # the next request stalls half-way
        await writer.drain()
        for _ in range(20):  # a byte now and then, more slowly than the deadline allows
            if reader.at_eof() or writer.is_closing():
                break
            await asyncio.sleep(0.1)
            writer.write(b"X")
        try:
            rest = await read_until_closed(reader)
        except (BrokenPipeError, ConnectionResetError):  # a trickled byte met the closed socket
            rest = b""
        assert rest == b""


async def test_an_oversized_request_line_is_answered_and_closed(tmp_path: Path) -> None:
    async with server_with_station(tmp_path) as server:
        async with raw_socket(server) as (reader, writer):
            writer.write(upgrade_request("/ocpp/CP-SLOW-1?" + "a" * 9000))
            await writer.drain()
            answer = await read_until_closed(reader)
        assert answer.startswith(b"HTTP/1.1 414 ")
        text = await metrics_text(server)
        assert metric(text, "forecourt_gateway_refused_total", reason="bad_handshake_request") == 1


async def test_an_oversized_request_head_is_refused(tmp_path: Path) -> None:
    async with server_with_station(tmp_path) as server:
        async with raw_socket(server) as (reader, writer):
            padding = [f"X-Padding-{i}: {'p' * 1000}" for i in range(20)]  # ~20 KiB of headers
            writer.write(upgrade_request("/ocpp/CP-SLOW-1", *padding))
            await writer.drain()
            answer = await read_until_closed(reader)
        assert answer.startswith(b"HTTP/1.1 431 ")


async def test_a_large_body_is_not_mistaken_for_a_large_head(tmp_path: Path) -> None:
    async with server_with_station(tmp_path) as server, raw_socket(server) as (reader, writer):
        body = b"x" * 40_000
        head = f"POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n\r\n"
        writer.write(head.encode() + body)  # one write: head and body arrive together
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), WAIT)
        assert status.startswith(b"HTTP/1.1 405 ")


async def test_open_sockets_per_address_are_capped(tmp_path: Path) -> None:
    async with server_with_station(tmp_path, max_sockets_per_address=3) as server:
        async with (
            raw_socket(server, "127.0.0.2"),
            raw_socket(server, "127.0.0.2"),
            raw_socket(server, "127.0.0.2") as (_, third),
        ):
            async with raw_socket(server, "127.0.0.2") as (reader, _):
                assert (await read_until_closed(reader)).startswith(b"HTTP/1.1 503 ")
            # other addresses are not affected: the station still connects
            async with station(server):
                assert server.forecourt.edge.open_sockets("127.0.0.1") == 1
            third.close()
            await third.wait_closed()
            for _ in range(100):  # until the server has seen the close
                if server.forecourt.edge.open_sockets("127.0.0.2") == 2:
                    break
                await asyncio.sleep(0.05)
            async with raw_socket(server, "127.0.0.2") as (reader, writer):
                writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                await writer.drain()
                assert b"200 OK" in await asyncio.wait_for(reader.readuntil(b"}"), WAIT)
        text = await metrics_text(server)
        assert metric(text, "forecourt_gateway_refused_total", reason="too_many_sockets") == 1


async def test_a_station_silent_after_its_handshake_is_closed(tmp_path: Path) -> None:
    async with server_with_station(tmp_path, first_message_timeout=0.5) as server:
        async with station(server) as silent:
            closed = await asyncio.wait_for(silent.wait_closed(), WAIT)
            assert closed is None
            assert silent.close_code == 1008
        async with station(server) as talking:
            await talking.send('[2,"1","Heartbeat",{}]')
            assert '"currentTime"' in await asyncio.wait_for(talking.recv(), WAIT)
            await asyncio.sleep(1.0)  # past the deadline: a station that spoke stays
            await talking.send('[2,"2","Heartbeat",{}]')
            assert '"currentTime"' in await asyncio.wait_for(talking.recv(), WAIT)
        text = await metrics_text(server)
        assert metric(text, "forecourt_gateway_timeouts_total", stage="first_message") == 1


async def test_compression_keeps_no_state_between_messages(tmp_path: Path) -> None:
    async with server_with_station(tmp_path) as server, station(server) as ws:
        assert ws.response is not None
        negotiated = ws.response.headers["Sec-WebSocket-Extensions"]
        assert "permessage-deflate" in negotiated
        assert "server_no_context_takeover" in negotiated
        assert "client_no_context_takeover" in negotiated
        await ws.send('[2,"1","Heartbeat",{}]')
        assert '"currentTime"' in await asyncio.wait_for(ws.recv(), WAIT)


async def test_compression_can_be_turned_off(tmp_path: Path) -> None:
    async with (
        server_with_station(tmp_path, ws_per_message_deflate=False) as server,
        station(server) as ws,
    ):
        assert ws.response is not None
        assert "Sec-WebSocket-Extensions" not in ws.response.headers
