"""Neutral views of what we publish as OCPI Locations: a site, its EVSEs and connectors.

The OCPI objects themselves (and the version differences) live in ``ocpi.schemas``; this is
what the services compute from the core's model, free of any version's vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from forecourt.domain.connectors import ConnectorRating, ConnectorType
from forecourt.domain.stations import Site
from forecourt.ocpi.domain.amenities import Amenities


class EvseStatus(StrEnum):
    """mod_locations Status enum (identical in 2.2.1 and 2.3.0)."""

    AVAILABLE = "AVAILABLE"
    BLOCKED = "BLOCKED"
    CHARGING = "CHARGING"
    INOPERATIVE = "INOPERATIVE"
    OUTOFORDER = "OUTOFORDER"
    PLANNED = "PLANNED"
    REMOVED = "REMOVED"
    RESERVED = "RESERVED"
    UNKNOWN = "UNKNOWN"


class Capability(StrEnum):
    """mod_locations Capability enum (the values we can derive)."""

    CHARGING_PROFILE_CAPABLE = "CHARGING_PROFILE_CAPABLE"
    CONTACTLESS_CARD_SUPPORT = "CONTACTLESS_CARD_SUPPORT"
    CREDIT_CARD_PAYABLE = "CREDIT_CARD_PAYABLE"
    ISO_15118_2_PLUG_AND_CHARGE = "ISO_15118_2_PLUG_AND_CHARGE"
    REMOTE_START_STOP_CAPABLE = "REMOTE_START_STOP_CAPABLE"
    RESERVABLE = "RESERVABLE"
    RFID_READER = "RFID_READER"
    UNLOCK_CAPABLE = "UNLOCK_CAPABLE"


#: The honest driver status words (``web.status.StatusWords.key``) as OCPI EVSE statuses:
#: an offline station's last report may be stale, so it is UNKNOWN, never AVAILABLE.
_BY_WORDS = {
    "available": EvseStatus.AVAILABLE,
    "in_use": EvseStatus.CHARGING,
    "reserved": EvseStatus.RESERVED,
    "out_of_order": EvseStatus.OUTOFORDER,
    "out_of_service": EvseStatus.INOPERATIVE,
    "offline": EvseStatus.UNKNOWN,
    "unknown": EvseStatus.UNKNOWN,
}

#: Which connector status wins for the whole EVSE (one car per EVSE).
_PRECEDENCE = (
    EvseStatus.CHARGING,
    EvseStatus.RESERVED,
    EvseStatus.AVAILABLE,
    EvseStatus.OUTOFORDER,
    EvseStatus.INOPERATIVE,
)


def evse_status(connector_words: Iterable[str], broken: bool) -> EvseStatus:
    """One EVSE's OCPI status from its connectors' honest words; ``broken``: an active fault
    on the port (reliability's board): then it is OUTOFORDER whatever the station says."""
    statuses = {_BY_WORDS.get(words, EvseStatus.UNKNOWN) for words in connector_words}
    status = next((s for s in _PRECEDENCE if s in statuses), EvseStatus.UNKNOWN)
    if broken and status in (EvseStatus.AVAILABLE, EvseStatus.UNKNOWN):
        return EvseStatus.OUTOFORDER  # a session in progress still shows CHARGING
    return status


@dataclass(frozen=True, slots=True)
class ConnectorView:
    id: str
    type: ConnectorType
    rating: ConnectorRating | None
    last_updated: datetime
    tariff_ids: tuple[str, ...] = ()  # the tariff our assignments apply here


@dataclass(frozen=True, slots=True)
class EvseView:
    uid: str  # unique within the CPO: STATION*EVSE
    evse_id: str  # eMI3 EVSE id, e.g. US*FCT*ESTATION1*1
    station_id: str
    evse_number: int
    status: EvseStatus
    capabilities: tuple[Capability, ...]
    connectors: tuple[ConnectorView, ...]
    last_updated: datetime


@dataclass(frozen=True, slots=True)
class ParkingPlace:
    """One stall at the location (2.3.0 ``Parking``), and the EVSE whose cable serves it."""

    id: str
    evse_uid: str
    pull_through: bool
    accessible: bool
    width_m: float
    evse_position: str  # LEFT, RIGHT or CENTER, seen from the stall


@dataclass(frozen=True, slots=True)
class LocationView:
    site: Site
    evses: tuple[EvseView, ...]
    last_updated: datetime
    amenities: Amenities = field(default_factory=Amenities)
    parking: tuple[ParkingPlace, ...] = ()


def evse_uid(station_id: str, evse_number: int) -> str:
    return f"{station_id}*{evse_number}"


def parse_evse_uid(uid: str) -> tuple[str, int] | None:
    station_id, _, number = uid.rpartition("*")
    return (station_id, int(number)) if station_id and number.isdigit() else None
