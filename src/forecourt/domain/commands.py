"""Commands an operator sends to a station, in neutral terms, and their outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from forecourt.domain.certificates import (  # re-exported: every command is found here
    CertificateSigned as CertificateSigned,
)
from forecourt.domain.certificates import DeleteCertificate as DeleteCertificate
from forecourt.domain.certificates import GetInstalledCertificateIds as GetInstalledCertificateIds
from forecourt.domain.certificates import InstallCertificate as InstallCertificate
from forecourt.domain.charging_profiles import (
    ChargingProfile,
    ProfileClear,
    ProfilePurpose,
    RateUnit,
)
from forecourt.domain.device import (
    ClearDisplayMessage,
    ClearMonitors,
    CustomerInformation,
    GetDisplayMessages,
    GetMonitoringReport,
    SetDisplayMessage,
    SetMonitoringBase,
    SetMonitoringLevel,
    SetMonitors,
)
from forecourt.domain.firmware_publishing import (  # re-exported: every command is here
    PublishFirmware as PublishFirmware,
)
from forecourt.domain.firmware_publishing import UnpublishFirmware as UnpublishFirmware
from forecourt.domain.local_auth import (  # re-exported: every command is found here
    CancelReservation as CancelReservation,
)
from forecourt.domain.local_auth import GetLocalListLimits as GetLocalListLimits
from forecourt.domain.local_auth import GetLocalListVersion as GetLocalListVersion
from forecourt.domain.local_auth import ReserveNow as ReserveNow
from forecourt.domain.local_auth import SendLocalList as SendLocalList
from forecourt.domain.local_auth import SetAuthCache as SetAuthCache
from forecourt.domain.station_tariffs import (  # re-exported: every command is found here
    ChangeTransactionTariff as ChangeTransactionTariff,
)
from forecourt.domain.station_tariffs import ClearTariffs as ClearTariffs
from forecourt.domain.station_tariffs import GetTariffs as GetTariffs
from forecourt.domain.station_tariffs import SetDefaultTariff as SetDefaultTariff
from forecourt.domain.tokens import TokenKind
from forecourt.domain.web_payments import NotifyWebPaymentStarted as NotifyWebPaymentStarted


class CommandKind(StrEnum):
    RESET = "reset"
    UNLOCK_CONNECTOR = "unlock_connector"
    CHANGE_AVAILABILITY = "change_availability"
    REMOTE_START = "remote_start"
    REMOTE_STOP = "remote_stop"
    TRIGGER_MESSAGE = "trigger_message"
    GET_CONFIGURATION = "get_configuration"
    SET_CONFIGURATION = "set_configuration"
    GET_BASE_REPORT = "get_base_report"
    CLEAR_CACHE = "clear_cache"
    DATA_TRANSFER = "data_transfer"
    DISPLAY_PRICE = "display_price"
    COST_UPDATE = "cost_update"
    STATION_PRICE = "station_price"
    UPDATE_FIRMWARE = "update_firmware"
    FETCH_LOG = "fetch_log"
    PUBLISH_FIRMWARE = "publish_firmware"
    UNPUBLISH_FIRMWARE = "unpublish_firmware"
    SEND_LOCAL_LIST = "send_local_list"
    GET_LOCAL_LIST_VERSION = "get_local_list_version"
    GET_LOCAL_LIST_LIMITS = "get_local_list_limits"
    SET_AUTH_CACHE = "set_auth_cache"
    RESERVE_NOW = "reserve_now"
    CANCEL_RESERVATION = "cancel_reservation"
    SET_MONITORS = "set_monitors"
    SET_MONITORING_BASE = "set_monitoring_base"
    SET_MONITORING_LEVEL = "set_monitoring_level"
    CLEAR_MONITORS = "clear_monitors"
    GET_MONITORING_REPORT = "get_monitoring_report"
    SET_DISPLAY_MESSAGE = "set_display_message"
    GET_DISPLAY_MESSAGES = "get_display_messages"
    CLEAR_DISPLAY_MESSAGE = "clear_display_message"
    CUSTOMER_INFORMATION = "customer_information"
    SET_STATION_PASSWORD = "set_station_password"
    GET_REPORT = "get_report"
    SET_NETWORK_PROFILE = "set_network_profile"
    GET_TRANSACTION_STATUS = "get_transaction_status"
    SET_CONFIGURATION_ITEMS = "set_configuration_items"
    GET_MESSAGE_LIMITS = "get_message_limits"
    SET_CHARGING_PROFILE = "set_charging_profile"
    CLEAR_CHARGING_PROFILE = "clear_charging_profile"
    GET_COMPOSITE_SCHEDULE = "get_composite_schedule"
    GET_CHARGING_PROFILES = "get_charging_profiles"
    CERTIFICATE_SIGNED = "certificate_signed"
    INSTALL_CERTIFICATE = "install_certificate"
    DELETE_CERTIFICATE = "delete_certificate"
    GET_INSTALLED_CERTIFICATES = "get_installed_certificates"
    SET_DEFAULT_TARIFF = "set_default_tariff"
    GET_TARIFFS = "get_tariffs"
    CLEAR_TARIFFS = "clear_tariffs"
    CHANGE_TRANSACTION_TARIFF = "change_transaction_tariff"
    NOTIFY_WEB_PAYMENT_STARTED = "notify_web_payment_started"


class TriggerKind(StrEnum):
    BOOT_NOTIFICATION = "boot_notification"
    HEARTBEAT = "heartbeat"
    STATUS_NOTIFICATION = "status_notification"
    METER_VALUES = "meter_values"
    FIRMWARE_STATUS = "firmware_status"
    DIAGNOSTICS_STATUS = "diagnostics_status"  # 2.0.1: LogStatusNotification
    TRANSACTION_EVENT = "transaction_event"  # 2.0.1 only
    SIGN_CERTIFICATE = "sign_certificate"


class ReportKind(StrEnum):
    FULL_INVENTORY = "full_inventory"
    CONFIGURATION_INVENTORY = "configuration_inventory"
    SUMMARY_INVENTORY = "summary_inventory"


class LogKind(StrEnum):
    """Which log a station uploads: 1.6 GetDiagnostics is the diagnostics log."""

    DIAGNOSTICS = "diagnostics"
    SECURITY = "security"


class CommandStatus(StrEnum):
    """The station's answer, plus the ways a command can fail on our side."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SCHEDULED = "scheduled"
    REBOOT_REQUIRED = "reboot_required"
    NOT_SUPPORTED = "not_supported"
    UNLOCKED = "unlocked"
    UNLOCK_FAILED = "unlock_failed"
    ONGOING_TRANSACTION = "ongoing_transaction"
    UNKNOWN_VENDOR = "unknown_vendor"
    UNKNOWN_MESSAGE = "unknown_message"
    PENDING = "pending"  # sent, waiting for the answer
    TIMEOUT = "timeout"  # the station did not answer in time
    CALL_ERROR = "call_error"  # the station answered with a CALLERROR
    OFFLINE = "offline"  # the station is not connected
    VERSION_MISMATCH = "version_mismatch"  # SendLocalList: the station's list version differs
    FAILED = "failed"  # SendLocalList: the station could not apply the update
    OCCUPIED = "occupied"  # ReserveNow: the connector is in use or reserved
    FAULTED = "faulted"  # ReserveNow: the connector is faulted
    UNAVAILABLE = "unavailable"  # ReserveNow: the connector is unavailable

    @property
    def succeeded(self) -> bool:
        """The station did, or will do, what was asked."""
        return self in _SUCCESS


