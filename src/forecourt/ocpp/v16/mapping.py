"""Explicit OCPP 1.6 <-> domain tables. Tests check them against the 1.6 JSON schemas."""

from __future__ import annotations

from forecourt.domain.commands import CommandStatus, TriggerKind
from forecourt.domain.stations import ConnectorStatus, RegistrationStatus
from forecourt.domain.tokens import AuthorizationStatus
from forecourt.domain.transactions import StopReason
from forecourt.ocpp.v16.wire_types.common import IdTagInfoStatus
from forecourt.ocpp.v16.wire_types.core import BootNotificationResponseStatus
from forecourt.ocpp.v16.wire_types.diagnostics import (
    MessageTriggerEnumType,
    TriggerMessageRequestRequestedMessage,
)

CONNECTOR_STATUS: dict[str, ConnectorStatus] = {
    "Available": ConnectorStatus.AVAILABLE,
    "Preparing": ConnectorStatus.OCCUPIED,
    "Charging": ConnectorStatus.OCCUPIED,
    "SuspendedEVSE": ConnectorStatus.OCCUPIED,
    "SuspendedEV": ConnectorStatus.OCCUPIED,
    "Finishing": ConnectorStatus.OCCUPIED,
    "Reserved": ConnectorStatus.RESERVED,
    "Unavailable": ConnectorStatus.UNAVAILABLE,
    "Faulted": ConnectorStatus.FAULTED,
}

#: 1.6 has no "Unknown": an unknown tag is Invalid (1.6 §7.2 AuthorizationStatus).
AUTHORIZATION_STATUS: dict[AuthorizationStatus, IdTagInfoStatus] = {
    AuthorizationStatus.ACCEPTED: "Accepted",
    AuthorizationStatus.BLOCKED: "Blocked",
    AuthorizationStatus.EXPIRED: "Expired",
    AuthorizationStatus.INVALID: "Invalid",
    AuthorizationStatus.UNKNOWN: "Invalid",
    AuthorizationStatus.CONCURRENT_TX: "ConcurrentTx",
    AuthorizationStatus.RESERVED: "Invalid",  # 1.6 has no word for "reserved for another"
}

REGISTRATION_STATUS: dict[RegistrationStatus, BootNotificationResponseStatus] = {
    RegistrationStatus.ACCEPTED: "Accepted",
    RegistrationStatus.PENDING: "Pending",
    RegistrationStatus.REJECTED: "Rejected",
}

STOP_REASON: dict[str, StopReason] = {
    "EmergencyStop": StopReason.EMERGENCY_STOP,
    "EVDisconnected": StopReason.EV_DISCONNECTED,
    "HardReset": StopReason.HARD_RESET,
    "Local": StopReason.LOCAL,
    "Other": StopReason.OTHER,
    "PowerLoss": StopReason.POWER_LOSS,
    "Reboot": StopReason.REBOOT,
    "Remote": StopReason.REMOTE,
    "SoftReset": StopReason.SOFT_RESET,
    "UnlockCommand": StopReason.UNLOCK_COMMAND,
    "DeAuthorized": StopReason.DEAUTHORIZED,
}

TRIGGER: dict[TriggerKind, TriggerMessageRequestRequestedMessage] = {
    TriggerKind.BOOT_NOTIFICATION: "BootNotification",
    TriggerKind.DIAGNOSTICS_STATUS: "DiagnosticsStatusNotification",
    TriggerKind.FIRMWARE_STATUS: "FirmwareStatusNotification",
    TriggerKind.HEARTBEAT: "Heartbeat",
    TriggerKind.METER_VALUES: "MeterValues",
    TriggerKind.STATUS_NOTIFICATION: "StatusNotification",
}
#: Triggers 1.6 core lacks (sent via ExtendedTriggerMessage where the station supports it).
EXTENDED_TRIGGER: dict[TriggerKind, MessageTriggerEnumType] = {
    TriggerKind.SIGN_CERTIFICATE: "SignChargePointCertificate",
}

#: Every status string a 1.6 command response can carry, to one neutral status.
COMMAND_STATUS: dict[str, CommandStatus] = {
    "Accepted": CommandStatus.ACCEPTED,
    "Rejected": CommandStatus.REJECTED,
    "Scheduled": CommandStatus.SCHEDULED,
    "RebootRequired": CommandStatus.REBOOT_REQUIRED,
    "NotSupported": CommandStatus.NOT_SUPPORTED,
    "NotImplemented": CommandStatus.NOT_SUPPORTED,
    "Unlocked": CommandStatus.UNLOCKED,
    "UnlockFailed": CommandStatus.UNLOCK_FAILED,
    "UnknownVendorId": CommandStatus.UNKNOWN_VENDOR,
    "UnknownMessageId": CommandStatus.UNKNOWN_MESSAGE,
}

#: ChargePointErrorCode "NoError" means no error; every other code is kept verbatim.
NO_ERROR = "NoError"
