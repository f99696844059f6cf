"""Sites, stations, EVSEs and connectors: the physical network, in Forecourt's own words."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from forecourt.domain.connectors import ConnectorRating, ConnectorType
from forecourt.domain.errors import InvalidInput

#: A station id is its OCPP identity: the last segment of the connection URL and the Basic
#: auth username (1.6 security whitepaper / 2.0.1 A00.FR.204). OCPP 2.0.1 makes it an
#: identifierString of at most 48 characters: A-Z a-z 0-9 * - _ = : + | @ . (Part 2 §2.1).
#: ':' is left out because it separates username and password in Basic auth (RFC 7617).
#: Ids match exactly (case-sensitive) but must be unique ignoring case: identifierString is
#: case-insensitive, so two ids differing only in case cannot both exist.
MAX_STATION_ID_LENGTH = 48
STATION_ID_CHARACTERS = frozenset(string.ascii_letters + string.digits + "*-_=+|@.")
STATION_ID_RULE = (
    f"a station id must be 1-{MAX_STATION_ID_LENGTH} characters of A-Z a-z 0-9 * - _ = + | @ ."
)


def station_id_problem(station_id: str) -> str | None:
    """Why ``station_id`` is not a valid OCPP identity, or None when it is."""
    if not station_id or len(station_id) > MAX_STATION_ID_LENGTH:
        return f"{STATION_ID_RULE} (got {len(station_id)} characters)"
    bad = next((c for c in station_id if c not in STATION_ID_CHARACTERS), None)
    return None if bad is None else f"{STATION_ID_RULE} (got {bad!r})"


def check_station_id(station_id: str) -> str:
    """``station_id`` when valid; raises InvalidInput (with the rule) otherwise."""
    problem = station_id_problem(station_id)
    if problem is not None:
        raise InvalidInput(problem)
    return station_id


class RegistrationStatus(StrEnum):
    """Whether the CSMS accepts a station (answer to its boot)."""

    ACCEPTED = "accepted"
    PENDING = "pending"  # known or self-registered, waiting for operator approval
    REJECTED = "rejected"


class RegistrationPolicy(StrEnum):
    """What happens when an unknown station id connects."""

    STRICT = "strict"  # refuse unknown stations at the websocket handshake
    PENDING = "pending"  # admit them in Pending state for an operator to approve
    AUTO = "auto"  # accept them (demo and lab use)


class ConnectorStatus(StrEnum):
    """Neutral connector status; per-version detail (1.6 Preparing, Charging...) is kept apart."""

    AVAILABLE = "available"
    OCCUPIED = "occupied"
    RESERVED = "reserved"
    UNAVAILABLE = "unavailable"
    FAULTED = "faulted"
    UNKNOWN = "unknown"  # never reported, or the station is offline


class ProtocolVersion(StrEnum):
    """OCPP versions, as data only; the domain never speaks them."""

    V16 = "1.6"
    V201 = "2.0.1"
    V21 = "2.1"


@dataclass(slots=True)
class Site:
    id: str
    name: str
    address: str = ""
    timezone: str = "UTC"
    latitude: float | None = None
    longitude: float | None = None


@dataclass(slots=True)
class Connector:
    """One plug at the end of one cable. ``connector_id`` is 1-based within its EVSE."""

    station_id: str
    evse_id: int
    connector_id: int
    type: ConnectorType = ConnectorType.UNKNOWN
    rating: ConnectorRating | None = None
    status: ConnectorStatus = ConnectorStatus.UNKNOWN
    status_detail: str = ""  # the station's own word, e.g. 1.6 "SuspendedEV"
    error_code: str = ""
    status_at: datetime | None = None
    #: The plug a dispenser-integrated adapter presents besides ``type`` (OCPP 2.1
    #: ``cNACS-CCS1``: a NACS cable whose built-in adapter also presents CCS1); None: no adapter.
    built_in_plug: ConnectorType | None = None


@dataclass(slots=True)
class Evse:
    """One dispensing point that can charge one vehicle at a time."""

    station_id: str
    evse_id: int
    connectors: list[Connector] = field(default_factory=list)
    max_power_w: float | None = None  # cabinet share; may be below the sum of connector ratings

    def connector(self, connector_id: int) -> Connector | None:
        return next((c for c in self.connectors if c.connector_id == connector_id), None)


@dataclass(slots=True)
class Station:
    id: str
    site_id: str | None = None
    registration: RegistrationStatus = RegistrationStatus.ACCEPTED
    password_hash: str | None = None
    # The password before a rotation: valid until the station reconnects with the new one.
    previous_password_hash: str | None = None
    vendor: str = ""
    model: str = ""
    serial_number: str = ""
    firmware_version: str = ""
    protocol: ProtocolVersion | None = None
    connected: bool = False
    last_seen_at: datetime | None = None
    booted_at: datetime | None = None
    clock_drift_s: float | None = None
    evses: list[Evse] = field(default_factory=list)

    def evse(self, evse_id: int) -> Evse | None:
        return next((e for e in self.evses if e.evse_id == evse_id), None)


@dataclass(frozen=True, slots=True)
class StatusReport:
    """A status change as the station reported it, already mapped to neutral terms.

    ``evse_id`` 0 means the whole station (1.6 connectorId 0). ``whole_evse``: the station
    reports per EVSE, not per cable (a 1.6 connectorId is an EVSE, and a dispenser side with
    NACS and CCS1 cables is one 1.6 connector), so every cable of the EVSE takes the status.
    """

    evse_id: int
    connector_id: int
    status: ConnectorStatus
    timestamp: datetime
    detail: str = ""
    error_code: str = ""
    info: str = ""
    whole_evse: bool = False
    vendor_id: str = ""  # 1.6: the scheme error_code belongs to (e.g. ChargeX's)


@dataclass(frozen=True, slots=True)
class BootInfo:
    vendor: str
    model: str
    serial_number: str = ""
    firmware_version: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class BootDecision:
    status: RegistrationStatus
    interval_s: int
    current_time: datetime