_SUCCESS = frozenset(
    {
        CommandStatus.ACCEPTED,
        CommandStatus.SCHEDULED,
        CommandStatus.REBOOT_REQUIRED,
        CommandStatus.UNLOCKED,
    }
)


@dataclass(frozen=True, slots=True)
class ConfigKey:
    """A configuration item: 1.6 uses only ``variable``; 2.0.1 adds the component."""

    variable: str
    component: str | None = None
    evse_id: int | None = None
    instance: str | None = None  # 2.0.1: e.g. DeviceDataCtrlr.ItemsPerMessage[GetVariables]

    @classmethod
    def parse(cls, text: str) -> ConfigKey:
        """``Component.Variable`` or ``Variable``, e.g. ``OCPPCommCtrlr.HeartbeatInterval``."""
        component, _, variable = text.rpartition(".")
        return cls(variable=variable or text, component=component or None)

    def __str__(self) -> str:
        name = f"{self.component}.{self.variable}" if self.component else self.variable
        return f"{name}[{self.instance}]" if self.instance else name


@dataclass(frozen=True, slots=True)
class Reset:
    hard: bool = False
    evse_id: int | None = None  # None: the whole station; 2.0.1 can reset one EVSE (B11/B12)


@dataclass(frozen=True, slots=True)
class UnlockConnector:
    evse_id: int
    connector_id: int = 1


