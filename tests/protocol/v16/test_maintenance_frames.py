"""1.6 firmware and diagnostics: UpdateFirmware, GetDiagnostics and the security
whitepaper's SignedUpdateFirmware/GetLog out; status notifications in."""

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
    UpdateFirmware,
)
from forecourt.domain.maintenance import FirmwareState, LogState
from forecourt.ocpp.v16 import ADAPTER
from forecourt.ocpp.validation import validator_for
from forecourt.ocpp.versions import OcppVersion
from tests.support.harness import ProtocolRig, make_rig, make_services

VALIDATOR = validator_for(OcppVersion.V16)
URL = "https://csms.example/fw/abc"
AT = "2026-12-07T12:00:00Z"

RENDERED: list[tuple[Command, str, dict[str, Any]]] = [
    (UpdateFirmware(URL, AT), "UpdateFirmware", {"location": URL, "retrieveDate": AT}),
    (
        UpdateFirmware(URL, AT, retries=3, retry_interval_s=30),
        "UpdateFirmware",
        {"location": URL, "retrieveDate": AT, "retries": 3, "retryInterval": 30},
    ),
    (
        UpdateFirmware(URL, AT, request_id=5, signing_certificate="CERT", signature="c2ln"),
        "SignedUpdateFirmware",
        {
            "requestId": 5,
            "firmware": {
                "location": URL,
                "retrieveDateTime": AT,
                "signingCertificate": "CERT",
                "signature": "c2ln",
            },
        },
    ),
    (FetchLog("https://x/u"), "GetDiagnostics", {"location": "https://x/u"}),
    (
        FetchLog("https://x/u", oldest=AT, latest=AT, retries=1, retry_interval_s=5),
        "GetDiagnostics",
        {
            "location": "https://x/u",
            "startTime": AT,
            "stopTime": AT,
            "retries": 1,
            "retryInterval": 5,
        },
    ),
    (
        FetchLog("https://x/u", LogKind.SECURITY, request_id=8),
        "GetLog",
        {"logType": "SecurityLog", "requestId": 8, "log": {"remoteLocation": "https://x/u"}},
    ),
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
        (UpdateFirmware(URL, AT), {}, CommandResult(CommandStatus.ACCEPTED)),
        (
            FetchLog(URL),
            {"fileName": "diag.zip"},
            CommandResult(CommandStatus.ACCEPTED, {"file_name": "diag.zip"}),
        ),
        (FetchLog(URL), {}, CommandResult(CommandStatus.REJECTED, {"file_name": ""})),
        (
            UpdateFirmware(URL, AT, signature="s", signing_certificate="c"),
            {"status": "InvalidCertificate"},
            CommandResult(CommandStatus.REJECTED, {"status": "InvalidCertificate"}),
        ),
        (
            FetchLog(URL, LogKind.SECURITY),
            {"status": "Accepted", "filename": "sec.log"},
            CommandResult(CommandStatus.ACCEPTED, {"status": "Accepted", "file_name": "sec.log"}),
        ),
    ],
)
def test_answers(command: Command, answer: dict[str, Any], expected: CommandResult) -> None:
    assert ADAPTER.interpret(command, answer) == expected


@pytest.fixture
async def rig(tmp_path: Path) -> ProtocolRig:
    services, _ = await make_services(tmp_path)
    return await make_rig(services, ADAPTER, station_id="CP1")


async def test_firmware_status_is_tracked(rig: ProtocolRig) -> None:
    reply = await rig.call("f1", "FirmwareStatusNotification", {"status": "InstallationFailed"})
    assert reply == [3, "f1", {}]
    firmware = await rig.services.core.maintenance.firmware("CP1")
    assert firmware.state is FirmwareState.INSTALLATION_FAILED


async def test_a_triggered_idle_keeps_how_the_last_update_ended(rig: ProtocolRig) -> None:
    await rig.call("f1", "FirmwareStatusNotification", {"status": "Installed"})
    await rig.call("f2", "FirmwareStatusNotification", {"status": "Idle"})
    firmware = await rig.services.core.maintenance.firmware("CP1")
    assert firmware.state is FirmwareState.INSTALLED


async def test_signed_firmware_status_carries_the_request_id(rig: ProtocolRig) -> None:
    payload = {"status": "InvalidSignature", "requestId": 12}
    assert await rig.call("s1", "SignedFirmwareStatusNotification", payload) == [3, "s1", {}]
    firmware = await rig.services.core.maintenance.firmware("CP1")
    assert (firmware.state, firmware.request_id) == (FirmwareState.INVALID_SIGNATURE, 12)


async def test_diagnostics_status_updates_the_latest_upload(rig: ProtocolRig) -> None:
    maintenance = rig.services.core.maintenance
    await maintenance._open_upload("CP1", LogKind.DIAGNOSTICS, "test")
    latest = await maintenance._open_upload("CP1", LogKind.DIAGNOSTICS, "test")
    reply = await rig.call("d1", "DiagnosticsStatusNotification", {"status": "UploadFailed"})
    assert reply == [3, "d1", {}]
    assert (await maintenance.log(latest.id)).state is LogState.UPLOAD_FAILED
    assert (await maintenance.log(latest.id - 1)).state is LogState.REQUESTED


async def test_unknown_diagnostics_status_is_a_callerror(rig: ProtocolRig) -> None:
    reply = await rig.call("x1", "DiagnosticsStatusNotification", {"status": "Exploded"})
    assert reply[:3] == [4, "x1", "PropertyConstraintViolation"]
