"""Gateway benchmark: what hostile or unlucky clients cost the stations already connected.

    python benchmarks/bench_gateway.py [--churn 100x10] [--guessers 32] [--seconds 10]
                                       [--slow 300] [--idle 300] [--deflate on|off]

A real ``forecourt serve`` process; one healthy station sends a Heartbeat every 0.2 s and its
latency is reported while, in turn:
- churn: N stations connect, boot and drop, K times each;
- guessing: G clients, each from its own loopback address, guess a station's password;
- slow sockets: S sockets open and send half a request line (file descriptors are counted
  while they are held, and after the handshake timeout);
and the server's memory per idle connected station (clients offer permessage-deflate).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus, WebSocketException
from websockets.typing import Subprotocol

from bench_core import BOOT, Row, Server, free_port_base, print_table, raise_fd_limit, rss_mib, url
from forecourt.simulator.load import LatencyStats

V16 = [Subprotocol("ocpp1.6")]
BOOT_CALL = json.dumps([2, "b", "BootNotification", BOOT])
HANDSHAKE_TIMEOUT = 2.0


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def auth(station: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{station}:{password}".encode()).decode()}


async def healthy_heartbeats(port: int, stop: asyncio.Event) -> LatencyStats:
    stats = LatencyStats()
    async with connect(f"{url(port)}/HEALTHY", subprotocols=V16) as ws:
        await ws.send(json.dumps([2, "boot", "BootNotification", BOOT]))
        await ws.recv()
        for n in range(1_000_000):
            if stop.is_set():
                break
            started = time.perf_counter()
            try:
                await ws.send(f'[2,"{n}","Heartbeat",{{}}]')
                await asyncio.wait_for(ws.recv(), 60)
            except (WebSocketException, TimeoutError) as exc:  # e.g. its pings went unanswered
                stats.errors[f"healthy station lost: {exc}"] += 1
                await stop.wait()
                break
            stats.record("Heartbeat", time.perf_counter() - started)
            await asyncio.sleep(0.2)
    return stats


async def while_healthy(server: Server, name: str, load: Callable[[], Awaitable[str]]) -> Row:
    stop = asyncio.Event()
    healthy = asyncio.create_task(healthy_heartbeats(server.port, stop))
    await asyncio.sleep(1.0)
    cpu_before = _cpu(server.pid)
    detail = await load()
    cpu = _cpu(server.pid) - cpu_before
    stop.set()
    stats = await healthy
    return Row(
        name,
        f"{stats.p50_ms:.1f} ms",
        f"healthy heartbeat p50 / p99 / max {stats.p50_ms:.1f} / {stats.p99_ms:.1f} / "
        f"{stats.max_ms:.0f} ms; {detail}; server CPU {cpu:.1f} s"
        + "".join(f"; {error}" for error in stats.errors),
    )


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def churn(port: int, stations: int, times: int) -> str:
    outcomes: dict[str, int] = {}

    async def station(i: int) -> None:
        for _ in range(times):
            try:
                async with connect(f"{url(port)}/CHURN-{i:04d}", subprotocols=V16) as ws:
                    await ws.send(BOOT_CALL)
                    await asyncio.wait_for(ws.recv(), 60)
                    key = "booted"
            except InvalidStatus as refused:
                key = f"refused {refused.response.status_code}"
            except (OSError, WebSocketException, TimeoutError) as exc:
                key = type(exc).__name__
            outcomes[key] = outcomes.get(key, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(station(i) for i in range(stations)))
    spent = time.perf_counter() - started
    return f"{stations}x{times} connects in {spent:.1f} s: {outcomes}"


async def guessing(port: int, guessers: int, seconds: float) -> str:
    async with connect(
        f"{url(port)}/GUARDED", subprotocols=V16, additional_headers=auth("GUARDED", "right-pw")
    ):
        pass  # self-registers the station with this password
    outcomes: dict[str, int] = {}
    deadline = time.perf_counter() + seconds

    async def guesser(n: int) -> None:
        while time.perf_counter() < deadline:
            try:
                async with connect(
                    f"{url(port)}/GUARDED",
                    subprotocols=V16,
                    additional_headers=auth("GUARDED", f"guess-{n}-{time.perf_counter()}"),
                    local_addr=(f"127.0.1.{n + 1}", 0),
                ):
                    key = "admitted"
            except InvalidStatus as refused:
                key = str(refused.response.status_code)
            except (OSError, WebSocketException, TimeoutError) as exc:
                key = type(exc).__name__
            outcomes[key] = outcomes.get(key, 0) + 1

    await asyncio.gather(*(guesser(n) for n in range(guessers)))
    still = "admitted"
    try:
        async with connect(
            f"{url(port)}/GUARDED", subprotocols=V16, additional_headers=auth("GUARDED", "right-pw")
        ):
            pass
    except InvalidStatus as refused:
        still = f"refused {refused.response.status_code}"
    except (OSError, WebSocketException, TimeoutError) as exc:
        still = f"failed ({type(exc).__name__})"
    return f"{guessers} guessers for {seconds:g} s: {outcomes}; right password afterwards {still}"


async def slow_sockets(server: Server, count: int) -> Row:
    before = open_fds(server.pid)
    sockets = []
    for _ in range(count):
        _reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET /ocpp/SLOW HTTP/1.1\r\n")
        sockets.append(writer)
    await asyncio.sleep(0.5)
    held = open_fds(server.pid)
    await asyncio.sleep(HANDSHAKE_TIMEOUT + 2.0)
    after = open_fds(server.pid)
    for writer in sockets:
        writer.close()
    return Row(
        f"slow sockets: {count} half-sent requests",
        f"{after - before:+d} fds",
        f"server fds {before} before, {held} while held, {after} after "
        f"{HANDSHAKE_TIMEOUT + 2.0:g} s (handshake timeout {HANDSHAKE_TIMEOUT:g} s)",
    )


async def idle_memory(server: Server, stations: int) -> Row:
    before = rss_mib(server.pid)
    async with contextlib.AsyncExitStack() as stack:
        for i in range(stations):
            ws = await stack.enter_async_context(
                connect(f"{url(server.port)}/IDLE-{i:05d}", subprotocols=V16)
            )
            await ws.send(BOOT_CALL)
            await ws.recv()
        await asyncio.sleep(2.0)
        after = rss_mib(server.pid)
    return Row(
        "memory per connected idle station",
        f"{(after - before) * 1024 / stations:.0f} KiB",
        f"{stations} idle, booted, deflate offered by the client",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--churn", default="100x10", help="stations x connects each")
    parser.add_argument("--guessers", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0, help="guessing time")
    parser.add_argument("--slow", type=int, default=300, help="half-open sockets")
    parser.add_argument("--idle", type=int, default=300, help="stations for the memory probe")
    parser.add_argument("--deflate", choices=["on", "off"], default="on")
    parser.add_argument("--port", type=int, default=None, help="base port (default: a free one)")
    args = parser.parse_args()
    args.port = args.port or free_port_base()
    raise_fd_limit()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/bench.db"
        rows = asyncio.run(run_all(args, db))
    print_table(rows, db, load)


async def run_all(args: argparse.Namespace, database_url: str) -> list[Row]:
    stations, times = (int(n) for n in args.churn.split("x"))
    server = Server(
        args.port,
        database_url,
        handshake_timeout=str(HANDSHAKE_TIMEOUT),
        ws_per_message_deflate="true" if args.deflate == "on" else "false",
    )
    try:
        await asyncio.to_thread(server.wait_ready)
        return [
            Row("server RSS at start", f"{rss_mib(server.pid):.0f} MiB", ""),
            await idle_memory(server, args.idle),  # first: later rows leave freed memory behind
            await while_healthy(server, "idle (reference)", _pause),
            await while_healthy(
                server, "connection churn", lambda: churn(server.port, stations, times)
            ),
            await while_healthy(
                server,
                "password guessing",
                lambda: guessing(server.port, args.guessers, args.seconds),
            ),
            await slow_sockets(server, args.slow),
        ]
    finally:
        with contextlib.suppress(Exception):
            server.stop()


async def _pause() -> str:
    await asyncio.sleep(5.0)
    return "nothing else happening, 5 s"


if __name__ == "__main__":
    main()