@dataclass(frozen=True, slots=True)
class ChangeAvailability:
    operative: bool
    evse_id: int = 0  # 0 = the whole station
    connector_id: int | None = None


@dataclass(frozen=True, slots=True)
class RemoteStart:
    id_token: str
    evse_id: int | None = None
    remote_start_id: int | None = None
    # As the operator registered the token (an RFID card is ISO14443 on 2.0.1); None: Central.
    token_kind: TokenKind | None = None


@dataclass(frozen=True, slots=True)
class RemoteStop:
    station_tx_id: str


@dataclass(frozen=True, slots=True)
class TriggerMessage:
    message: TriggerKind
    evse_id: int | None = None


@dataclass(frozen=True, slots=True)
class GetConfiguration:
    keys: tuple[ConfigKey, ...] = ()


@dataclass(frozen=True, slots=True)
class SetConfiguration:
    key: ConfigKey
    value: str


@dataclass(frozen=True, slots=True)
class GetBaseReport:
    report: ReportKind = ReportKind.FULL_INVENTORY
    request_id: int = 0


@dataclass(frozen=True, slots=True)
class ClearCache:
    pass


@dataclass(frozen=True, slots=True)
class DataTransfer:
    vendor_id: str
    message_id: str | None = None
    data: str | None = None


@dataclass(frozen=True, slots=True)
class DisplayPrice:
    """Show a price to the driver before or during a session (NEVI §680.116(a)).

    1.6: OCA California Pricing ``SetUserPrice`` (needs ``id_token``); 2.0.1: SetDisplayMessage.
    """

    text: str
    id_token: str | None = None  # the driver it is meant for
    station_tx_id: str | None = None  # show during this transaction only
    evse_id: int | None = None
    message_id: int = 1  # 2.0.1: a message with the same id replaces the previous one
    language: str = "en"


@dataclass(frozen=True, slots=True)
class CostUpdate:
    """Running (``final=False``) or final cost of a transaction, taxes included.

    Amounts are decimal strings in major units (commands are logged as JSON; never floats).
    1.6: OCA California Pricing ``RunningCost``/``FinalCost``; 2.0.1: CostUpdated.
    """

    station_tx_id: str
    total: str
    final: bool = False
    text: str = ""  # itemised summary for the driver
    receipt_url: str = ""
    at: str = ""  # ISO 8601 instant the figure refers to
    meter_wh: int | None = None  # the energy register the figure is based on
    idle: bool = False  # the vehicle no longer charges (idle fee running)
    kwh_price: str | None = None
    flat_fee: str | None = None
    idle_price_per_hour: str | None = None
    idle_grace_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class StationPrice:
    """The price at one EVSE, shown before anyone plugs in (NEVI §680.116(a)).

    Amounts are decimal strings in major units. Each OCPP adapter renders it in its own
    words: 1.6 the OCA California Pricing ``DefaultPrice`` configuration key (one price for
    the whole station), 2.0.1 a SetDisplayMessage for that EVSE, shown while idle.
    """

    evse_id: int
    text: str  # the price as the driver reads it
    kwh_price: str
    flat_fee: str


