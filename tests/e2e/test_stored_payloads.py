"""Free-form station payloads are stored bounded, with size and SHA-256 of what was cut."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from tests.support.server import RunningServer, running_server

LIMIT = 4096
T0 = "2026-11-21T10:00:00.000Z"
BOOT = {
    "ocpp1.6": {"chargePointVendor": "V", "chargePointModel": "M"},
    "ocpp2.0.1": {"chargingStation": {"vendorName": "V", "model": "M"}, "reason": "PowerUp"},
}


async def call(ws: ClientConnection, message_id: str, action: str, payload: Any) -> Any:
    await ws.send(json.dumps([2, message_id, action, payload]))
    return json.loads(await asyncio.wait_for(ws.recv(), 10))


async def events(server: RunningServer, station_id: str, kind: str) -> list[dict[str, Any]]:
    key, _ = await server.forecourt.services.api_keys.create(f"ops-{kind}")
    async with httpx.AsyncClient(base_url=server.http_url) as client:
        answer = await client.get(
            f"/api/stations/{station_id}/events",
            params={"kind": kind},
            headers={"Authorization": f"Bearer {key}"},
        )
    found: list[dict[str, Any]] = answer.json()
    return found


def stored_size(data: dict[str, Any]) -> int:
    return len(json.dumps(data, separators=(",", ":")).encode())


async def test_a_large_data_transfer_keeps_size_digest_and_excerpt(tmp_path: Path) -> None:
    data = "\u00e9" + "y" * 99_999  # 100,001 bytes in UTF-8
    async with running_server(
        tmp_path, registration_policy="auto", max_stored_payload_bytes=LIMIT
    ) as server:
        async with connect(f"{server.ws_url}/DT-1", subprotocols=["ocpp1.6"]) as ws:  # type: ignore[list-item]
            await call(ws, "b", "BootNotification", BOOT["ocpp1.6"])
            big = await call(ws, "d1", "DataTransfer", {"vendorId": "acme", "data": data})
            small = await call(ws, "d2", "DataTransfer", {"vendorId": "acme", "data": "hello"})
            assert big == [3, "d1", {"status": "UnknownVendorId"}]
            assert small == [3, "d2", {"status": "UnknownVendorId"}]
        newest, oldest = [e["data"] for e in await events(server, "DT-1", "data_transfer")]
    assert newest == {"vendor_id": "acme", "message_id": None, "data": "hello"}
    assert oldest["vendor_id"] == "acme"
    assert oldest["data"] == {
        "truncated": True,
        "size_bytes": 100_001,
        "sha256": hashlib.sha256(data.encode()).hexdigest(),
        "excerpt": "\u00e9" + "y" * (LIMIT // 2 - 2),
    }
    assert stored_size(oldest) <= LIMIT


async def test_notify_and_security_events_are_bounded_too(tmp_path: Path) -> None:
    event = {
        "eventId": 1,
        "timestamp": T0,
        "trigger": "Alerting",
        "actualValue": "v" * 2500,
        "eventNotificationType": "HardWiredNotification",
        "component": {"name": "EVSE"},
        "variable": {"name": "Problem"},
    }
    notify = {"generatedAt": T0, "seqNo": 0, "eventData": [event] * 40}
    security = {
        "type": "TamperDetectionActivated",
        "timestamp": T0,
        "techInfo": "lid opened",
        "customData": {"vendorId": "acme", "dump": "z" * 50_000},
    }
    async with running_server(
        tmp_path, registration_policy="auto", max_stored_payload_bytes=LIMIT
    ) as server:
        async with connect(f"{server.ws_url}/NE-1", subprotocols=["ocpp2.0.1"]) as ws:  # type: ignore[list-item]
            await call(ws, "b", "BootNotification", BOOT["ocpp2.0.1"])
            assert await call(ws, "n", "NotifyEvent", notify) == [3, "n", {}]
            assert await call(ws, "s", "SecurityEventNotification", security) == [3, "s", {}]
        [notified] = [e["data"] for e in await events(server, "NE-1", "notify_event")]
        [secured] = [e["data"] for e in await events(server, "NE-1", "security")]
    assert notified["generatedAt"] == T0
    assert notified["seqNo"] == 0
    assert notified["eventData"]["truncated"] is True
    assert notified["eventData"]["size_bytes"] > 100_000
    assert stored_size(notified) <= LIMIT
    assert {k: secured[k] for k in ("type", "timestamp", "techInfo")} == {
        k: security[k] for k in ("type", "timestamp", "techInfo")
    }
    assert (
        secured["customData"]["sha256"]
        == hashlib.sha256(
            json.dumps(security["customData"], separators=(",", ":")).encode()
        ).hexdigest()
    )
    assert stored_size(secured) <= LIMIT


async def test_a_stations_large_data_transfer_answer_is_stored_bounded(tmp_path: Path) -> None:
    answer = "w" * 100_000
    async with running_server(
        tmp_path, registration_policy="auto", max_stored_payload_bytes=LIMIT
    ) as server:
        key, _ = await server.forecourt.services.api_keys.create("tech")
        async with (
            connect(f"{server.ws_url}/DT-2", subprotocols=["ocpp1.6"]) as ws,  # type: ignore[list-item]
            httpx.AsyncClient(base_url=server.http_url, timeout=60) as client,
        ):
            await call(ws, "b", "BootNotification", BOOT["ocpp1.6"])
            sent = asyncio.create_task(
                client.post(
                    "/api/stations/DT-2/commands",
                    json={"kind": "data_transfer", "vendor_id": "acme"},
                    headers={"Authorization": f"Bearer {key}"},
                )
            )
            request = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert request[2] == "DataTransfer"
            await ws.send(json.dumps([3, request[1], {"status": "Accepted", "data": answer}]))
            record = (await sent).json()
    assert record["status"] == "accepted"
    assert record["result"]["data"]["size_bytes"] == 100_000
    assert record["result"]["data"]["sha256"] == hashlib.sha256(answer.encode()).hexdigest()
    assert stored_size(record["result"]) <= LIMIT
