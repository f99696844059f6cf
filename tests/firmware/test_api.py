"""The firmware slice's HTTP API: images (upload, reference, signed download), campaigns."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from forecourt.domain.commands import UpdateFirmware
from forecourt.domain.stations import BootInfo
from forecourt.firmware.keys import FIRMWARE
from forecourt.firmware.services.config import FirmwareConfig
from forecourt.services.access import Role
from tests.api.conftest import ApiRig, gateway, rig, template_database  # noqa: F401 (fixtures)

IMAGE = b"\x7fELF firmware 2.0" * 10


@pytest.fixture
async def fw(rig: ApiRig, tmp_path: Path) -> ApiRig:  # noqa: F811 (the fixture above)
    firmware = rig.services.feature(FIRMWARE)
    firmware.images.config = FirmwareConfig(
        secret="x" * 32, public_url="http://forecourt.test", data_dir=tmp_path, max_image_bytes=500
    )
    for sid, version in (("A", "1.0"), ("B", "1.0")):
        await rig.services.network.add_station(sid)
        await rig.services.core.provisioning.boot(
            sid, BootInfo("V", "M1", firmware_version=version)
        )
        rig.gateway.connected.add(sid)
    return rig


async def _upload(fw: ApiRig, content: bytes = IMAGE, **params: str) -> dict[str, object]:
    response = await fw.client.post(
        "/api/firmware/images/upload",
        params={"version": "2.0", "file_name": "fw.bin", **params},
        content=content,
        headers=fw.auth(Role.OPERATOR),
    )
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()
    return data


async def test_upload_then_a_signed_url_serves_the_same_bytes(fw: ApiRig) -> None:
    image = await _upload(fw)
    assert image["size_bytes"] == len(IMAGE)
    created = await fw.client.post(
        "/api/firmware/campaigns",
        json={"name": "roll", "image_id": image["id"], "canary_percent": 0},
        headers=fw.auth(Role.OPERATOR),
    )
    assert created.status_code == 201, created.text
    await fw.services.feature(FIRMWARE).driver.tick(fw.services.ctx.clock.now())
    _, command, _ = fw.gateway.sent[-1]
    assert isinstance(command, UpdateFirmware)
    url = urlsplit(command.location)
    assert (url.netloc, url.path) == (
        "forecourt.test",
        f"/api/firmware/images/{image['id']}/download",
    )
    download = await fw.client.get(f"{url.path}?{url.query}")  # no API key: the URL is the key
    assert download.status_code == 200
    assert download.content == IMAGE
    query = parse_qs(url.query)
    forged = {"expires": str(int(query["expires"][0]) + 3600), "signature": query["signature"][0]}
    refused = await fw.client.get(url.path, params=forged)
    assert refused.status_code == 404


async def test_image_over_the_limit_is_413(fw: ApiRig) -> None:
    response = await fw.client.post(
        "/api/firmware/images/upload",
        params={"version": "2.0"},
        content=b"x" * 501,
        headers=fw.auth(Role.OPERATOR),
    )
    assert response.status_code == 413
    listed = await fw.client.get("/api/firmware/images", headers=fw.auth(Role.VIEWER))
    assert listed.json() == []


@pytest.mark.parametrize(
    ("path", "body", "status", "words"),
    [
        ("/api/firmware/images", {"version": "2.0", "url": "file:///etc/passwd"}, 422, "http"),
        ("/api/firmware/images", {"version": "", "url": "https://x/y.bin"}, 422, "version"),
        ("/api/firmware/campaigns", {"name": "c", "image_id": 999}, 404, "firmware image"),
        ("/api/firmware/campaigns", {"name": "", "image_id": 1}, 422, "name"),
        (
            "/api/firmware/campaigns",
            {"name": "c", "image_id": 1, "canary_percent": 101},
            422,
            "canary_percent",
        ),
        (
            "/api/firmware/campaigns",
            {"name": "c", "image_id": 1, "night_window": {"start_hour": 24, "end_hour": 2}},
            422,
            "start_hour",
        ),
    ],
)
async def test_bad_input_is_a_precise_4xx(
    fw: ApiRig, path: str, body: dict[str, object], status: int, words: str
) -> None:
    response = await fw.client.post(path, json=body, headers=fw.auth(Role.OPERATOR))
    assert response.status_code == status, response.text
    assert words in response.text


async def test_no_matching_station_is_422(fw: ApiRig) -> None:
    image = await _upload(fw)
    response = await fw.client.post(
        "/api/firmware/campaigns",
        json={"name": "c", "image_id": image["id"], "model": "NOPE"},
        headers=fw.auth(Role.OPERATOR),
    )
    assert response.status_code == 422
    assert "no station matches" in response.text


async def test_campaign_lifecycle_and_conflicts(fw: ApiRig) -> None:
    image = await _upload(fw)
    auth = fw.auth(Role.OPERATOR)
    created = await fw.client.post(
        "/api/firmware/campaigns",
        json={"name": "c", "image_id": image["id"], "current_version": "1.0", "canary_percent": 50},
        headers=auth,
    )
    campaign_id = created.json()["campaign"]["id"]
    assert [t["wave"] for t in created.json()["targets"]] == [0, 1]
    assert (
        await fw.client.post(f"/api/firmware/campaigns/{campaign_id}/resume", headers=auth)
    ).status_code == 409
    paused = await fw.client.post(f"/api/firmware/campaigns/{campaign_id}/pause", headers=auth)
    assert paused.json()["status"] == "paused"
    cancelled = await fw.client.post(f"/api/firmware/campaigns/{campaign_id}/cancel", headers=auth)
    assert cancelled.json()["status"] == "cancelled"
    rollback = await fw.client.post(f"/api/firmware/campaigns/{campaign_id}/rollback", headers=auth)
    assert rollback.status_code == 409
    assert "nothing to roll back" in rollback.text
    listed = await fw.client.get("/api/firmware/campaigns", headers=fw.auth(Role.VIEWER))
    assert [c["id"] for c in listed.json()] == [campaign_id]
    assert (await fw.client.get("/api/firmware/campaigns/4242", headers=auth)).status_code == 404


async def test_viewers_cannot_start_campaigns(fw: ApiRig) -> None:
    response = await fw.client.post(
        "/api/firmware/campaigns", json={"name": "c", "image_id": 1}, headers=fw.auth(Role.VIEWER)
    )
    assert response.status_code == 403
