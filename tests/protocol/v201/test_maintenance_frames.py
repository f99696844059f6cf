"""2.0.1 firmware and logs: UpdateFirmware (L01/L02), PublishFirmware/UnpublishFirmware
(L03/L04), GetLog (N01) out; notifications in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from forecourt.domain.commands import (
    Command,
    CommandResult,
    CommandStatus,
    FetchLog,
    LogKind,
    PublishFirmware,
    UnpublishFirmware,
    UpdateFirmware,
)
from forecourt.domain.errors import CommandNotSupported
from forecourt.domain.firmware_publishing import Publication, PublishState
from forecourt.domain.maintenance import FirmwareState, LogState
from forecourt.ocpp.v16 import ADAPTER as ADAPTER_16
from forecourt.ocpp.v201 import ADAPTER
from forecourt.ocpp.validation import validator_for
from forecourt.ocpp.versions import OcppVersion
from tests.support.harness import ProtocolRig, make_rig, make_services

VALIDATOR = validator_for(OcppVersion.V201)
URL = "https://csms.example/fw/abc"
AT = "2026-12-07T12:00:00Z"
MD5 = "9e107d9d372bb6826bd81d3542a419d6"

RENDERED: list[tuple[Command, str, dict[str, Any]]] = [
    (
        UpdateFirmware(URL, AT, request_id=3),
        "UpdateFirmware",
        {"requestId": 3, "firmware": {"location": URL, "retrieveDateTime": AT}},
    ),
    (
        UpdateFirmware(
            URL,
            AT,
            request_id=4,
            install_at="2026-12-08T02:00:00Z",
            retries=2,
            retry_interval_s=60,
            signing_certificate="-----BEGIN CERTIFICATE-----",
            signature="c2ln",
        ),
        "UpdateFirmware",
        {
            "requestId": 4,
            "retries": 2,
            "retryInterval": 60,
            "firmware": {
                "location": URL,
                "retrieveDateTime": AT,
                "installDateTime": "2026-12-08T02:00:00Z",
                "signingCertificate": "-----BEGIN CERTIFICATE-----",
                "signature": "c2ln",
            },
        },
    ),
    (
        FetchLog("https://csms.example/uploads/logs/t", request_id=9),
        "GetLog",
        {
            "logType": "DiagnosticsLog",
            "requestId": 9,
            "log": {"remoteLocation": "https://csms.example/uploads/logs/t"},
        },
    ),
    (
        FetchLog("https://x/u", LogKind.SECURITY, 10, oldest=AT, retries=1),
        "GetLog",
        {
            "logType": "SecurityLog",
            "requestId": 10,
            "retries": 1,
            "log": {"remoteLocation": "https://x/u", "oldestTimestamp": AT},
        },
    ),
    (
        PublishFirmware(URL, MD5, request_id=5),
        "PublishFirmware",
        {"location": URL, "checksum": MD5, "requestId": 5},
    ),
    (
        PublishFirmware(URL, MD5, request_id=6, retries=3, retry_interval_s=30),
        "PublishFirmware",
        {"location": URL, "checksum": MD5, "requestId": 6, "retries": 3, "retryInterval": 30},
    ),
    (UnpublishFirmware(MD5), "UnpublishFirmware", {"checksum": MD5}),
]


@pytest.mark.parametrize(("command", "action", "payload"), RENDERED)
def test_renders_exact_schema_valid_requests(
    command: Command, action: str, payload: dict[str, Any]
) -> None:
    assert ADAPTER.render(command) == (action, payload)
    VALIDATOR.validate_request(action, payload)


@pytest.mark.parametrize(
    ("command", "answer", "expected"),
    [
        (UpdateFirmware(URL, AT), {"status": "Accepted"}, CommandStatus.ACCEPTED),
        (UpdateFirmware(URL, AT), {"status": "AcceptedCanceled"}, CommandStatus.ACCEPTED),
        (UpdateFirmware(URL, AT), {"status": "InvalidCertificate"}, CommandStatus.REJECTED),
        (UpdateFirmware(URL, AT), {"status": "RevokedCertificate"}, CommandStatus.REJECTED),
        (FetchLog(URL), {"status": "Accepted", "filename": "a.log"}, CommandStatus.ACCEPTED),
        (FetchLog(URL), {"status": "Rejected"}, CommandStatus.REJECTED),
    ],
)
def test_answers(command: Command, answer: dict[str, Any], expected: CommandStatus) -> None:
    result = ADAPTER.interpret(command, answer)
    assert result == CommandResult(expected)


@pytest.mark.parametrize(
    ("command", "word", "expected"),
    [
        (PublishFirmware(URL, MD5), "Accepted", CommandStatus.ACCEPTED),
        (PublishFirmware(URL, MD5), "Rejected", CommandStatus.REJECTED),
        (UnpublishFirmware(MD5), "Unpublished", CommandStatus.ACCEPTED),
        (UnpublishFirmware(MD5), "NoFirmware", CommandStatus.REJECTED),
        (UnpublishFirmware(MD5), "DownloadOngoing", CommandStatus.REJECTED),
    ],
)
def test_publishing_answers_keep_the_station_word(
    command: Command, word: str, expected: CommandStatus
) -> None:
    assert ADAPTER.interpret(command, {"status": word}) == CommandResult(expected, {"status": word})


def test_unexpected_publishing_answer_is_rejected_with_a_reason() -> None:
    result = ADAPTER.interpret(UnpublishFirmware(MD5), {"status": "Accepted"})
    assert (result.status, result.error) == (CommandStatus.REJECTED, "unexpected status 'Accepted'")


@pytest.mark.parametrize("command", [PublishFirmware(URL, MD5), UnpublishFirmware(MD5)])
def test_ocpp16_has_no_firmware_publishing(command: Command) -> None:
    with pytest.raises(CommandNotSupported, match=r"OCPP 1\.6 has no firmware publishing"):
        ADAPTER_16.render(command)


@pytest.fixture
async def rig(tmp_path: Path) -> ProtocolRig:
    services, _ = await make_services(tmp_path)
    return await make_rig(services, ADAPTER, station_id="CP1")


async def test_firmware_status_is_tracked_with_its_request_id(rig: ProtocolRig) -> None:
    reply = await rig.call(
        "f1", "FirmwareStatusNotification", {"status": "Downloading", "requestId": 7}
    )
    assert reply == [3, "f1", {}]
    firmware = await rig.services.core.maintenance.firmware("CP1")
    assert (firmware.state, firmware.request_id) == (FirmwareState.DOWNLOADING, 7)


async def test_invalid_firmware_signature_event_fails_the_update(rig: ProtocolRig) -> None:
    event = {"type": "InvalidFirmwareSignature", "timestamp": AT}
    assert await rig.call("s1", "SecurityEventNotification", event) == [3, "s1", {}]
    firmware = await rig.services.core.maintenance.firmware("CP1")
    assert firmware.state is FirmwareState.INVALID_SIGNATURE


async def test_log_status_updates_the_matching_upload(rig: ProtocolRig) -> None:
    maintenance = rig.services.core.maintenance
    upload = await maintenance._open_upload("CP1", LogKind.DIAGNOSTICS, "test")
    payload = {"status": "Uploading", "requestId": upload.id}
    assert await rig.call("l1", "LogStatusNotification", payload) == [3, "l1", {}]
    assert (await maintenance.log(upload.id)).state is LogState.UPLOADING


async def test_unknown_firmware_status_is_a_callerror(rig: ProtocolRig) -> None:
    reply = await rig.call(
        "x1", "FirmwareStatusNotification", {"status": "Exploded", "requestId": 1}
    )
    assert reply[:3] == [4, "x1", "PropertyConstraintViolation"]


async def test_publish_status_is_tracked_with_the_published_locations(rig: ProtocolRig) -> None:
    publishing = rig.services.core.maintenance.publishing
    uri = "http://cp1.local/fw/" + MD5
    for n, status in enumerate(["Downloading", "Downloaded", "Published"]):
        payload: dict[str, Any] = {"status": status, "requestId": 4}
        if status == "Published":
            payload["location"] = [uri]
        reply = await rig.call(f"p{n}", "PublishFirmwareStatusNotification", payload)
        assert reply == [3, f"p{n}", {}]
    publication = await publishing.publication("CP1")
    assert publication == Publication(PublishState.PUBLISHED, 4, "", "", [uri])


async def test_unknown_publish_status_is_a_callerror(rig: ProtocolRig) -> None:
    payload = {"status": "Publishing", "requestId": 1}
    reply = await rig.call("x2", "PublishFirmwareStatusNotification", payload)
    assert reply[:3] == [4, "x2", "PropertyConstraintViolation"]
