"""What Forecourt knows of a station's device model: its monitors, its display messages, the
monitor templates per station model, and the operator's display message presets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from forecourt.domain.commands import ConfigKey
from forecourt.domain.device import (
    MessagePriority,
    MessageState,
    MonitorKind,
    MonitorSpec,
    SetDisplayMessage,
)
from forecourt.domain.errors import InvalidInput


class MonitorSource(StrEnum):
    SET = "set"  # an operator set it
    TEMPLATE = "template"  # the station model's templates set it
    REPORT = "report"  # the station reported it (NotifyMonitoringReport)


#: A monitor the station took; any other status says why it refused it.
ACCEPTED = "accepted"


@dataclass(slots=True)
class StationMonitor:
    """One monitor as the station answered it: ``status`` accepted, or why it was refused."""

    station_id: str
    key: str  # Component.Variable
    kind: MonitorKind
    value: float
    severity: int
    status: str
    source: MonitorSource
    updated_at: datetime
    evse_id: int | None = None
    monitor_id: int | None = None  # the station's id (accepted monitors only)
    reason: str = ""
    id: int = 0

    @property
    def refused(self) -> bool:
        return self.status != ACCEPTED


@dataclass(slots=True)
class MonitorTemplate:
    """A monitor every station of ``model`` should have (applied after boot and on demand)."""

    model: str
    key: str
    kind: MonitorKind
    value: float
    severity: int = 8
    evse_id: int | None = None
    id: int = 0

    def spec(self) -> MonitorSpec:
        key = ConfigKey.parse(self.key)
        key = ConfigKey(key.variable, key.component, self.evse_id)
        return MonitorSpec(key=key, kind=self.kind, value=self.value, severity=self.severity)


class MessageStatus(StrEnum):
    ACCEPTED = "accepted"  # the station took it
    REFUSED = "refused"  # the station refused it (see ``reason``)
    REPORTED = "reported"  # the station listed it (NotifyDisplayMessages)


@dataclass(slots=True)
class StationMessage:
    """A display message on one station's screen, as Forecourt last knew it."""

    station_id: str
    message_id: int
    text: str
    priority: MessagePriority
    status: MessageStatus
    updated_at: datetime
    state: MessageState | None = None
    language: str = "en"
    start: str | None = None
    end: str | None = None
    station_tx_id: str | None = None
    reason: str = ""
    id: int = 0


class Preset(StrEnum):
    """The operator's ready-made messages."""

    MAINTENANCE = "maintenance"
    PRICE_CHANGE = "price_change"
    OTHER_PORT = "other_port"


#: Message ids of the presets: a preset replaces its previous message on the station.
PRESET_MESSAGE_IDS = {Preset.MAINTENANCE: 7001, Preset.PRICE_CHANGE: 7002, Preset.OTHER_PORT: 7003}


def preset_message(
    preset: Preset, detail: str = "", *, start: str | None = None, end: str | None = None
) -> SetDisplayMessage:
    """The preset's message; ``detail``: until when, the new price, or which port to use."""
    message_id = PRESET_MESSAGE_IDS[preset]
    match preset:
        case Preset.MAINTENANCE:
            text = "Out of service for maintenance" + (f" until {detail}" if detail else "")
            return SetDisplayMessage(
                message_id, text, MessagePriority.ALWAYS_FRONT, start=start, end=end
            )
        case Preset.PRICE_CHANGE:
            if not detail:
                raise InvalidInput("the price change preset needs the new price as its detail")
            text = f"New price from {start}: {detail}" if start else f"New price: {detail}"
            return SetDisplayMessage(message_id, text, MessagePriority.IN_FRONT, end=end)
        case Preset.OTHER_PORT:
            text = f"Please use {detail or 'the other port'}: this one is out of order"
            return SetDisplayMessage(
                message_id, text, MessagePriority.ALWAYS_FRONT, MessageState.IDLE, end=end
            )
