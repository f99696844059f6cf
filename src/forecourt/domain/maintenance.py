"""Firmware and log uploads as a station reports them, in neutral terms (ADR 0010)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from forecourt.domain.commands import LogKind


class FirmwareState(StrEnum):
    """Where a station is with a firmware update (1.6 and 2.0.1 statuses, merged)."""

    IDLE = "idle"
    REQUESTED = "requested"  # we sent the update; the station has said nothing yet
    DOWNLOAD_SCHEDULED = "download_scheduled"
    DOWNLOADING = "downloading"
    DOWNLOAD_PAUSED = "download_paused"
    DOWNLOADED = "downloaded"
    DOWNLOAD_FAILED = "download_failed"
    SIGNATURE_VERIFIED = "signature_verified"
    INVALID_SIGNATURE = "invalid_signature"
    INSTALL_SCHEDULED = "install_scheduled"
    INSTALLING = "installing"
    INSTALL_REBOOTING = "install_rebooting"
    INSTALLED = "installed"
    INSTALLATION_FAILED = "installation_failed"
    INSTALL_VERIFICATION_FAILED = "install_verification_failed"
    REJECTED = "rejected"  # the station refused the UpdateFirmware request

    @property
    def failed(self) -> bool:
        return self in _FAILED

    @property
    def finished(self) -> bool:
        """Nothing more will happen for this request."""
        return self in _FAILED or self is FirmwareState.INSTALLED


_FAILED = frozenset(
    {
        FirmwareState.DOWNLOAD_FAILED,
        FirmwareState.INVALID_SIGNATURE,
        FirmwareState.INSTALLATION_FAILED,
        FirmwareState.INSTALL_VERIFICATION_FAILED,
        FirmwareState.REJECTED,
    }
)

#: SecurityEventNotification types that mean the image was refused (2.0.1 A04, 1.6 whitepaper).
FIRMWARE_SECURITY_EVENTS: dict[str, FirmwareState] = {
    "InvalidFirmwareSignature": FirmwareState.INVALID_SIGNATURE,
    "InvalidFirmwareSigningCertificate": FirmwareState.INVALID_SIGNATURE,
}


class LogState(StrEnum):
    """Where a log upload is (1.6 DiagnosticsStatus, 2.0.1/whitepaper UploadLogStatus)."""

    REQUESTED = "requested"
    IDLE = "idle"
    UPLOADING = "uploading"
    UPLOADED = "uploaded"  # the station says so; ``received`` says whether we have the file
    UPLOAD_FAILED = "upload_failed"
    BAD_MESSAGE = "bad_message"
    NOT_SUPPORTED = "not_supported"
    PERMISSION_DENIED = "permission_denied"
    REJECTED = "rejected"  # the station refused the request
    CANCELED = "canceled"  # a newer request replaced this one


@dataclass(frozen=True, slots=True)
class FirmwareReport:
    """One firmware status notification; ``request_id`` is absent on 1.6."""

    state: FirmwareState
    request_id: int | None = None


@dataclass(frozen=True, slots=True)
class LogReport:
    """One log/diagnostics status notification; ``request_id`` is absent on 1.6 diagnostics."""

    state: LogState
    request_id: int | None = None


@dataclass(slots=True)
class StationFirmware:
    """What we know of a station's firmware: the last update asked for and how it went."""

    station_id: str
    state: FirmwareState = FirmwareState.IDLE
    request_id: int = 0
    location: str = ""
    target_version: str = ""
    previous_version: str = ""  # the version it ran before the last update (rollback)
    updated_at: datetime | None = None
    requested_at: datetime | None = None


@dataclass(slots=True)
class LogUpload:
    """A log a station was asked to upload, and the file once it arrived."""

    station_id: str
    kind: LogKind
    token: str  # the unguessable part of the upload URL
    requested_at: datetime
    expires_at: datetime
    id: int = 0
    state: LogState = LogState.REQUESTED
    file_name: str = ""
    size_bytes: int = 0
    received_at: datetime | None = None
    updated_at: datetime | None = None
    requested_by: str = ""

    @property
    def received(self) -> bool:
        return self.received_at is not None