@dataclass(frozen=True, slots=True)
class UpdateFirmware:
    """Install the image at ``location`` (1.6 UpdateFirmware / SignedUpdateFirmware; 2.0.1 L01-L02).

    Times are ISO 8601 strings (commands are logged as JSON). With ``signature`` and
    ``signing_certificate`` the station must verify the image (2.0.1 L01, 1.6 security
    whitepaper): 1.6 then renders SignedUpdateFirmware.
    """

    location: str
    retrieve_at: str
    request_id: int = 0
    install_at: str | None = None
    retries: int | None = None
    retry_interval_s: int | None = None
    signing_certificate: str | None = None
    signature: str | None = None


@dataclass(frozen=True, slots=True)
class FetchLog:
    """Upload a log to ``location`` (1.6 GetDiagnostics or GetLog; 2.0.1 GetLog, N01)."""

    location: str
    kind: LogKind = LogKind.DIAGNOSTICS
    request_id: int = 0
    oldest: str | None = None
    latest: str | None = None
    retries: int | None = None
    retry_interval_s: int | None = None


@dataclass(frozen=True, slots=True)
class SetStationPassword:
    """The station's HTTP Basic password (1.6 ``AuthorizationKey``, 2.0.1
    ``SecurityCtrlr.BasicAuthPassword``); only the password rotation sends it, never logged."""

    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class SetConfigurationItems:
    """Several configuration changes in one message (2.0.1 SetVariables; 1.6 one key per
    ChangeConfiguration). Sent by the configuration batches, within the station's limits."""

    items: tuple[SetConfiguration, ...]


@dataclass(frozen=True, slots=True)
class GetMessageLimits:
    """How many configuration items (and bytes) the station takes per message: 1.6
    ``GetConfigurationMaxKeys``; 2.0.1 ``DeviceDataCtrlr.ItemsPerMessage`` /
    ``BytesPerMessage`` of GetVariables and SetVariables. Answer data: ``get_items``,
    ``set_items``, ``get_bytes``, ``set_bytes`` (each absent when the station does not say)."""


class ReportCriterion(StrEnum):
    """What a 2.0.1 GetReport selects components by (B08 componentCriteria)."""

    ACTIVE = "active"
    AVAILABLE = "available"
    ENABLED = "enabled"
    PROBLEM = "problem"


@dataclass(frozen=True, slots=True)
class GetReport:
    """A custom report (2.0.1 B08): components matching every criterion, and/or the named
    variables (a key with an empty ``variable`` names all of its component's variables)."""

    criteria: tuple[ReportCriterion, ...] = ()
    keys: tuple[ConfigKey, ...] = ()
    request_id: int = 0


class NetworkInterface(StrEnum):
    WIRED0 = "wired0"
    WIRED1 = "wired1"
    WIRED2 = "wired2"
    WIRED3 = "wired3"
    WIRELESS0 = "wireless0"
    WIRELESS1 = "wireless1"
    WIRELESS2 = "wireless2"
    WIRELESS3 = "wireless3"


@dataclass(frozen=True, slots=True)
class NetworkProfile:
    """Where and how a station reaches its CSMS (2.0.1 NetworkConnectionProfileType)."""

    csms_url: str
    security_profile: int = 1  # 1: Basic auth, 2: TLS + Basic auth, 3: TLS client certificates
    interface: NetworkInterface = NetworkInterface.WIRED0
    message_timeout_s: int = 30


