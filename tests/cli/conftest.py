"""The CLI under test: its real entry point on a temporary SQLite database, and for
``forecourt command`` a real uvicorn server on 127.0.0.1 whose stations are scripted."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from typer.testing import CliRunner, Result

from forecourt.api.install import install_api
from forecourt.bootstrap import build_services, open_database
from forecourt.cli.main import app
from forecourt.features import FEATURES
from tests.api.databases import fresh_copy, make_template
from tests.api.fakes import ScriptedGateway


@dataclass
class Cli:
    database_url: str
    env: dict[str, str] = field(default_factory=dict)

    def __call__(self, *args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        env = {"FORECOURT_DATABASE_URL": self.database_url, "COLUMNS": "200", **self.env}
        return runner.invoke(app, list(args), env=env, input=input)

    def ok(self, *args: str) -> Result:
        result = self(*args)
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def cli(tmp_path: Path, template_database: Path) -> Cli:
    """The CLI on a migrated database (``test_migrate_*`` run ``forecourt migrate`` itself)."""
    return Cli(fresh_copy(template_database, tmp_path, "migrated.db"))


AppFactory = Callable[[], AbstractAsyncContextManager[FastAPI]]


class ServerThread:
    """uvicorn on 127.0.0.1 (a free port) in a thread with its own event loop; the app is
    built inside that loop, since database engines belong to the loop that made them."""

    def __init__(self, make_app: AppFactory) -> None:
        self._make_app = make_app
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._server: uvicorn.Server | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)

    async def _serve(self) -> None:
        async with self._make_app() as app:
            self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
            await self._server.serve(sockets=[self._socket])

    def __enter__(self) -> ServerThread:
        self._thread.start()
        for _ in range(1000):
            if self._server is not None and self._server.started:
                return self
            time.sleep(0.01)
        raise RuntimeError("the test server did not start")

    def __exit__(self, *_exc: object) -> None:
        assert self._server is not None
        self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()


def forecourt_api(database_url: str, gateway: ScriptedGateway) -> AppFactory:
    """The REST API on real services over ``database_url``, stations behind ``gateway``."""

    @asynccontextmanager
    async def make() -> AsyncIterator[FastAPI]:
        database = open_database(database_url)
        app = FastAPI()
        install_api(
            app,
            build_services(database, gateway),
            live_status=gateway.connected_ids,
            features=FEATURES,
        )
        try:
            yield app
        finally:
            await database.dispose()

    return make


def static(app: FastAPI) -> AppFactory:
    @asynccontextmanager
    async def make() -> AsyncIterator[FastAPI]:
        yield app

    return make


@pytest.fixture
def gateway() -> ScriptedGateway:
    return ScriptedGateway(connected={"CS-1"})


@pytest.fixture
def server(cli: Cli, gateway: ScriptedGateway) -> Iterator[ServerThread]:
    with ServerThread(forecourt_api(cli.database_url, gateway)) as running:
        yield running


@pytest.fixture
def remote(cli: Cli, server: ServerThread) -> Cli:
    """The CLI set up to reach the server with a technician key, station CS-1 registered."""
    cli.ok("stations", "add", "CS-1")
    key = cli.json("apikeys", "create", "tech", "--role", "technician")["key"]
    return Cli(cli.database_url, {"FORECOURT_SERVER": server.url, "FORECOURT_API_KEY": key})
