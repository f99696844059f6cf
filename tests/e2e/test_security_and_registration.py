"""Security profile 2 (Basic auth over TLS) and the `pending` registration policy, end to end."""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import httpx
import pytest
import websockets
from cryptography.hazmat.primitives.asymmetric import ec
from websockets.asyncio.client import connect

from tests.e2e.conftest import basic_auth
from tests.support.certificates import self_signed
from tests.support.server import running_server

BOOT = {"chargePointVendor": "V", "chargePointModel": "M"}


def server_certificate(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    return self_signed(key, "127.0.0.1", tmp_path / "cert.pem", tmp_path / "key.pem")


async def test_security_profile_2_basic_auth_over_tls(tmp_path: Path) -> None:
    cert, key = server_certificate(tmp_path)
    async with running_server(tmp_path, tls_certfile=cert, tls_keyfile=key) as server:
        await server.forecourt.services.network.add_station("TLS-1", password="tls-password-123")
        trust = ssl.create_default_context(cafile=str(cert))
        url = f"wss://127.0.0.1:{server.port}/ocpp/TLS-1"
        async with connect(
            url,
            ssl=trust,
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            additional_headers=basic_auth("TLS-1", "tls-password-123"),
        ) as ws:
            await ws.send(json.dumps([2, "1", "BootNotification", BOOT]))
            assert json.loads(await ws.recv())[2]["status"] == "Accepted"
        with pytest.raises(websockets.exceptions.InvalidStatus):
            async with connect(
                url,
                ssl=trust,
                subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                additional_headers=basic_auth("TLS-1", "wrong-password"),
            ):
                pass
        with pytest.raises(ssl.SSLError):  # a station that does not trust the CSMS certificate
            async with connect(url, subprotocols=["ocpp1.6"]):  # type: ignore[list-item]
                pass


async def test_pending_policy_admits_unknown_station_until_an_operator_approves(
    tmp_path: Path,
) -> None:
    async with running_server(tmp_path, registration_policy="pending") as server:
        services = server.forecourt.services
        key, _ = await services.api_keys.create("ops")
        url = f"{server.ws_url}/NEW-1"
        async with connect(url, subprotocols=["ocpp1.6"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps([2, "1", "BootNotification", BOOT]))
            assert json.loads(await ws.recv())[2]["status"] == "Pending"
            await ws.send(json.dumps([2, "2", "Heartbeat", {}]))
            assert json.loads(await ws.recv())[:3] == [4, "2", "SecurityError"]
            async with httpx.AsyncClient(base_url=server.http_url) as http:
                listed = await http.get(
                    "/api/stations/NEW-1", headers={"Authorization": f"Bearer {key}"}
                )
                assert listed.json()["registration"] == "pending"
                approved = await http.patch(
                    "/api/stations/NEW-1",
                    json={"registration": "accepted"},
                    headers={"Authorization": f"Bearer {key}"},
                )
                assert approved.status_code == 200
            await ws.send(json.dumps([2, "3", "BootNotification", BOOT]))
            assert json.loads(await ws.recv())[2]["status"] == "Accepted"
            await ws.send(json.dumps([2, "4", "Heartbeat", {}]))
            assert json.loads(await ws.recv())[0] == 3
