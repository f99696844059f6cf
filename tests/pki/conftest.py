"""PKI fixtures: a server with a PKI set up by the CLI (``forecourt pki init``), serving
profiles 1 to 3 on one TLS port, and stations connecting over real mutual TLS."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from typer.testing import CliRunner, Result
from websockets.asyncio.client import ClientConnection, connect

from forecourt.cli.main import app
from forecourt.pki.keys import PKI
from forecourt.pki.services import Pki
from tests.support.certificates import self_signed
from tests.support.server import RunningServer, running_server

SECRET = "pki-tests-secret-key-0123456789"
ORGANIZATION = "Forecourt Test CPO"
BOOT = {"chargePointVendor": "V", "chargePointModel": "M"}
BOOT_201 = {"chargingStation": {"vendorName": "V", "model": "M"}, "reason": "PowerUp"}


@dataclass
class PkiCli:
    database_url: str
    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)

    async def __call__(self, *args: str) -> Result:
        """In a thread: the CLI runs its own event loop, and the server in the test's loop
        must keep going meanwhile (it may hold the SQLite write lock)."""
        return await asyncio.to_thread(self._invoke, args)

    def _invoke(self, args: tuple[str, ...]) -> Result:
        env = {
            "FORECOURT_DATABASE_URL": self.database_url,
            "FORECOURT_SECRET_KEY": SECRET,
            "FORECOURT_DATA_DIR": str(self.data_dir),
            "FORECOURT_PKI_ORGANIZATION": ORGANIZATION,
            "COLUMNS": "200",
            **self.env,
        }
        return CliRunner().invoke(app, list(args), env=env)

    async def ok(self, *args: str) -> Result:
        result = await self(*args)
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return result

    async def json(self, *args: str) -> Any:
        return json.loads((await self.ok(*args, "--json")).stdout)


@dataclass
class PkiServer:
    server: RunningServer
    cli: PkiCli
    server_certificate: Path
    tmp_path: Path

    @property
    def pki(self) -> Pki:
        return self.server.forecourt.services.feature(PKI)

    def url(self, station_id: str) -> str:
        return f"wss://127.0.0.1:{self.server.port}/ocpp/{station_id}"

    def client_tls(self, chain: Path | None = None, key: Path | None = None) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.server_certificate))
        if chain is not None:
            context.load_cert_chain(str(chain), str(key) if key else None)
        return context

    @asynccontextmanager
    async def api(self, role: str = "technician") -> AsyncIterator[httpx.AsyncClient]:
        """The REST API over the server's TLS port, with a fresh key of ``role``."""
        key, _ = await self.server.forecourt.services.api_keys.create(role)
        async with httpx.AsyncClient(
            base_url=f"https://127.0.0.1:{self.server.port}",
            headers={"Authorization": f"Bearer {key}"},
            verify=self.client_tls(),
            timeout=15,
        ) as client:
            yield client

    async def server_cli(self, role: str = "operator") -> PkiCli:
        """The CLI pointed at this server's REST API with a fresh key of ``role``."""
        key, _ = await self.server.forecourt.services.api_keys.create(role)
        env = {
            "FORECOURT_SERVER": f"https://127.0.0.1:{self.server.port}",
            "FORECOURT_API_KEY": key,
            "SSL_CERT_FILE": str(self.server_certificate),
        }
        return PkiCli(self.cli.database_url, self.cli.data_dir, env)

    async def issue(self, station_id: str) -> tuple[Path, Path]:
        """``forecourt pki issue``: the station's chain and key files."""
        out = self.tmp_path / "issued" / station_id
        await self.cli.ok("pki", "issue", station_id, "--out", str(out))
        return out / f"{station_id}.pem", out / f"{station_id}.key"


@pytest.fixture
async def pki_cli(tmp_path: Path) -> PkiCli:
    cli = PkiCli(f"sqlite:///{tmp_path / 'pki.db'}", tmp_path / "data")
    await cli.ok("migrate")
    return cli


@pytest.fixture
async def pki_server(tmp_path: Path, pki_cli: PkiCli) -> AsyncIterator[PkiServer]:
    bundle = tmp_path / "station-ca.pem"
    await pki_cli.ok("pki", "init", "--bundle", str(bundle))
    cert, key = self_signed(
        ec.generate_private_key(ec.SECP256R1()),
        "127.0.0.1 csms",
        tmp_path / "csms.pem",
        tmp_path / "csms.key",
    )
    async with running_server(
        tmp_path,
        database_url=pki_cli.database_url,
        secret_key=SECRET,
        pki_organization=ORGANIZATION,
        tls_certfile=cert,
        tls_keyfile=key,
        tls_client_ca_file=bundle,
        call_timeout=5.0,
    ) as server:
        yield PkiServer(server, pki_cli, cert, tmp_path)


class Station:
    """A raw OCPP-J peer: our CALLs, and the CSMS's CALLs answered by the test."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._next = 0

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        self._next += 1
        await self.ws.send(json.dumps([2, str(self._next), action, payload]))
        frame = json.loads(await self.ws.recv())
        assert frame[0] == 3, frame
        result: dict[str, Any] = frame[2]
        return result

    async def receive_call(self) -> tuple[str, str, dict[str, Any]]:
        frame = json.loads(await self.ws.recv())
        assert frame[0] == 2, frame
        return frame[1], frame[2], frame[3]

    async def answer(self, message_id: str, payload: dict[str, Any]) -> None:
        await self.ws.send(json.dumps([3, message_id, payload]))


@asynccontextmanager
async def station(
    server: PkiServer,
    station_id: str,
    tls: ssl.SSLContext,
    protocol: str = "ocpp1.6",
    headers: dict[str, str] | None = None,
) -> AsyncIterator[Station]:
    async with connect(
        server.url(station_id),
        ssl=tls,
        subprotocols=[protocol],  # type: ignore[list-item]
        additional_headers=headers,
        open_timeout=10,
    ) as ws:
        peer = Station(ws)
        boot = BOOT if protocol == "ocpp1.6" else BOOT_201
        assert (await peer.call("BootNotification", boot))["status"] == "Accepted"
        yield peer
