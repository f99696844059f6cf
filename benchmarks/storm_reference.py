"""A minimal in-memory OCPP 1.6 CSMS on the ``ocpp`` library: the yardstick of ``bench_storm.py``.

    python benchmarks/storm_reference.py --port 9301

It answers BootNotification and Heartbeat, and checks HTTP Basic passwords against a dict (a
plain comparison, no hashing): the first password a station presents is kept. Nothing is
durable; a restart forgets every station. The ``ocpp`` library validates every frame against the
OCA schemas, as Forecourt does. Per-message deflate is off.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import contextlib
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from ocpp.routing import on
from ocpp.v16 import ChargePoint, call_result
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

PASSWORDS: dict[str, str] = {}


def now() -> str:
    return datetime.now(UTC).isoformat()


class Station(ChargePoint):
    @on("BootNotification")
    async def boot(self, **_: Any) -> call_result.BootNotification:
        return call_result.BootNotification(current_time=now(), interval=300, status="Accepted")

    @on("Heartbeat")
    async def heartbeat(self) -> call_result.Heartbeat:
        return call_result.Heartbeat(current_time=now())


def check_password(_connection: ServerConnection, request: Request) -> Response | None:
    station_id = request.path.rstrip("/").rsplit("/", 1)[-1]
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    try:
        user, _, password = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        user = password = ""
    known = PASSWORDS.setdefault(station_id, password) if user == station_id else None
    if scheme.lower() == "basic" and known == password:
        return None
    return Response(HTTPStatus.UNAUTHORIZED, "Unauthorized", Headers(), b"")


async def on_connect(websocket: ServerConnection) -> None:
    station_id = websocket.request.path.rstrip("/").rsplit("/", 1)[-1] if websocket.request else ""
    with contextlib.suppress(ConnectionClosed):  # the load generator hangs up at the end
        await Station(station_id, websocket).start()


async def main(port: int) -> None:
    async with serve(
        on_connect,
        "127.0.0.1",
        port,
        subprotocols=[Subprotocol("ocpp1.6")],
        process_request=check_password,
        compression=None,
        backlog=4096,
    ):
        await asyncio.Future()  # until killed


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--port", type=int, default=9301)
    asyncio.run(main(parser.parse_args().port))
