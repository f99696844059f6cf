"""Firmware and logs with an independent implementation: the `ocpp` package's ChargePoint
(1.6 and 2.0.1) downloads the image from Forecourt's signed URL and uploads a log to its
upload URL, as a real station would."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201
from websockets.asyncio.client import connect

from forecourt.services.access import Role
from tests.e2e.conftest import basic_auth
from tests.support.server import RunningServer, running_server

PASSWORD = "s3cret-station-password"
IMAGE = b"vendor image 2.0\n" * 100


async def _fetch(url: str) -> bytes | None:
    async with httpx.AsyncClient(timeout=60) as client:
        response = await client.get(url)
    return response.content if response.is_success else None


async def _put(url: str, body: bytes) -> int:
    async with httpx.AsyncClient(timeout=60) as client:
        return (await client.put(url, content=body)).status_code


class Station16(ChargePoint16):  # type: ignore[misc]
    downloaded: bytes | None = None

    @on(Action16.update_firmware)  # type: ignore[misc]
    def on_update(self, **_: Any) -> Any:
        return result16.UpdateFirmware()

    @after(Action16.update_firmware)  # type: ignore[misc]
    async def install(self, location: str, **_: Any) -> None:
        await self.call(call16.FirmwareStatusNotification(status="Downloading"))
        self.downloaded = await _fetch(location)
        await self.call(call16.FirmwareStatusNotification(status="Downloaded"))
        await self.call(call16.FirmwareStatusNotification(status="Installing"))
        await self.call(call16.FirmwareStatusNotification(status="Installed"))

    @on(Action16.get_diagnostics)  # type: ignore[misc]
    def on_diagnostics(self, **_: Any) -> Any:
        return result16.GetDiagnostics(file_name="diag.txt")

    @after(Action16.get_diagnostics)  # type: ignore[misc]
    async def upload(self, location: str, **_: Any) -> None:
        await self.call(call16.DiagnosticsStatusNotification(status="Uploading"))
        ok = await _put(location, b"1.6 diagnostics\n") == 201
        status = "Uploaded" if ok else "UploadFailed"
        await self.call(call16.DiagnosticsStatusNotification(status=status))


class Station201(ChargePoint201):  # type: ignore[misc]
    downloaded: bytes | None = None

    @on(Action201.update_firmware)  # type: ignore[misc]
    def on_update(self, **_: Any) -> Any:
        return result201.UpdateFirmware(status="Accepted")

    @after(Action201.update_firmware)  # type: ignore[misc]
    async def install(self, request_id: int, firmware: dict[str, Any], **_: Any) -> None:
        async def status(name: str) -> None:
            await self.call(call201.FirmwareStatusNotification(status=name, request_id=request_id))

        await status("Downloading")
        self.downloaded = await _fetch(firmware["location"])
        await status("Downloaded")
        await status("Installing")
        await status("Installed")

    @on(Action201.get_log)  # type: ignore[misc]
    def on_get_log(self, **_: Any) -> Any:
        return result201.GetLog(status="Accepted", filename="security.log")

    @after(Action201.get_log)  # type: ignore[misc]
    async def upload(self, log: dict[str, Any], request_id: int, **_: Any) -> None:
        await self.call(call201.LogStatusNotification(status="Uploading", request_id=request_id))
        ok = await _put(log["remote_location"], b"2.0.1 security log\n") == 201
        status = "Uploaded" if ok else "UploadFailure"
        await self.call(call201.LogStatusNotification(status=status, request_id=request_id))


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RunningServer]:
    async with running_server(
        tmp_path,
        call_timeout=5.0,
        data_dir=tmp_path / "data",
        firmware_campaign_interval=0.2,
        secret_key="a-test-secret-key-of-enough-length",
    ) as running:
        yield running


@asynccontextmanager
async def connected(server: RunningServer, protocol: str) -> AsyncIterator[Any]:
    station_id = f"OCPP-{protocol}"
    await server.forecourt.services.network.add_station(station_id, password=PASSWORD)
    subprotocol, kind = ("ocpp1.6", Station16) if protocol == "1.6" else ("ocpp2.0.1", Station201)
    async with connect(
        f"{server.ws_url}/{station_id}",
        subprotocols=[subprotocol],  # type: ignore[list-item]
        additional_headers=basic_auth(station_id, PASSWORD),
    ) as ws:
        cp = kind(station_id, ws)
        runner = asyncio.create_task(cp.start())
        if protocol == "1.6":
            await cp.call(call16.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        else:
            await cp.call(
                call201.BootNotification(
                    charging_station={"model": "M", "vendor_name": "V"}, reason="PowerUp"
                )
            )
        try:
            yield cp
        finally:
            runner.cancel()


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> None:
    for _ in range(int(timeout / 0.1)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not reached: {check.__name__}")


@pytest.mark.parametrize("protocol", ["1.6", "2.0.1"])
async def test_campaign_with_an_independent_client(server: RunningServer, protocol: str) -> None:
    key, _ = await server.forecourt.services.api_keys.create("k", Role.ADMIN)
    headers = {"Authorization": f"Bearer {key}"}
    async with (
        connected(server, protocol) as cp,
        httpx.AsyncClient(base_url=server.http_url, headers=headers) as client,
    ):
        image = await client.post(
            "/api/firmware/images/upload", params={"version": "2.0"}, content=IMAGE
        )
        body = {
            "name": "c",
            "image_id": image.json()["id"],
            "station_ids": [cp.id],
            "canary_percent": 0,
        }
        campaign_id = (await client.post("/api/firmware/campaigns", json=body)).json()["campaign"][
            "id"
        ]

        async def completed() -> bool:
            found = await client.get(f"/api/firmware/campaigns/{campaign_id}")
            return bool(found.json()["campaign"]["status"] == "completed")

        await eventually(completed)
        assert cp.downloaded == IMAGE  # the signed URL served the very bytes uploaded


@pytest.mark.parametrize(("protocol", "kind"), [("1.6", "diagnostics"), ("2.0.1", "security")])
async def test_log_upload_with_an_independent_client(
    server: RunningServer, protocol: str, kind: str
) -> None:
    key, _ = await server.forecourt.services.api_keys.create("k", Role.TECHNICIAN)
    headers = {"Authorization": f"Bearer {key}"}
    async with (
        connected(server, protocol) as cp,
        httpx.AsyncClient(base_url=server.http_url, headers=headers) as client,
    ):
        asked = await client.post(f"/api/stations/{cp.id}/logs", json={"kind": kind})
        assert asked.status_code == 201, asked.text
        upload_id = asked.json()["upload"]["id"]

        async def uploaded() -> bool:
            logs = (await client.get(f"/api/stations/{cp.id}/logs")).json()
            return bool(logs[0]["state"] == "uploaded" and logs[0]["received"])

        await eventually(uploaded)
        file = await client.get(f"/api/logs/{upload_id}/file")
        assert file.content.endswith(b"log\n") or file.content == b"1.6 diagnostics\n"
