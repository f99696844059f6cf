"""OCPP 1.6 firmware and diagnostics: UpdateFirmware/GetDiagnostics (§5.19, §5.9) and the
security whitepaper's SignedUpdateFirmware/GetLog."""

from __future__ import annotations

from typing import assert_never

from forecourt.domain.commands import (
    CommandResult,
    CommandStatus,
    FetchLog,
    LogKind,
    PublishFirmware,
    UnpublishFirmware,
    UpdateFirmware,
)
from forecourt.domain.errors import CommandNotSupported
from forecourt.domain.events import StationEventKind
from forecourt.ocpp.adapter import Link, Payload
from forecourt.ocpp.maintenance_reports import report_firmware, report_log, report_security_event
from forecourt.ocpp.maintenance_status import REQUEST_STATUS
from forecourt.ocpp.rendering import MaintenanceCommand, Rendered
from forecourt.ocpp.v16.wire_types.diagnostics import (
    DiagnosticsStatusNotificationRequest,
    DiagnosticsStatusNotificationResponse,
    FirmwareStatusNotificationRequest,
    FirmwareStatusNotificationResponse,
    LogStatusNotificationRequest,
    LogStatusNotificationResponse,
    SecurityEventNotificationRequest,
    SecurityEventNotificationResponse,
    SignedFirmwareStatusNotificationRequest,
    SignedFirmwareStatusNotificationResponse,
)
from forecourt.ocpp.v16.wire_types.firmware import (
    FirmwareType,
    GetDiagnosticsRequest,
    GetLogRequest,
    LogParametersType,
    SignedUpdateFirmwareRequest,
    UpdateFirmwareRequest,
)


def render(command: MaintenanceCommand) -> Rendered:
    match command:
        case UpdateFirmware() if command.signature or command.signing_certificate:
            return "SignedUpdateFirmware", _signed_update(command)
        case UpdateFirmware():  # §5.19
            return "UpdateFirmware", _update(command)
        case FetchLog() if command.kind is LogKind.SECURITY:  # whitepaper: GetLog
            return "GetLog", _security_log(command)
        case FetchLog():  # §5.9
            return "GetDiagnostics", _diagnostics(command)
        case PublishFirmware() | UnpublishFirmware():
            raise CommandNotSupported("OCPP 1.6 has no firmware publishing (2.0.1 L03/L04)")
        case _:
            assert_never(command)


def interpret(command: MaintenanceCommand, response: Payload) -> CommandResult:
    """UpdateFirmware.conf and GetDiagnostics.conf carry no status: answered is accepted."""
    if isinstance(command, UpdateFirmware) and "status" not in response:
        return CommandResult(CommandStatus.ACCEPTED)
    if isinstance(command, FetchLog) and command.kind is LogKind.DIAGNOSTICS:
        # no fileName: the station has no diagnostics to upload (§6.29)
        file_name = response.get("fileName")
        status = CommandStatus.ACCEPTED if file_name else CommandStatus.REJECTED
        return CommandResult(status, {"file_name": file_name or ""})
    status = REQUEST_STATUS.get(response.get("status", ""), CommandStatus.REJECTED)
    result = CommandResult(status, {"status": response.get("status")})
    if "filename" in response:
        result.data["file_name"] = response["filename"]
    return result


def _update(command: UpdateFirmware) -> UpdateFirmwareRequest:
    request = UpdateFirmwareRequest(location=command.location, retrieveDate=command.retrieve_at)
    if command.retries is not None:
        request["retries"] = command.retries
    if command.retry_interval_s is not None:
        request["retryInterval"] = command.retry_interval_s
    return request


def _signed_update(command: UpdateFirmware) -> SignedUpdateFirmwareRequest:
    firmware = FirmwareType(
        location=command.location,
        retrieveDateTime=command.retrieve_at,
        signingCertificate=command.signing_certificate or "",
        signature=command.signature or "",
    )
    if command.install_at:
        firmware["installDateTime"] = command.install_at
    request = SignedUpdateFirmwareRequest(requestId=command.request_id, firmware=firmware)
    if command.retries is not None:
        request["retries"] = command.retries
    if command.retry_interval_s is not None:
        request["retryInterval"] = command.retry_interval_s
    return request


def _diagnostics(command: FetchLog) -> GetDiagnosticsRequest:
    request = GetDiagnosticsRequest(location=command.location)
    if command.retries is not None:
        request["retries"] = command.retries
    if command.retry_interval_s is not None:
        request["retryInterval"] = command.retry_interval_s
    if command.oldest:
        request["startTime"] = command.oldest
    if command.latest:
        request["stopTime"] = command.latest
    return request


def _security_log(command: FetchLog) -> GetLogRequest:
    log = LogParametersType(remoteLocation=command.location)
    if command.oldest:
        log["oldestTimestamp"] = command.oldest
    if command.latest:
        log["latestTimestamp"] = command.latest
    request = GetLogRequest(log=log, logType="SecurityLog", requestId=command.request_id)
    if command.retries is not None:
        request["retries"] = command.retries
    if command.retry_interval_s is not None:
        request["retryInterval"] = command.retry_interval_s
    return request


# --- station -> CSMS ---------------------------------------------------------------------


async def firmware_status(
    link: Link, p: FirmwareStatusNotificationRequest
) -> FirmwareStatusNotificationResponse:
    """§4.5: no request id, so it is about the latest update."""
    await report_firmware(link, p["status"], None, p)
    return {}


async def signed_firmware_status(
    link: Link, p: SignedFirmwareStatusNotificationRequest
) -> SignedFirmwareStatusNotificationResponse:
    """Whitepaper SignedFirmwareStatusNotification, with the requestId we sent."""
    await report_firmware(link, p["status"], p.get("requestId"), p)
    return {}


async def diagnostics_status(
    link: Link, p: DiagnosticsStatusNotificationRequest
) -> DiagnosticsStatusNotificationResponse:
    """§4.4: no request id, so it is about the latest diagnostics request."""
    await report_log(link, StationEventKind.DIAGNOSTICS_STATUS, p["status"], None, p)
    return {}


async def log_status(link: Link, p: LogStatusNotificationRequest) -> LogStatusNotificationResponse:
    """Whitepaper LogStatusNotification (security log uploads)."""
    await report_log(link, StationEventKind.LOG_STATUS, p["status"], p.get("requestId"), p)
    return {}


async def security_event(
    link: Link, p: SecurityEventNotificationRequest
) -> SecurityEventNotificationResponse:
    """Whitepaper SecurityEventNotification; a refused firmware signature fails the update."""
    await report_security_event(link, p["type"], p)
    return {}
