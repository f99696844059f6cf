"""What happened: facts published after a change is committed, for read models and detectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from forecourt.domain.stations import Station


class StationEventKind(StrEnum):
    """Station-originated records kept for operators (and reconciliation)."""

    SECURITY = "security"
    FIRMWARE_STATUS = "firmware_status"
    DIAGNOSTICS_STATUS = "diagnostics_status"
    LOG_STATUS = "log_status"
    PUBLISH_STATUS = "publish_status"  # 2.0.1 PublishFirmwareStatusNotification
    NOTIFY_EVENT = "notify_event"
    NOTIFY_REPORT = "notify_report"
    DATA_TRANSFER = "data_transfer"
    ORPHAN_STOP = "orphan_stop"  # stop for a transaction we never saw: reconcile by hand
    REGISTER_RESET = "register_reset"
    METER_ANOMALY = "meter_anomaly"  # implausible readings kept out of energy and money
    CLOCK_DRIFT = "clock_drift"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    BOOT = "boot"
    TRANSACTION_RECONCILED = "transaction_reconciled"  # closed by Forecourt, not the station
    RETROFIT = "retrofit"  # a connector added or converted in place (old -> new in data)
    CUSTOMER_INFORMATION = "customer_information"  # NotifyCustomerInformation parts (2.0.1)
    CHARGING_PROFILES = "charging_profiles"  # 2.0.1 ReportChargingProfiles: what is installed
    CHARGING_LIMIT = "charging_limit"  # 2.0.1 NotifyChargingLimit: an external limit
    CHARGING_LIMIT_CLEARED = "charging_limit_cleared"  # 2.0.1 ClearedChargingLimit: it ended
    EV_CHARGING_NEEDS = "ev_charging_needs"  # 2.0.1 NotifyEVChargingNeeds (ISO 15118)
    EV_CHARGING_SCHEDULE = "ev_charging_schedule"  # 2.0.1 NotifyEVChargingSchedule


@dataclass(frozen=True, slots=True)
class StationEvent:
    station_id: str
    kind: StationEventKind
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    id: int = 0


#: Progress reports superseded by the next one (every MeterValues makes one; every heartbeat
#: one liveness sign): delivered after commit like every event but never stored in the outbox,
#: so the hot path writes no extra row; a crash loses at most the last, and the transaction or
#: station row holds the same facts (ADR 0012).
LATEST_WINS_TOPICS = frozenset({"transaction.updated", "link.heartbeat"})


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """A change other parts of the system may react to (dashboard, detectors, payments).

    ``topic`` is dotted, e.g. ``transaction.ended``; ``data`` is JSON-ready.
    """

    topic: str
    station_id: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    #: The station as just read or written by the publisher, when it had it at hand:
    #: subscribers use it instead of reading the station again (a churning fleet pays each
    #: read on every connect). Never serialized; subscribers must not change it.
    station: Station | None = field(default=None, compare=False, repr=False)
    #: Unique per event stored in the outbox (durable consumers skip an id they already
    #: handled, ADR 0012); "" for events never stored (published directly, or latest-wins).
    id: str = field(default="", compare=False)