@dataclass(frozen=True, slots=True)
class SetNetworkProfile:
    """Store a connection profile in one of the station's slots (2.0.1 B09); the station
    uses it once ``OCPPCommCtrlr.NetworkConfigurationPriority`` names the slot."""

    slot: int
    profile: NetworkProfile


@dataclass(frozen=True, slots=True)
class GetTransactionStatus:
    """Ask whether messages of a transaction are still queued (2.0.1 E14); no id: any."""

    station_tx_id: str | None = None


@dataclass(frozen=True, slots=True)
class SetChargingProfile:
    """Install a charging profile on an EVSE (0: the whole station). 1.6 §5.16, 2.0.1 K01."""

    evse_id: int
    profile: ChargingProfile


@dataclass(frozen=True, slots=True)
class ClearChargingProfile:
    """Remove the profiles matching ``criteria``. 1.6 §5.5, 2.0.1 K10."""

    criteria: ProfileClear = field(default_factory=ProfileClear)


@dataclass(frozen=True, slots=True)
class GetCompositeSchedule:
    """Ask the station what limit it will apply on an EVSE. 1.6 §5.7, 2.0.1 K08."""

    evse_id: int
    duration_s: int
    unit: RateUnit | None = None


@dataclass(frozen=True, slots=True)
class GetChargingProfiles:
    """2.0.1 K09: the station reports its installed profiles (ReportChargingProfiles)."""

    request_id: int
    evse_id: int | None = None
    purpose: ProfilePurpose | None = None
    stack_level: int | None = None
    profile_ids: tuple[int, ...] = ()


Command = (
    Reset
    | UnlockConnector
    | ChangeAvailability
    | RemoteStart
    | RemoteStop
    | TriggerMessage
    | GetConfiguration
    | SetConfiguration
    | GetBaseReport
    | ClearCache
    | DataTransfer
    | DisplayPrice
    | CostUpdate
    | StationPrice
    | UpdateFirmware
    | FetchLog
    | PublishFirmware
    | UnpublishFirmware
    | SendLocalList
    | GetLocalListVersion
    | GetLocalListLimits
    | SetAuthCache
    | ReserveNow
    | CancelReservation
    | SetMonitors
    | SetMonitoringBase
    | SetMonitoringLevel
    | ClearMonitors
    | GetMonitoringReport
    | SetDisplayMessage
    | GetDisplayMessages
    | ClearDisplayMessage
    | CustomerInformation
    | SetStationPassword
    | GetReport
    | SetNetworkProfile
    | GetTransactionStatus
    | SetConfigurationItems
    | GetMessageLimits
    | SetChargingProfile
    | ClearChargingProfile
    | GetCompositeSchedule
    | GetChargingProfiles
    | CertificateSigned
    | InstallCertificate
    | DeleteCertificate
    | GetInstalledCertificateIds
    | SetDefaultTariff
    | GetTariffs
    | ClearTariffs
    | ChangeTransactionTariff
    | NotifyWebPaymentStarted
)

