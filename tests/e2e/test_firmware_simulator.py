"""Firmware campaigns and log uploads over the wire: a real server (its campaign driver
running), the simulator downloading images over HTTP, rebooting, uploading logs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from forecourt.services.access import Role
from forecourt.simulator import SimulatedStation
from tests.e2e.conftest import PASSWORD, simulated_station
from tests.support.server import RunningServer, running_server

IMAGE = b"SIMFW:2.0.0\n" + b"\x00" * 4096


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RunningServer]:
    async with running_server(
        tmp_path,
        call_timeout=5.0,
        data_dir=tmp_path / "data",
        firmware_campaign_interval=0.2,
        max_log_upload_bytes=4000,
        secret_key="a-test-secret-key-of-enough-length",
    ) as running:
        yield running


@asynccontextmanager
async def simulated(
    server: RunningServer, station_id: str, protocol: str
) -> AsyncIterator[SimulatedStation]:
    await server.forecourt.services.network.add_station(station_id, password=PASSWORD)
    async with simulated_station(
        server,
        protocol,
        seed=3,
        station_id=station_id,
        firmware="1.0.0",
        think_time_s=0.05,
        reconnect_delay_s=0.2,
        reboot_delay_s=0.2,
    ) as station:
        yield station


async def api(server: RunningServer) -> httpx.AsyncClient:
    key, _ = await server.forecourt.services.api_keys.create("fw", Role.ADMIN)
    headers = {"Authorization": f"Bearer {key}"}
    return httpx.AsyncClient(base_url=server.http_url, headers=headers, timeout=30)


async def eventually(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not reached in {timeout}s: {check.__name__}")
        await asyncio.sleep(0.1)


async def start_campaign(client: httpx.AsyncClient, station_id: str, **extra: Any) -> int:
    upload = await client.post(
        "/api/firmware/images/upload",
        params={"version": "2.0.0", "file_name": "fw.bin"},
        content=IMAGE,
    )
    assert upload.status_code == 201, upload.text
    body = {
        "name": "to 2.0.0",
        "image_id": upload.json()["id"],
        "station_ids": [station_id],
        "canary_percent": 0,
        **extra,
    }
    created = await client.post("/api/firmware/campaigns", json=body)
    assert created.status_code == 201, created.text
    campaign_id: int = created.json()["campaign"]["id"]
    return campaign_id


async def campaign(client: httpx.AsyncClient, campaign_id: int) -> dict[str, Any]:
    data: dict[str, Any] = (await client.get(f"/api/firmware/campaigns/{campaign_id}")).json()
    return data


@pytest.mark.parametrize("protocol", ["1.6", "2.0.1"])
async def test_campaign_succeeds_and_the_station_reboots_into_the_new_version(
    server: RunningServer, protocol: str
) -> None:
    async with simulated(server, "SIM-FW-1", protocol) as station, await api(server) as client:
        campaign_id = await start_campaign(client, "SIM-FW-1")

        async def completed() -> bool:
            return (await campaign(client, campaign_id))["campaign"]["status"] == "completed"

        await eventually(completed, 30)
        target = (await campaign(client, campaign_id))["targets"][0]
        assert (target["status"], target["previous_version"]) == ("succeeded", "1.0.0")
        assert station.config.firmware == "2.0.0"
        stored = await server.forecourt.services.network.station("SIM-FW-1")
        assert stored.firmware_version == "2.0.0"  # booted again with it
        state = (await client.get("/api/stations/SIM-FW-1/firmware")).json()
        assert (state["state"], state["previous_version"]) == ("installed", "1.0.0")


@pytest.mark.parametrize(
    ("protocol", "fault", "reported"),
    [
        ("1.6", "firmware_download_fails", "download_failed"),
        ("2.0.1", "firmware_download_fails", "download_failed"),
        ("1.6", "firmware_install_fails", "installation_failed"),
        ("2.0.1", "firmware_install_fails", "installation_failed"),
    ],
)
async def test_a_failed_update_fails_the_station_and_pauses_the_campaign(
    server: RunningServer, protocol: str, fault: str, reported: str
) -> None:
    async with simulated(server, "SIM-FW-2", protocol) as station, await api(server) as client:
        setattr(station.faults, fault, True)
        campaign_id = await start_campaign(client, "SIM-FW-2", max_attempts=1)

        async def paused() -> bool:
            return (await campaign(client, campaign_id))["campaign"]["status"] == "paused"

        await eventually(paused)
        target = (await campaign(client, campaign_id))["targets"][0]
        assert (target["status"], target["firmware_state"]) == ("failed", reported)
        assert station.config.firmware == "1.0.0"


async def test_invalid_signature_on_2_0_1_is_reported_and_recorded(
    server: RunningServer,
) -> None:
    async with simulated(server, "SIM-FW-3", "2.0.1") as station, await api(server) as client:
        station.faults.firmware_signature_invalid = True
        reference = await client.post(
            "/api/firmware/images",
            json={
                "version": "2.0.0",
                "url": f"{server.http_url}/nowhere.bin",
                "signature": "c2ln",
                "signing_certificate": "-----BEGIN CERTIFICATE-----",
            },
        )
        assert reference.status_code == 201
        upload = await client.post(
            "/api/firmware/images/upload",
            params={"version": "2.0.1", "signature": "c2ln", "signing_certificate": "CERT"},
            content=IMAGE,
        )
        body = {
            "name": "signed",
            "image_id": upload.json()["id"],
            "station_ids": ["SIM-FW-3"],
            "canary_percent": 0,
            "max_attempts": 1,
        }
        campaign_id = (await client.post("/api/firmware/campaigns", json=body)).json()["campaign"][
            "id"
        ]

        async def failed() -> bool:
            return (await campaign(client, campaign_id))["targets"][0]["status"] == "failed"

        await eventually(failed)
        state = (await client.get("/api/stations/SIM-FW-3/firmware")).json()
        assert state["state"] == "invalid_signature"
        events = (await client.get("/api/stations/SIM-FW-3/events")).json()
        assert any(e["data"].get("type") == "InvalidFirmwareSignature" for e in events)


@pytest.mark.parametrize("protocol", ["1.6", "2.0.1"])
async def test_a_failed_download_is_retried_then_succeeds(
    server: RunningServer, protocol: str
) -> None:
    async with simulated(server, "SIM-FW-4", protocol) as station, await api(server) as client:
        station.faults.firmware_download_fails = True
        campaign_id = await start_campaign(client, "SIM-FW-4", max_attempts=3, retry_delay_s=1)

        async def retrying() -> bool:
            return (await campaign(client, campaign_id))["targets"][0]["status"] == "retry_wait"

        await eventually(retrying)
        station.faults.firmware_download_fails = False

        async def completed() -> bool:
            return (await campaign(client, campaign_id))["campaign"]["status"] == "completed"

        await eventually(completed, 30)
        assert (await campaign(client, campaign_id))["targets"][0]["attempts"] == 2


async def test_auto_pause_stops_the_rollout_after_the_canary_fails(
    server: RunningServer,
) -> None:
    async with (
        simulated(server, "SIM-FW-5", "2.0.1") as first,
        simulated(server, "SIM-FW-6", "1.6") as second,
        await api(server) as client,
    ):
        first.faults.firmware_install_fails = True
        upload = await client.post(
            "/api/firmware/images/upload", params={"version": "2.0.0"}, content=IMAGE
        )
        body = {
            "name": "fleet",
            "image_id": upload.json()["id"],
            "station_ids": ["SIM-FW-5", "SIM-FW-6"],
            "canary_percent": 50,
            "max_attempts": 1,
            "failure_threshold": 0,
        }
        campaign_id = (await client.post("/api/firmware/campaigns", json=body)).json()["campaign"][
            "id"
        ]

        async def paused() -> bool:
            return (await campaign(client, campaign_id))["campaign"]["status"] == "paused"

        await eventually(paused)
        statuses = {
            t["station_id"]: t["status"] for t in (await campaign(client, campaign_id))["targets"]
        }
        assert statuses == {"SIM-FW-5": "failed", "SIM-FW-6": "pending"}
        assert second.config.firmware == "1.0.0"


@pytest.mark.parametrize("protocol", ["1.6", "2.0.1"])
async def test_log_upload_succeeds(server: RunningServer, protocol: str) -> None:
    async with simulated(server, "SIM-LOG-1", protocol) as station, await api(server) as client:
        station.faults.log_size_bytes = 1500
        asked = await client.post("/api/stations/SIM-LOG-1/logs", json={"kind": "diagnostics"})
        assert asked.status_code == 201, asked.text
        upload_id = asked.json()["upload"]["id"]

        async def uploaded() -> bool:
            logs = (await client.get("/api/stations/SIM-LOG-1/logs")).json()
            return bool(logs[0]["received"] and logs[0]["state"] == "uploaded")

        await eventually(uploaded)
        file = await client.get(f"/api/logs/{upload_id}/file")
        assert len(file.content) == 1500
        assert b"SIM-LOG-1" in file.content


@pytest.mark.parametrize("protocol", ["1.6", "2.0.1"])
async def test_log_upload_refused_by_the_station(server: RunningServer, protocol: str) -> None:
    async with simulated(server, "SIM-LOG-2", protocol) as station, await api(server) as client:
        station.faults.log_upload_refused = True
        asked = await client.post("/api/stations/SIM-LOG-2/logs", json={"kind": "diagnostics"})
        assert asked.json()["command"]["status"] == "rejected"
        assert asked.json()["upload"]["state"] == "rejected"


@pytest.mark.parametrize("protocol", ["1.6", "2.0.1"])
async def test_a_log_too_large_is_refused_and_reported_failed(
    server: RunningServer, protocol: str
) -> None:
    async with simulated(server, "SIM-LOG-3", protocol) as station, await api(server) as client:
        station.faults.log_size_bytes = 5000  # the server takes 4000 at most
        asked = await client.post("/api/stations/SIM-LOG-3/logs", json={"kind": "security"})
        upload_id = asked.json()["upload"]["id"]

        async def failed() -> bool:
            logs = (await client.get("/api/stations/SIM-LOG-3/logs")).json()
            return bool(logs[0]["state"] == "upload_failed")

        await eventually(failed)
        assert (await client.get(f"/api/logs/{upload_id}/file")).status_code == 404
