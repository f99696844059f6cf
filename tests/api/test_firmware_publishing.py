"""Firmware publishing (2.0.1 L03/L04) through the HTTP API."""

from __future__ import annotations

import pytest

from forecourt.domain.commands import CommandKind, CommandResult, CommandStatus
from forecourt.domain.firmware_publishing import (
    PublishFirmware,
    PublishReport,
    PublishState,
    UnpublishFirmware,
)
from forecourt.services.access import Role
from tests.api.conftest import ApiRig

STATION = "CP-LC"
MD5 = "9E107D9D372BB6826BD81D3542A419D6"
IMAGE = "https://fw.example/2.0.bin"


@pytest.fixture
async def lc(rig: ApiRig) -> ApiRig:
    await rig.services.network.add_station(STATION)
    rig.gateway.connected.add(STATION)
    return rig


async def _publish(lc: ApiRig, **extra: object) -> dict[str, object]:
    body = {"location": IMAGE, "checksum": MD5, **extra}
    response = await lc.client.post(
        f"/api/stations/{STATION}/firmware-publish", json=body, headers=lc.auth(Role.TECHNICIAN)
    )
    assert response.status_code == 200, response.text
    data: dict[str, object] = response.json()
    return data


async def test_publish_sends_the_command_and_the_status_shows_the_locations(lc: ApiRig) -> None:
    data = await _publish(lc, retries=2)
    assert data["publication"] == {
        "state": "requested",
        "request_id": 1,
        "checksum": MD5.lower(),
        "location": IMAGE,
        "locations": [],
    }
    _, command, _ = lc.gateway.sent[-1]
    assert command == PublishFirmware(IMAGE, MD5.lower(), request_id=1, retries=2)

    uri = f"http://{STATION}/fw/{MD5.lower()}"
    report = PublishReport(PublishState.PUBLISHED, 1, [uri])
    await lc.services.core.maintenance.publishing.publish_status(STATION, report)
    state = await lc.client.get(f"/api/stations/{STATION}/firmware", headers=lc.auth(Role.VIEWER))
    publication = state.json()["publication"]
    assert (publication["state"], publication["locations"]) == ("published", [uri])
    assert publication["checksum"] == MD5.lower()


async def test_a_second_publication_gets_the_next_request_id(lc: ApiRig) -> None:
    await _publish(lc)
    data = await _publish(lc)
    assert data["publication"]["request_id"] == 2  # type: ignore[index]


async def test_a_refused_publication_is_rejected(lc: ApiRig) -> None:
    lc.gateway.answers[CommandKind.PUBLISH_FIRMWARE] = CommandResult(CommandStatus.REJECTED)
    data = await _publish(lc)
    assert data["publication"]["state"] == "rejected"  # type: ignore[index]


async def test_unpublish_ends_the_publication(lc: ApiRig) -> None:
    await _publish(lc)
    response = await lc.client.post(
        f"/api/stations/{STATION}/firmware-unpublish", json={"checksum": MD5}, headers=lc.auth()
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "accepted"
    _, command, _ = lc.gateway.sent[-1]
    assert command == UnpublishFirmware(MD5.lower())
    state = await lc.client.get(f"/api/stations/{STATION}/firmware", headers=lc.auth())
    assert state.json()["publication"]["state"] == "unpublished"


async def test_no_publication_is_null(lc: ApiRig) -> None:
    state = await lc.client.get(f"/api/stations/{STATION}/firmware", headers=lc.auth())
    assert state.json()["publication"] is None


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("firmware-publish", {"location": IMAGE, "checksum": "abc"}, "checksum"),
        ("firmware-publish", {"location": IMAGE, "checksum": "g" * 32}, "checksum"),
        ("firmware-publish", {"checksum": MD5}, "location"),
        ("firmware-publish", {"location": IMAGE, "checksum": MD5, "retries": -1}, "retries"),
        ("firmware-unpublish", {"checksum": MD5 + "0"}, "checksum"),
        ("firmware-unpublish", {}, "checksum"),
    ],
)
async def test_bad_bodies_are_422_and_nothing_is_sent(
    lc: ApiRig, path: str, body: dict[str, object], field: str
) -> None:
    response = await lc.client.post(f"/api/stations/{STATION}/{path}", json=body, headers=lc.auth())
    assert response.status_code == 422
    assert field in response.text
    assert lc.gateway.sent == []


async def test_viewers_cannot_publish_and_unknown_stations_are_404(lc: ApiRig) -> None:
    body = {"location": IMAGE, "checksum": MD5}
    refused = await lc.client.post(
        f"/api/stations/{STATION}/firmware-publish", json=body, headers=lc.auth(Role.VIEWER)
    )
    assert refused.status_code == 403
    missing = await lc.client.post(
        "/api/stations/NOPE/firmware-unpublish", json={"checksum": MD5}, headers=lc.auth()
    )
    assert missing.status_code == 404
