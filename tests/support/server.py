"""A real Forecourt server on 127.0.0.1 (random port) inside the test's event loop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from forecourt.app import Forecourt, create_app
from forecourt.cli.serve import uvicorn_config
from forecourt.extension import Feature
from forecourt.features import FEATURES
from forecourt.ports.clock import Clock
from forecourt.settings import Settings


class LoopbackUrls:
    """The OCPP and HTTP addresses of a server listening on 127.0.0.1:``port``."""

    port: int

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ocpp"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class RunningServer(LoopbackUrls):
    forecourt: Forecourt
    port: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def running_server(
    tmp_path: Path,
    features: Sequence[Feature[Any]] = FEATURES,
    *,
    clock: Clock | None = None,
    **overrides: Any,
) -> AsyncIterator[RunningServer]:
    settings = Settings(
        port=free_port(),
        database_url=overrides.pop("database_url", f"sqlite:///{tmp_path / 'forecourt.db'}"),
        **overrides,
    )
    app = create_app(settings, features=features, clock=clock)
    server = uvicorn.Server(uvicorn_config(settings, app))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # surface the startup error
        await asyncio.sleep(0.01)
    try:
        yield RunningServer(app.state.forecourt, settings.port)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 45)  # a shutdown wait, not a speed check
