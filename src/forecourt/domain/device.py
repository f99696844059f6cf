"""Device management commands in neutral terms: variable monitors, display messages and
customer information (OCPP 2.0.1 blocks N and O, and N09/N10 customer information).

Timestamps are ISO 8601 text: commands are logged as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # commands.py imports this module to list these commands
    from forecourt.domain.commands import ConfigKey


class MonitorKind(StrEnum):
    UPPER_THRESHOLD = "upper_threshold"
    LOWER_THRESHOLD = "lower_threshold"
    DELTA = "delta"
    PERIODIC = "periodic"
    PERIODIC_CLOCK_ALIGNED = "periodic_clock_aligned"


class MonitoringBase(StrEnum):
    ALL = "all"
    FACTORY_DEFAULT = "factory_default"
    HARD_WIRED_ONLY = "hard_wired_only"


class MonitoringCriterion(StrEnum):
    THRESHOLD = "threshold"
    DELTA = "delta"
    PERIODIC = "periodic"


class MessagePriority(StrEnum):
    ALWAYS_FRONT = "always_front"
    IN_FRONT = "in_front"
    NORMAL_CYCLE = "normal_cycle"


class MessageState(StrEnum):
    CHARGING = "charging"
    FAULTED = "faulted"
    IDLE = "idle"
    UNAVAILABLE = "unavailable"


#: Severity 0 (danger) .. 9 (debug); monitors default to 8 (informational).
MAX_SEVERITY = 9


@dataclass(frozen=True, slots=True)
class MonitorSpec:
    """One monitor on one variable; ``monitor_id`` replaces an existing monitor."""

    key: ConfigKey
    kind: MonitorKind
    value: float
    severity: int = 8
    monitor_id: int | None = None
    transaction: bool = False


@dataclass(frozen=True, slots=True)
class SetMonitors:
    monitors: tuple[MonitorSpec, ...]


@dataclass(frozen=True, slots=True)
class SetMonitoringBase:
    base: MonitoringBase


@dataclass(frozen=True, slots=True)
class SetMonitoringLevel:
    severity: int


@dataclass(frozen=True, slots=True)
class ClearMonitors:
    monitor_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class GetMonitoringReport:
    request_id: int = 0
    criteria: tuple[MonitoringCriterion, ...] = ()
    keys: tuple[ConfigKey, ...] = ()


@dataclass(frozen=True, slots=True)
class SetDisplayMessage:
    """An operator's message on a station's screen; the same ``message_id`` replaces it."""

    message_id: int
    text: str
    priority: MessagePriority = MessagePriority.NORMAL_CYCLE
    state: MessageState | None = None  # shown only while the station is in this state
    language: str = "en"
    start: str | None = None  # ISO 8601: shown from
    end: str | None = None  # ISO 8601: removed at
    station_tx_id: str | None = None  # shown during this transaction only
    #: ``text`` is a link to show as a QR code (OCPP 2.1 format QRCODE; 2.0.1 has none and
    #: gets it as a URI).
    qr_code: bool = False


@dataclass(frozen=True, slots=True)
class GetDisplayMessages:
    request_id: int = 0
    message_ids: tuple[int, ...] = ()
    priority: MessagePriority | None = None
    state: MessageState | None = None


@dataclass(frozen=True, slots=True)
class ClearDisplayMessage:
    message_id: int


@dataclass(frozen=True, slots=True)
class CertificateHash:
    algorithm: str  # SHA256 | SHA384 | SHA512
    issuer_name_hash: str
    issuer_key_hash: str
    serial_number: str


@dataclass(frozen=True, slots=True)
class CustomerInformation:
    """Report and/or clear what a station keeps about one customer (GDPR requests)."""

    request_id: int
    report: bool = True
    clear: bool = False
    id_token: str | None = None
    customer_identifier: str | None = None
    certificate: CertificateHash | None = None


DeviceCommand = (
    SetMonitors
    | SetMonitoringBase
    | SetMonitoringLevel
    | ClearMonitors
    | GetMonitoringReport
    | SetDisplayMessage
    | GetDisplayMessages
    | ClearDisplayMessage
    | CustomerInformation
)

DEVICE_COMMANDS: Final = (
    SetMonitors,
    SetMonitoringBase,
    SetMonitoringLevel,
    ClearMonitors,
    GetMonitoringReport,
    SetDisplayMessage,
    GetDisplayMessages,
    ClearDisplayMessage,
    CustomerInformation,
)
