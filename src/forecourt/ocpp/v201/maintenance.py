"""OCPP 2.0.1 firmware and logs: UpdateFirmware (L01/L02) and GetLog (N01)."""

from __future__ import annotations

from typing import assert_never

from forecourt.domain.commands import (
    FetchLog,
    LogKind,
    UpdateFirmware,
)
from forecourt.domain.events import StationEventKind
from forecourt.ocpp.adapter import Link
from forecourt.ocpp.maintenance_reports import report_firmware, report_log, report_security_event
from forecourt.ocpp.rendering import MaintenanceCommand, Rendered
from forecourt.ocpp.v201.wire_types.diagnostics import (
    FirmwareStatusNotificationRequest,
    FirmwareStatusNotificationResponse,
    LogStatusNotificationRequest,
    LogStatusNotificationResponse,
    SecurityEventNotificationRequest,
    SecurityEventNotificationResponse,
)
from forecourt.ocpp.v201.wire_types.firmware import (
    FirmwareType,
    GetLogRequest,
    LogEnumType,
    LogParametersType,
    UpdateFirmwareRequest,
)

LOG_TYPE: dict[LogKind, LogEnumType] = {
    LogKind.DIAGNOSTICS: "DiagnosticsLog",
    LogKind.SECURITY: "SecurityLog",
}


def render(command: MaintenanceCommand) -> Rendered:
    match command:
        case UpdateFirmware():  # L01 (signed) / L02 (unsigned)
            return "UpdateFirmware", _update(command)
        case FetchLog():  # N01
            return "GetLog", _get_log(command)
        case _:
            assert_never(command)


def _update(command: UpdateFirmware) -> UpdateFirmwareRequest:
    firmware = FirmwareType(location=command.location, retrieveDateTime=command.retrieve_at)
    if command.install_at:
        firmware["installDateTime"] = command.install_at
    if command.signing_certificate:
        firmware["signingCertificate"] = command.signing_certificate
    if command.signature:
        firmware["signature"] = command.signature
    request = UpdateFirmwareRequest(requestId=command.request_id, firmware=firmware)
    if command.retries is not None:
        request["retries"] = command.retries
    if command.retry_interval_s is not None:
        request["retryInterval"] = command.retry_interval_s
    return request


def _get_log(command: FetchLog) -> GetLogRequest:
    log = LogParametersType(remoteLocation=command.location)
    if command.oldest:
        log["oldestTimestamp"] = command.oldest
    if command.latest:
        log["latestTimestamp"] = command.latest
    request = GetLogRequest(log=log, logType=LOG_TYPE[command.kind], requestId=command.request_id)
    if command.retries is not None:
        request["retries"] = command.retries
    if command.retry_interval_s is not None:
        request["retryInterval"] = command.retry_interval_s
    return request


# --- station -> CSMS ---------------------------------------------------------------------


async def firmware_status(
    link: Link, p: FirmwareStatusNotificationRequest
) -> FirmwareStatusNotificationResponse:
    """L01/L02: progress of an update, with the requestId we sent."""
    await report_firmware(link, p["status"], p.get("requestId"), p)
    return {}


async def log_status(link: Link, p: LogStatusNotificationRequest) -> LogStatusNotificationResponse:
    """N01: progress of a log upload."""
    await report_log(link, StationEventKind.LOG_STATUS, p["status"], p.get("requestId"), p)
    return {}


async def security_event(
    link: Link, p: SecurityEventNotificationRequest
) -> SecurityEventNotificationResponse:
    """A04: kept for operators; InvalidFirmwareSignature (L01.FR.03) fails the update."""
    await report_security_event(link, p["type"], p)
    return {}