COMMAND_KINDS: dict[type[Any], CommandKind] = {
    Reset: CommandKind.RESET,
    UnlockConnector: CommandKind.UNLOCK_CONNECTOR,
    ChangeAvailability: CommandKind.CHANGE_AVAILABILITY,
    RemoteStart: CommandKind.REMOTE_START,
    RemoteStop: CommandKind.REMOTE_STOP,
    TriggerMessage: CommandKind.TRIGGER_MESSAGE,
    GetConfiguration: CommandKind.GET_CONFIGURATION,
    SetConfiguration: CommandKind.SET_CONFIGURATION,
    GetBaseReport: CommandKind.GET_BASE_REPORT,
    ClearCache: CommandKind.CLEAR_CACHE,
    DataTransfer: CommandKind.DATA_TRANSFER,
    DisplayPrice: CommandKind.DISPLAY_PRICE,
    CostUpdate: CommandKind.COST_UPDATE,
    StationPrice: CommandKind.STATION_PRICE,
    UpdateFirmware: CommandKind.UPDATE_FIRMWARE,
    FetchLog: CommandKind.FETCH_LOG,
    PublishFirmware: CommandKind.PUBLISH_FIRMWARE,
    UnpublishFirmware: CommandKind.UNPUBLISH_FIRMWARE,
    SendLocalList: CommandKind.SEND_LOCAL_LIST,
    GetLocalListVersion: CommandKind.GET_LOCAL_LIST_VERSION,
    GetLocalListLimits: CommandKind.GET_LOCAL_LIST_LIMITS,
    SetAuthCache: CommandKind.SET_AUTH_CACHE,
    ReserveNow: CommandKind.RESERVE_NOW,
    CancelReservation: CommandKind.CANCEL_RESERVATION,
    SetMonitors: CommandKind.SET_MONITORS,
    SetMonitoringBase: CommandKind.SET_MONITORING_BASE,
    SetMonitoringLevel: CommandKind.SET_MONITORING_LEVEL,
    ClearMonitors: CommandKind.CLEAR_MONITORS,
    GetMonitoringReport: CommandKind.GET_MONITORING_REPORT,
    SetDisplayMessage: CommandKind.SET_DISPLAY_MESSAGE,
    GetDisplayMessages: CommandKind.GET_DISPLAY_MESSAGES,
    ClearDisplayMessage: CommandKind.CLEAR_DISPLAY_MESSAGE,
    CustomerInformation: CommandKind.CUSTOMER_INFORMATION,
    SetStationPassword: CommandKind.SET_STATION_PASSWORD,
    GetReport: CommandKind.GET_REPORT,
    SetNetworkProfile: CommandKind.SET_NETWORK_PROFILE,
    GetTransactionStatus: CommandKind.GET_TRANSACTION_STATUS,
    SetConfigurationItems: CommandKind.SET_CONFIGURATION_ITEMS,
    GetMessageLimits: CommandKind.GET_MESSAGE_LIMITS,
    SetChargingProfile: CommandKind.SET_CHARGING_PROFILE,
    ClearChargingProfile: CommandKind.CLEAR_CHARGING_PROFILE,
    GetCompositeSchedule: CommandKind.GET_COMPOSITE_SCHEDULE,
    GetChargingProfiles: CommandKind.GET_CHARGING_PROFILES,
    CertificateSigned: CommandKind.CERTIFICATE_SIGNED,
    InstallCertificate: CommandKind.INSTALL_CERTIFICATE,
    DeleteCertificate: CommandKind.DELETE_CERTIFICATE,
    GetInstalledCertificateIds: CommandKind.GET_INSTALLED_CERTIFICATES,
    SetDefaultTariff: CommandKind.SET_DEFAULT_TARIFF,
    GetTariffs: CommandKind.GET_TARIFFS,
    ClearTariffs: CommandKind.CLEAR_TARIFFS,
    ChangeTransactionTariff: CommandKind.CHANGE_TRANSACTION_TARIFF,
    NotifyWebPaymentStarted: CommandKind.NOTIFY_WEB_PAYMENT_STARTED,
}

#: Configuration keys that hold the station's own password: only the rotation may set them
#: (a plain change would lock the station out: it switches, Forecourt keeps the old hash).
PASSWORD_VARIABLES = frozenset({"AuthorizationKey", "BasicAuthPassword"})


def kind_of(command: Command) -> CommandKind:
    return COMMAND_KINDS[type(command)]


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What came back. ``data`` holds neutral extras (configuration values, transfer data)."""

    status: CommandStatus
    data: dict[str, Any] = field(default_factory=dict)
    error: str = ""


@dataclass(slots=True)
class CommandRecord:
    station_id: str
    kind: CommandKind
    params: dict[str, Any]
    requested_at: datetime
    requested_by: str = ""
    id: int = 0
    status: CommandStatus = CommandStatus.PENDING
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    completed_at: datetime | None = None
