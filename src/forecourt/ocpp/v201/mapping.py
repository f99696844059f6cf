"""Explicit OCPP 2.0.1 <-> domain tables.

Inbound tables (wire -> domain) have a key for every value the 2.0.1 JSON schema allows;
outbound tables (domain -> wire) have a key for every domain value. Tests read the enum lists
from the schema files and fail when either side is missing an entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, TypeVar, cast

from forecourt.domain.commands import CommandStatus, ReportKind, TriggerKind
from forecourt.domain.stations import ConnectorStatus, RegistrationStatus
from forecourt.domain.tokens import AuthorizationStatus, TokenKind
from forecourt.domain.transactions import StopReason
from forecourt.ocpp.errors import ErrorKind, OcppError
from forecourt.ocpp.iso15118 import ID_TOKEN_STATUS
from forecourt.ocpp.v201.wire_types.availability import (
    ConnectorStatusEnumType,
    OperationalStatusEnumType,
)
from forecourt.ocpp.v201.wire_types.common import AuthorizationStatusEnumType, IdTokenEnumType
from forecourt.ocpp.v201.wire_types.diagnostics import DataTransferStatusEnumType
from forecourt.ocpp.v201.wire_types.provisioning import (
    RegistrationStatusEnumType,
    ResetEnumType,
)
from forecourt.ocpp.v201.wire_types.remote_control import MessageTriggerEnumType
from forecourt.ocpp.v201.wire_types.variables import ReportBaseEnumType

K = TypeVar("K")
V = TypeVar("V")


def lookup(table: Mapping[K, V], value: K, what: str) -> V:
    """``table[value]``, or a PropertyConstraintViolation naming the field (ADR 0002)."""
    try:
        return table[value]
    except KeyError:
        raise OcppError(ErrorKind.PROPERTY_CONSTRAINT, f"unexpected {what} {value!r}") from None


# --- station -> CSMS ---------------------------------------------------------------------

#: ConnectorStatusEnumType (StatusNotificationRequest).
CONNECTOR_STATUS: Final[Mapping[str, ConnectorStatus]] = MappingProxyType(
    {
        "Available": ConnectorStatus.AVAILABLE,
        "Occupied": ConnectorStatus.OCCUPIED,
        "Reserved": ConnectorStatus.RESERVED,
        "Unavailable": ConnectorStatus.UNAVAILABLE,
        "Faulted": ConnectorStatus.FAULTED,
    }
)

#: Domain -> ConnectorStatusEnumType. ``None``: 2.0.1 has no such value (never reported).
CONNECTOR_STATUS_OUT: Final[Mapping[ConnectorStatus, ConnectorStatusEnumType | None]] = (
    MappingProxyType(
        {
            ConnectorStatus.AVAILABLE: "Available",
            ConnectorStatus.OCCUPIED: "Occupied",
            ConnectorStatus.RESERVED: "Reserved",
            ConnectorStatus.UNAVAILABLE: "Unavailable",
            ConnectorStatus.FAULTED: "Faulted",
            ConnectorStatus.UNKNOWN: None,
        }
    )
)

#: IdTokenEnumType -> TokenKind. Both RFID standards are one kind of card for us.
TOKEN_KIND: Final[Mapping[str, TokenKind]] = MappingProxyType(
    {
        "Central": TokenKind.CENTRAL,
        "eMAID": TokenKind.EMAID,
        "ISO14443": TokenKind.RFID,
        "ISO15693": TokenKind.RFID,
        "KeyCode": TokenKind.KEY_CODE,
        "Local": TokenKind.LOCAL,
        "MacAddress": TokenKind.MAC_ADDRESS,
        "NoAuthorization": TokenKind.NO_AUTHORIZATION,
    }
)

#: TokenKind -> IdTokenEnumType.
TOKEN_TYPE: Final[Mapping[TokenKind, IdTokenEnumType]] = MappingProxyType(
    {
        TokenKind.RFID: "ISO14443",  # by far the common card; ISO15693 reads back as RFID too
        TokenKind.CENTRAL: "Central",
        TokenKind.EMAID: "eMAID",
        TokenKind.MAC_ADDRESS: "MacAddress",
        TokenKind.KEY_CODE: "KeyCode",
        TokenKind.LOCAL: "Local",
        TokenKind.NO_AUTHORIZATION: "NoAuthorization",
        # 2.0.1 has no payment token type (2.1 adds DirectPayment); the reference of a card
        # pre-authorisation is generated locally by the dispenser's terminal.
        TokenKind.PAYMENT: "Local",
    }
)

#: ReasonEnumType (TransactionEventRequest transactionInfo.stoppedReason).
STOP_REASON: Final[Mapping[str, StopReason]] = MappingProxyType(
    {
        "DeAuthorized": StopReason.DEAUTHORIZED,
        "EmergencyStop": StopReason.EMERGENCY_STOP,
        "EnergyLimitReached": StopReason.ENERGY_LIMIT,
        "EVDisconnected": StopReason.EV_DISCONNECTED,
        "GroundFault": StopReason.GROUND_FAULT,
        "ImmediateReset": StopReason.IMMEDIATE_RESET,
        "Local": StopReason.LOCAL,
        "LocalOutOfCredit": StopReason.LOCAL_OUT_OF_CREDIT,
        "MasterPass": StopReason.MASTER_PASS,
        "Other": StopReason.OTHER,
        "OvercurrentFault": StopReason.OVERCURRENT,
        "PowerLoss": StopReason.POWER_LOSS,
        "PowerQuality": StopReason.POWER_QUALITY,
        "Reboot": StopReason.REBOOT,
        "Remote": StopReason.REMOTE,
        "SOCLimitReached": StopReason.SOC_LIMIT,
        "StoppedByEV": StopReason.STOPPED_BY_EV,
        "TimeLimitReached": StopReason.TIME_LIMIT,
        "Timeout": StopReason.TIMEOUT,
    }
)
#: stoppedReason "MAY only be omitted when Reason is Local" (TransactionType).
DEFAULT_STOP_REASON: Final = "Local"

#: ChargingStateEnumType -> the neutral words stored on a transaction.
CHARGING_STATE: Final[Mapping[str, str]] = MappingProxyType(
    {
        "Charging": "charging",
        "EVConnected": "ev_connected",
        "SuspendedEV": "suspended_ev",
        "SuspendedEVSE": "suspended_evse",
        "Idle": "idle",
    }
)

#: BootReasonEnumType -> the neutral words stored with a boot.
BOOT_REASON: Final[Mapping[str, str]] = MappingProxyType(
    {
        "ApplicationReset": "application_reset",
        "FirmwareUpdate": "firmware_update",
        "LocalReset": "local_reset",
        "PowerUp": "power_up",
        "RemoteReset": "remote_reset",
        "ScheduledReset": "scheduled_reset",
        "Triggered": "triggered",
        "Unknown": "unknown",
        "Watchdog": "watchdog",
    }
)

# --- CSMS -> station answers -------------------------------------------------------------

#: AuthorizationStatus -> AuthorizationStatusEnumType (IdTokenInfoType.status); the table is
#: shared with the 1.6 Plug & Charge wrapper, which carries 2.0.1 payloads.
AUTHORIZATION_STATUS: Final[Mapping[AuthorizationStatus, AuthorizationStatusEnumType]] = cast(
    Mapping[AuthorizationStatus, AuthorizationStatusEnumType], ID_TOKEN_STATUS
)

#: RegistrationStatus -> RegistrationStatusEnumType (BootNotificationResponse).
REGISTRATION_STATUS: Final[Mapping[RegistrationStatus, RegistrationStatusEnumType]] = (
    MappingProxyType(
        {
            RegistrationStatus.ACCEPTED: "Accepted",
            RegistrationStatus.PENDING: "Pending",
            RegistrationStatus.REJECTED: "Rejected",
        }
    )
)

#: Whether we know the vendor -> DataTransferStatusEnumType (P02).
DATA_TRANSFER_ANSWER: Final[Mapping[bool, DataTransferStatusEnumType]] = MappingProxyType(
    {True: "Accepted", False: "UnknownVendorId"}
)

# --- CSMS -> station commands ------------------------------------------------------------

#: Reset.hard -> ResetEnumType: a hard reset does not wait for transactions (B11/B12).
RESET_TYPE: Final[Mapping[bool, ResetEnumType]] = MappingProxyType(
    {True: "Immediate", False: "OnIdle"}
)

#: ChangeAvailability.operative -> OperationalStatusEnumType (G03/G04).
OPERATIONAL_STATUS: Final[Mapping[bool, OperationalStatusEnumType]] = MappingProxyType(
    {True: "Operative", False: "Inoperative"}
)

#: TriggerKind -> MessageTriggerEnumType (F06).
TRIGGER_MESSAGE: Final[Mapping[TriggerKind, MessageTriggerEnumType]] = MappingProxyType(
    {
        TriggerKind.BOOT_NOTIFICATION: "BootNotification",
        TriggerKind.HEARTBEAT: "Heartbeat",
        TriggerKind.STATUS_NOTIFICATION: "StatusNotification",
        TriggerKind.METER_VALUES: "MeterValues",
        TriggerKind.FIRMWARE_STATUS: "FirmwareStatusNotification",
        TriggerKind.DIAGNOSTICS_STATUS: "LogStatusNotification",
        TriggerKind.TRANSACTION_EVENT: "TransactionEvent",
        TriggerKind.SIGN_CERTIFICATE: "SignChargingStationCertificate",
    }
)

#: MessageTriggerEnumType -> TriggerKind. ``None``: no neutral trigger exists for it yet.
TRIGGER_KIND: Final[Mapping[str, TriggerKind | None]] = MappingProxyType(
    {
        "BootNotification": TriggerKind.BOOT_NOTIFICATION,
        "LogStatusNotification": TriggerKind.DIAGNOSTICS_STATUS,
        "FirmwareStatusNotification": TriggerKind.FIRMWARE_STATUS,
        "Heartbeat": TriggerKind.HEARTBEAT,
        "MeterValues": TriggerKind.METER_VALUES,
        "SignChargingStationCertificate": TriggerKind.SIGN_CERTIFICATE,
        "SignV2GCertificate": None,
        "StatusNotification": TriggerKind.STATUS_NOTIFICATION,
        "TransactionEvent": TriggerKind.TRANSACTION_EVENT,
        "SignCombinedCertificate": None,
        "PublishFirmwareStatusNotification": None,
    }
)

#: ReportKind -> ReportBaseEnumType (B07), and back.
REPORT_BASE: Final[Mapping[ReportKind, ReportBaseEnumType]] = MappingProxyType(
    {
        ReportKind.FULL_INVENTORY: "FullInventory",
        ReportKind.CONFIGURATION_INVENTORY: "ConfigurationInventory",
        ReportKind.SUMMARY_INVENTORY: "SummaryInventory",
    }
)
REPORT_KIND: Final[Mapping[str, ReportKind]] = MappingProxyType(
    {wire: kind for kind, wire in REPORT_BASE.items()}
)

# --- station answers to commands -> CommandStatus ------------------------------------------

#: ResetStatusEnumType.
RESET_STATUS: Final[Mapping[str, CommandStatus]] = MappingProxyType(
    {
        "Accepted": CommandStatus.ACCEPTED,
        "Rejected": CommandStatus.REJECTED,
        "Scheduled": CommandStatus.SCHEDULED,
    }
)

#: UnlockStatusEnumType.
UNLOCK_STATUS: Final[Mapping[str, CommandStatus]] = MappingProxyType(
    {
        "Unlocked": CommandStatus.UNLOCKED,
        "UnlockFailed": CommandStatus.UNLOCK_FAILED,
        "OngoingAuthorizedTransaction": CommandStatus.ONGOING_TRANSACTION,
        "UnknownConnector": CommandStatus.REJECTED,
    }
)

#: ChangeAvailabilityStatusEnumType.
CHANGE_AVAILABILITY_STATUS: Final[Mapping[str, CommandStatus]] = MappingProxyType(
    {
        "Accepted": CommandStatus.ACCEPTED,
        "Rejected": CommandStatus.REJECTED,
        "Scheduled": CommandStatus.SCHEDULED,
    }
)

#: RequestStartStopStatusEnumType (RequestStart/StopTransactionResponse).
START_STOP_STATUS: Final[Mapping[str, CommandStatus]] = MappingProxyType(
    {"Accepted": CommandStatus.ACCEPTED, "Rejected": CommandStatus.REJECTED}
)

#: TriggerMessageStatusEnumType.
TRIGGER_STATUS: Final[Mapping[str, CommandStatus]] = MappingProxyType(
    {
        "Accepted": CommandStatus.ACCEPTED,
        "Rejected": CommandStatus.REJECTED,
        "NotImplemented": CommandStatus.NOT_SUPPORTED,
    }
)

#: GetVariableStatusEnumType (per variable). Unknown component/variable is 1.6 "unknownKey".
GET_VARIABLE_STATUS: Final[Mapping[str, CommandStatus]] = MappingProxyType(
    {
        "Accepted": CommandStatus.ACCEPTED,
        "Rejected": CommandStatus.REJECTED,
        "UnknownComponent": CommandStatus.NOT_SUPPORTED,
        "UnknownVariable": CommandStatus.NOT_SUPPORTED,
        "NotSupportedAttributeType": CommandStatus.NOT_SUPPORTED,
    }
)

#: SetVariableStatusEnumType (per variable); unknown keys read as 1.6 "NotSupported".
SET_VARIABLE_STATUS: Final[Mapping[str, CommandStatus]] = MappingProxyType(
    {
        "Accepted": CommandStatus.ACCEPTED,
        "Rejected": CommandStatus.REJECTED,
        "UnknownComponent": CommandStatus.NOT_SUPPORTED,
        "UnknownVariable": CommandStatus.NOT_SUPPORTED,
        "NotSupportedAttributeType": CommandStatus.NOT_SUPPORTED,
        "RebootRequired": CommandStatus.REBOOT_REQUIRED,
    }
)

#: GenericDeviceModelStatusEnumType (GetBaseReportResponse). An empty result is still done.
REPORT_STATUS: Final[Mapping[str, CommandStatus]] = MappingProxyType(
    {
        "Accepted": CommandStatus.ACCEPTED,
        "Rejected": CommandStatus.REJECTED,
        "NotSupported": CommandStatus.NOT_SUPPORTED,
        "EmptyResultSet": CommandStatus.ACCEPTED,
    }
)

#: ClearCacheStatusEnumType.
CLEAR_CACHE_STATUS: Final[Mapping[str, CommandStatus]] = MappingProxyType(
    {"Accepted": CommandStatus.ACCEPTED, "Rejected": CommandStatus.REJECTED}
)

#: DataTransferStatusEnumType (the station's answer to our DataTransfer, P01).
DATA_TRANSFER_STATUS: Final[Mapping[str, CommandStatus]] = MappingProxyType(
    {
        "Accepted": CommandStatus.ACCEPTED,
        "Rejected": CommandStatus.REJECTED,
        "UnknownMessageId": CommandStatus.UNKNOWN_MESSAGE,
        "UnknownVendorId": CommandStatus.UNKNOWN_VENDOR,
    }
)
