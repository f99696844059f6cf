"""Commands an operator sends to a station, in neutral terms, and their outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from forecourt.domain.charging_profiles import (
    ChargingProfile,
    ProfileClear,
    ProfilePurpose,
    RateUnit,
)


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
    SET_CHARGING_PROFILE = "set_charging_profile"
    CLEAR_CHARGING_PROFILE = "clear_charging_profile"
    GET_COMPOSITE_SCHEDULE = "get_composite_schedule"
    GET_CHARGING_PROFILES = "get_charging_profiles"


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

    @classmethod
    def parse(cls, text: str) -> ConfigKey:
        """``Component.Variable`` or ``Variable``, e.g. ``OCPPCommCtrlr.HeartbeatInterval``."""
        component, _, variable = text.rpartition(".")
        return cls(variable=variable or text, component=component or None)

    def __str__(self) -> str:
        return f"{self.component}.{self.variable}" if self.component else self.variable


@dataclass(frozen=True, slots=True)
class Reset:
    hard: bool = False


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
    | SetChargingProfile
    | ClearChargingProfile
    | GetCompositeSchedule
    | GetChargingProfiles
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
    SetChargingProfile: CommandKind.SET_CHARGING_PROFILE,
    ClearChargingProfile: CommandKind.CLEAR_CHARGING_PROFILE,
    GetCompositeSchedule: CommandKind.GET_COMPOSITE_SCHEDULE,
    GetChargingProfiles: CommandKind.GET_CHARGING_PROFILES,
}


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
