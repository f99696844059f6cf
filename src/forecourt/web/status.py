"""Connector status and plug types in plain words, for drivers and operators alike.

Honesty first: when the station is not connected, whatever it last reported may be stale,
so the connector shows "Offline — status unknown" rather than a hopeful "Available".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from forecourt.domain.connectors import ConnectorType, PowerType
from forecourt.domain.stations import (
    Connector,
    ConnectorStatus,
    Evse,
    RegistrationStatus,
    Station,
)


class Tone(StrEnum):
    """Colour family of a status badge (always paired with words, never colour alone)."""

    OK = "ok"
    BUSY = "busy"
    BAD = "bad"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class StatusWords:
    key: str  # stable, for CSS and tests: available, in_use, reserved, ...
    words: str
    tone: Tone


AVAILABLE = StatusWords("available", "Available", Tone.OK)
IN_USE = StatusWords("in_use", "In use", Tone.BUSY)
RESERVED = StatusWords("reserved", "Reserved", Tone.BUSY)
OUT_OF_ORDER = StatusWords("out_of_order", "Out of order", Tone.BAD)
OUT_OF_SERVICE = StatusWords("out_of_service", "Out of service", Tone.BAD)
OFFLINE = StatusWords("offline", "Offline — status unknown", Tone.UNKNOWN)
UNKNOWN = StatusWords("unknown", "Status unknown", Tone.UNKNOWN)

#: Every status a connector can show, in the order summaries list them.
ALL_STATUSES = (AVAILABLE, IN_USE, RESERVED, OUT_OF_ORDER, OUT_OF_SERVICE, OFFLINE, UNKNOWN)

_BY_STATUS = {
    ConnectorStatus.AVAILABLE: AVAILABLE,
    ConnectorStatus.OCCUPIED: IN_USE,
    ConnectorStatus.RESERVED: RESERVED,
    ConnectorStatus.FAULTED: OUT_OF_ORDER,
    ConnectorStatus.UNAVAILABLE: OUT_OF_SERVICE,
    ConnectorStatus.UNKNOWN: UNKNOWN,
}


def connector_status(station: Station, evse: Evse, connector: Connector) -> StatusWords:
    if not station.connected:
        return OFFLINE
    if station.registration is not RegistrationStatus.ACCEPTED:
        return OUT_OF_SERVICE  # not (yet) allowed to charge anyone
    if connector.status is ConnectorStatus.UNAVAILABLE and _port_busy(evse):
        # One EVSE charges one car: stations mark its other cables Unavailable meanwhile.
        return IN_USE
    return _BY_STATUS[connector.status]


def _port_busy(evse: Evse) -> bool:
    return any(c.status is ConnectorStatus.OCCUPIED for c in evse.connectors)


_PLUG_LABELS = {
    ConnectorType.NACS: "NACS (J3400)",
    ConnectorType.CCS1: "CCS1",
    ConnectorType.CCS2: "CCS2",
    ConnectorType.J1772: "J1772",
    ConnectorType.TYPE2: "Type 2",
    ConnectorType.CHADEMO: "CHAdeMO",
    ConnectorType.GBT_AC: "GB/T AC",
    ConnectorType.GBT_DC: "GB/T DC",
    ConnectorType.MCS: "MCS",
    ConnectorType.UNKNOWN: "Plug type not listed",
}


def plug_label(connector_type: ConnectorType, built_in: ConnectorType | None = None) -> str:
    """A plug in words; a dispenser-integrated adapter (Magic Dock) is named with it."""
    label = _PLUG_LABELS[connector_type]
    return f"{label} with a built-in {_PLUG_LABELS[built_in]} adapter" if built_in else label


def max_power_w(evse: Evse, connector: Connector) -> float | None:
    """What the cable can carry, capped by the EVSE's share of the cabinet."""
    rated = connector.rating.max_power_w if connector.rating else None
    if rated is None or evse.max_power_w is None:
        return rated if rated is not None else evse.max_power_w
    return min(rated, evse.max_power_w)


def current_kind(connector: Connector) -> str:
    """'DC' or 'AC', or '' when the rating is not known."""
    if connector.rating is None:
        return ""
    return "AC" if connector.rating.power_type is not PowerType.DC else "DC"
