"""Firmware publishing (2.0.1 L03/L04) over the wire: a real server, the simulator as a local
controller downloading Forecourt's image over HTTP and checking its MD5, and the `ocpp`
package's 2.0.1 ChargePoint as an independent implementation."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from ocpp.routing import after, on
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201
from websockets.asyncio.client import connect

from forecourt.firmware.keys import FIRMWARE
from tests.e2e.conftest import basic_auth
from tests.e2e.test_firmware_simulator import (  # noqa: F401 (the server fixture)
    PASSWORD,
    api,
    eventually,
    server,
    simulated,
)
from tests.support.server import RunningServer

IMAGE = b"SIMFW:3.0.0\n" + b"\x01" * 2048
MD5 = hashlib.md5(IMAGE, usedforsecurity=False).hexdigest()


async def image_location(running: RunningServer, client: httpx.AsyncClient) -> str:
    """Forecourt's signed URL of an uploaded image: what the controller downloads."""
    upload = await client.post(
        "/api/firmware/images/upload", params={"version": "3.0.0"}, content=IMAGE
    )
    assert upload.status_code == 201, upload.text
    images = running.forecourt.services.feature(FIRMWARE).images
    location: str = images.location(await images.image(upload.json()["id"]))
    return location


async def publish(client: httpx.AsyncClient, station_id: str, location: str, md5: str) -> Any:
    body = {"location": location, "checksum": md5}
    response = await client.post(f"/api/stations/{station_id}/firmware-publish", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def publication_reaches(client: httpx.AsyncClient, station_id: str, state: str) -> Any:
    async def reached() -> Any:
        found = (await client.get(f"/api/stations/{station_id}/firmware")).json()["publication"]
        return found if found and found["state"] == state else None

    return await eventually(reached)


async def unpublish(client: httpx.AsyncClient, station_id: str) -> Any:
    body = {"checksum": MD5}
    response = await client.post(f"/api/stations/{station_id}/firmware-unpublish", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_simulator_publishes_and_unpublishes(server: RunningServer) -> None:  # noqa: F811
    async with simulated(server, "SIM-PUB-1", "2.0.1"), await api(server) as client:
        location = await image_location(server, client)
        sent = await publish(client, "SIM-PUB-1", location, MD5.upper())
        assert sent["command"]["status"] == "accepted"
        published = await publication_reaches(client, "SIM-PUB-1", "published")
        assert published["locations"] == [f"http://SIM-PUB-1.local/fw/{MD5}"]
        assert (published["checksum"], published["location"]) == (MD5, location)

        gone = await unpublish(client, "SIM-PUB-1")
        assert (gone["status"], gone["result"]["status"]) == ("accepted", "Unpublished")
        state = (await client.get("/api/stations/SIM-PUB-1/firmware")).json()["publication"]
        assert (state["state"], state["locations"]) == ("unpublished", [])
        again = await unpublish(client, "SIM-PUB-1")
        assert (again["status"], again["result"]["status"]) == ("rejected", "NoFirmware")


async def test_a_wrong_checksum_is_reported_invalid(server: RunningServer) -> None:  # noqa: F811
    async with simulated(server, "SIM-PUB-2", "2.0.1"), await api(server) as client:
        location = await image_location(server, client)
        await publish(client, "SIM-PUB-2", location, "0" * 32)
        failed = await publication_reaches(client, "SIM-PUB-2", "invalid_checksum")
        assert failed["locations"] == []


async def test_a_failed_download_is_reported(server: RunningServer) -> None:  # noqa: F811
    async with simulated(server, "SIM-PUB-3", "2.0.1") as station, await api(server) as client:
        station.faults.firmware_download_fails = True
        await publish(client, "SIM-PUB-3", await image_location(server, client), MD5)
        await publication_reaches(client, "SIM-PUB-3", "download_failed")


async def test_a_1_6_station_is_told_it_cannot(server: RunningServer) -> None:  # noqa: F811
    async with simulated(server, "SIM-PUB-4", "1.6"), await api(server) as client:
        sent = await publish(client, "SIM-PUB-4", "https://fw.example/x.bin", MD5)
        assert sent["command"]["status"] == "not_supported"
        assert "OCPP 1.6 has no firmware publishing" in sent["command"]["error"]
        assert sent["publication"]["state"] == "rejected"


class Controller201(ChargePoint201):  # type: ignore[misc]
    downloaded: bytes | None = None

    @on(Action201.publish_firmware)  # type: ignore[misc]
    def on_publish(self, **_: Any) -> Any:
        return result201.PublishFirmware(status="Accepted")

    @after(Action201.publish_firmware)  # type: ignore[misc]
    async def download(self, location: str, checksum: str, request_id: int, **_: Any) -> None:
        async def status(name: str, **extra: Any) -> None:
            notification = call201.PublishFirmwareStatusNotification(
                status=name, request_id=request_id, **extra
            )
            await self.call(notification)

        await status("Downloading")
        async with httpx.AsyncClient(timeout=60) as http:
            self.downloaded = (await http.get(location)).content
        await status("Downloaded")
        if hashlib.md5(self.downloaded, usedforsecurity=False).hexdigest() != checksum:
            await status("InvalidChecksum")
            return
        await status("Published", location=[f"http://controller.local/fw/{checksum}"])

    @on(Action201.unpublish_firmware)  # type: ignore[misc]
    def on_unpublish(self, **_: Any) -> Any:
        return result201.UnpublishFirmware(status="Unpublished")


@asynccontextmanager
async def controller(running: RunningServer, station_id: str) -> AsyncIterator[Controller201]:
    await running.forecourt.services.network.add_station(station_id, password=PASSWORD)
    async with connect(
        f"{running.ws_url}/{station_id}",
        subprotocols=["ocpp2.0.1"],  # type: ignore[list-item]
        additional_headers=basic_auth(station_id, PASSWORD),
    ) as ws:
        cp = Controller201(station_id, ws)
        runner = asyncio.create_task(cp.start())
        boot = call201.BootNotification(
            charging_station={"model": "M", "vendor_name": "V"}, reason="PowerUp"
        )
        await cp.call(boot)
        try:
            yield cp
        finally:
            runner.cancel()


async def test_publishing_with_an_independent_client(server: RunningServer) -> None:  # noqa: F811
    async with controller(server, "OCPP-PUB") as cp, await api(server) as client:
        location = await image_location(server, client)
        sent = await publish(client, "OCPP-PUB", location, MD5)
        assert sent["command"]["status"] == "accepted"
        published = await publication_reaches(client, "OCPP-PUB", "published")
        assert published["locations"] == [f"http://controller.local/fw/{MD5}"]
        assert cp.downloaded == IMAGE  # the signed URL served the very bytes uploaded
        gone = await unpublish(client, "OCPP-PUB")
        assert gone["result"]["status"] == "Unpublished"
        events = (await client.get("/api/stations/OCPP-PUB/events")).json()
        states = [e["data"]["state"] for e in events if e["kind"] == "publish_status"]
        assert states[:2] == ["unpublished", "published"]  # newest first
