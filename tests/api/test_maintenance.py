"""Firmware updates and log uploads through the HTTP API, with the station's upload URL."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from forecourt.domain.commands import (
    CommandKind,
    CommandResult,
    CommandStatus,
    FetchLog,
    UpdateFirmware,
)
from forecourt.domain.stations import BootInfo
from forecourt.services.access import Role
from forecourt.services.maintenance import MaintenanceConfig
from tests.api.conftest import ApiRig

STATION = "CP-FW"


@pytest.fixture
async def fw(rig: ApiRig, tmp_path: Path) -> ApiRig:
    await rig.services.network.add_station(STATION)
    await rig.services.core.provisioning.boot(
        STATION, BootInfo("ACME", "M1", firmware_version="1.0")
    )
    rig.gateway.connected.add(STATION)
    rig.services.core.maintenance.config = MaintenanceConfig(
        public_url="http://forecourt.test", data_dir=tmp_path / "data", max_log_upload_bytes=64
    )
    return rig


async def test_update_firmware_sends_the_command_and_records_the_previous_version(
    fw: ApiRig,
) -> None:
    body = {"location": "https://fw.example/2.0.bin", "version": "2.0", "retries": 2}
    response = await fw.client.post(
        f"/api/stations/{STATION}/firmware-update", json=body, headers=fw.auth(Role.TECHNICIAN)
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["command"]["status"] == "accepted"
    assert data["firmware"]["state"] == "requested"
    assert data["firmware"]["previous_version"] == "1.0"
    assert data["firmware"]["target_version"] == "2.0"
    _, command, _ = fw.gateway.sent[-1]
    assert isinstance(command, UpdateFirmware)
    assert (command.location, command.retries, command.request_id) == (body["location"], 2, 1)

    state = await fw.client.get(f"/api/stations/{STATION}/firmware", headers=fw.auth(Role.VIEWER))
    assert state.json()["request_id"] == 1


async def test_a_refused_update_is_marked_rejected(fw: ApiRig) -> None:
    fw.gateway.answers[CommandKind.UPDATE_FIRMWARE] = CommandResult(CommandStatus.REJECTED)
    response = await fw.client.post(
        f"/api/stations/{STATION}/firmware-update",
        json={"location": "https://fw.example/x.bin"},
        headers=fw.auth(),
    )
    assert response.json()["firmware"]["state"] == "rejected"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "location"),
        ({"location": ""}, "location"),
        ({"location": "https://x", "retries": -1}, "retries"),
        ({"location": "https://x", "install_at": "tomorrow"}, "install_at"),
    ],
)
async def test_bad_update_bodies_are_422(fw: ApiRig, body: dict[str, object], field: str) -> None:
    response = await fw.client.post(
        f"/api/stations/{STATION}/firmware-update", json=body, headers=fw.auth()
    )
    assert response.status_code == 422
    assert field in response.text


async def test_viewers_cannot_update_firmware(fw: ApiRig) -> None:
    response = await fw.client.post(
        f"/api/stations/{STATION}/firmware-update",
        json={"location": "https://x"},
        headers=fw.auth(Role.VIEWER),
    )
    assert response.status_code == 403


async def test_unknown_station_is_404(fw: ApiRig) -> None:
    response = await fw.client.post(
        "/api/stations/NOPE/logs", json={"kind": "diagnostics"}, headers=fw.auth()
    )
    assert response.status_code == 404


async def _request_log(fw: ApiRig, kind: str = "diagnostics") -> tuple[int, str]:
    response = await fw.client.post(
        f"/api/stations/{STATION}/logs", json={"kind": kind}, headers=fw.auth()
    )
    assert response.status_code == 201, response.text
    _, command, _ = fw.gateway.sent[-1]
    assert isinstance(command, FetchLog)
    upload_id: int = response.json()["upload"]["id"]
    assert command.request_id == upload_id
    assert command.location.startswith("http://forecourt.test/api/uploads/logs/")
    return upload_id, command.location.removeprefix("http://forecourt.test")


async def test_log_upload_round_trip(fw: ApiRig) -> None:
    upload_id, path = await _request_log(fw)
    put = await fw.client.put(path, content=b"line 1\nline 2\n", headers={"X-File-Name": "d.log"})
    assert put.status_code == 201, put.text
    assert put.json()["received"] is True

    listed = await fw.client.get(f"/api/stations/{STATION}/logs", headers=fw.auth(Role.VIEWER))
    assert [(u["id"], u["size_bytes"], u["file_name"]) for u in listed.json()] == [
        (upload_id, 14, "d.log")
    ]
    file = await fw.client.get(f"/api/logs/{upload_id}/file", headers=fw.auth(Role.VIEWER))
    assert file.status_code == 200
    assert file.content == b"line 1\nline 2\n"


async def test_a_log_over_the_limit_is_413_and_nothing_is_kept(fw: ApiRig) -> None:
    upload_id, path = await _request_log(fw)
    response = await fw.client.post(path, content=b"x" * 65)
    assert response.status_code == 413
    assert "64 bytes" in response.json()["detail"]
    file = await fw.client.get(f"/api/logs/{upload_id}/file", headers=fw.auth())
    assert file.status_code == 404
    assert not any((fw.services.core.maintenance.config.log_dir / STATION).glob("*"))


async def test_a_streamed_log_over_the_limit_is_413(fw: ApiRig) -> None:
    _, path = await _request_log(fw)

    async def chunks():  # type: ignore[no-untyped-def]  # no Content-Length: chunked body
        for _ in range(10):
            yield b"0123456789"

    response = await fw.client.put(path, content=chunks())
    assert response.status_code == 413


async def test_unknown_or_expired_upload_tokens_are_404(fw: ApiRig) -> None:
    response = await fw.client.put("/api/uploads/logs/not-a-token", content=b"x")
    assert response.status_code == 404
    maintenance = fw.services.core.maintenance
    maintenance.config = dataclasses.replace(maintenance.config, log_upload_ttl_s=0.0)
    _, expired = await _request_log(fw)
    assert (await fw.client.put(expired, content=b"x")).status_code == 404


async def test_a_rejected_log_request_is_marked_rejected(fw: ApiRig) -> None:
    fw.gateway.answers[CommandKind.FETCH_LOG] = CommandResult(CommandStatus.REJECTED)
    response = await fw.client.post(
        f"/api/stations/{STATION}/logs", json={"kind": "security"}, headers=fw.auth()
    )
    assert response.json()["upload"]["state"] == "rejected"


async def test_bad_log_kind_is_422(fw: ApiRig) -> None:
    response = await fw.client.post(
        f"/api/stations/{STATION}/logs", json={"kind": "everything"}, headers=fw.auth()
    )
    assert response.status_code == 422
