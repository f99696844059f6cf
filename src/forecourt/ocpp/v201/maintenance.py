"""OCPP 2.0.1 firmware and logs: UpdateFirmware (L01/L02), PublishFirmware/UnpublishFirmware
(L03/L04) and GetLog (N01)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, assert_never

from forecourt.domain.commands import (
    CommandResult,
    CommandStatus,
    FetchLog,
    LogKind,
    PublishFirmware,
    UnpublishFirmware,
    UpdateFirmware,
)
from forecourt.domain.events import StationEventKind
from forecourt.domain.firmware_publishing import PublishReport, PublishState
from forecourt.ocpp.adapter import Link, Payload
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
    PublishFirmwareRequest,
    PublishFirmwareStatusNotificationRequest,
    PublishFirmwareStatusNotificationResponse,
    UnpublishFirmwareRequest,
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
        case PublishFirmware():  # L03
            return "PublishFirmware", _publish(command)
        case UnpublishFirmware():  # L04
            return "UnpublishFirmware", UnpublishFirmwareRequest(checksum=command.checksum)
        case _:
            assert_never(command)


PUBLISH_STATE: Final[Mapping[str, PublishState]] = MappingProxyType(
    {
        "Idle": PublishState.IDLE,
        "DownloadScheduled": PublishState.DOWNLOAD_SCHEDULED,
        "Downloading": PublishState.DOWNLOADING,
        "Downloaded": PublishState.DOWNLOADED,
        "Published": PublishState.PUBLISHED,
        "DownloadFailed": PublishState.DOWNLOAD_FAILED,
        "DownloadPaused": PublishState.DOWNLOAD_PAUSED,
        "InvalidChecksum": PublishState.INVALID_CHECKSUM,
        "ChecksumVerified": PublishState.CHECKSUM_VERIFIED,
        "PublishFailed": PublishState.PUBLISH_FAILED,
    }
)

#: UnpublishFirmwareStatusEnumType: only Unpublished did what was asked.
UNPUBLISH_STATUS: Final[Mapping[str, CommandStatus]] = MappingProxyType(
    {
        "Unpublished": CommandStatus.ACCEPTED,
        "NoFirmware": CommandStatus.REJECTED,
        "DownloadOngoing": CommandStatus.REJECTED,
    }
)
PUBLISH_STATUS: Final[Mapping[str, CommandStatus]] = MappingProxyType(
    {"Accepted": CommandStatus.ACCEPTED, "Rejected": CommandStatus.REJECTED}
)


def interpret_publishing(
    command: PublishFirmware | UnpublishFirmware, response: Payload
) -> CommandResult:
    """PublishFirmware: Accepted/Rejected; UnpublishFirmware: the station's word is kept
    (``status``) since NoFirmware and DownloadOngoing fail for different reasons."""
    table = PUBLISH_STATUS if isinstance(command, PublishFirmware) else UNPUBLISH_STATUS
    raw = response.get("status")
    if not isinstance(raw, str) or raw not in table:
        return CommandResult(CommandStatus.REJECTED, {}, f"unexpected status {raw!r}")
    result = CommandResult(table[raw], {"status": raw})
    info = response.get("statusInfo")
    if isinstance(info, dict):
        result.data["reason"] = info.get("reasonCode", "")
    return result


def _publish(command: PublishFirmware) -> PublishFirmwareRequest:
    request = PublishFirmwareRequest(
        location=command.location, checksum=command.checksum, requestId=command.request_id
    )
    if command.retries is not None:
        request["retries"] = command.retries
    if command.retry_interval_s is not None:
        request["retryInterval"] = command.retry_interval_s
    return request


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


async def publish_status(
    link: Link, p: PublishFirmwareStatusNotificationRequest
) -> PublishFirmwareStatusNotificationResponse:
    """L03: progress of a publication; ``location`` lists the URIs once Published."""
    report = PublishReport(PUBLISH_STATE[p["status"]], p.get("requestId"), p.get("location", []))
    await link.services.maintenance.publishing.publish_status(link.station_id, report)
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
