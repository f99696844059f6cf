"""Firmware and log statuses as 1.6 (with the security whitepaper) and 2.0.1 spell them.

Both versions use the same words (1.6 FirmwareStatus is a subset of the whitepaper's and
2.0.1's FirmwareStatusEnumType; DiagnosticsStatus a subset of UploadLogStatusEnumType), so one
table serves both adapters.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from forecourt.domain.commands import CommandStatus
from forecourt.domain.maintenance import FirmwareState, LogState

FIRMWARE_STATE: Final = MappingProxyType(
    {
        "Idle": FirmwareState.IDLE,
        "DownloadScheduled": FirmwareState.DOWNLOAD_SCHEDULED,
        "Downloading": FirmwareState.DOWNLOADING,
        "DownloadPaused": FirmwareState.DOWNLOAD_PAUSED,
        "Downloaded": FirmwareState.DOWNLOADED,
        "DownloadFailed": FirmwareState.DOWNLOAD_FAILED,
        "SignatureVerified": FirmwareState.SIGNATURE_VERIFIED,
        "InvalidSignature": FirmwareState.INVALID_SIGNATURE,
        "InstallScheduled": FirmwareState.INSTALL_SCHEDULED,
        "Installing": FirmwareState.INSTALLING,
        "InstallRebooting": FirmwareState.INSTALL_REBOOTING,
        "Installed": FirmwareState.INSTALLED,
        "InstallationFailed": FirmwareState.INSTALLATION_FAILED,
        "InstallVerificationFailed": FirmwareState.INSTALL_VERIFICATION_FAILED,
    }
)

LOG_STATE: Final = MappingProxyType(
    {
        "Idle": LogState.IDLE,
        "Uploading": LogState.UPLOADING,
        "Uploaded": LogState.UPLOADED,
        "UploadFailed": LogState.UPLOAD_FAILED,  # 1.6 DiagnosticsStatus
        "UploadFailure": LogState.UPLOAD_FAILED,
        "BadMessage": LogState.BAD_MESSAGE,
        "NotSupportedOperation": LogState.NOT_SUPPORTED,
        "PermissionDenied": LogState.PERMISSION_DENIED,
        "AcceptedCanceled": LogState.CANCELED,
    }
)

#: UpdateFirmware/SignedUpdateFirmware/GetLog answers (2.0.1 and the whitepaper).
REQUEST_STATUS: Final = MappingProxyType(
    {
        "Accepted": CommandStatus.ACCEPTED,
        "AcceptedCanceled": CommandStatus.ACCEPTED,  # accepted; an earlier one was cancelled
        "Rejected": CommandStatus.REJECTED,
        "InvalidCertificate": CommandStatus.REJECTED,
        "RevokedCertificate": CommandStatus.REJECTED,
    }
)
