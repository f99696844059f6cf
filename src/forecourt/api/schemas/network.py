"""Sites, stations, connectors: request and response models."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator

from forecourt.api.schemas.base import Input, Positive, ResourceId
from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType
from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.domain.stations import (
    Connector,
    ConnectorStatus,
    Evse,
    ProtocolVersion,
    RegistrationStatus,
    Site,
    Station,
)
from forecourt.ports.repositories import StatusHistoryEntry


# -- sites -----------------------------------------------------------------------------------
class SiteCreate(Input):
    id: ResourceId
    name: str = Field(min_length=1, max_length=200)
    address: str = Field("", max_length=500)
    timezone: str = Field("UTC", description="IANA time zone, e.g. `America/Chicago`.")
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from None
        return value

    def to_domain(self) -> Site:
        return Site(**self.model_dump())


class SiteOut(BaseModel):
    id: str
    name: str
    address: str
    timezone: str
    latitude: float | None
    longitude: float | None

    @classmethod
    def from_domain(cls, site: Site) -> SiteOut:
        return cls(
            id=site.id,
            name=site.name,
            address=site.address,
            timezone=site.timezone,
            latitude=site.latitude,
            longitude=site.longitude,
        )


# -- stations --------------------------------------------------------------------------------
class RatingOut(BaseModel):
    power_type: PowerType
    max_voltage_v: float
    max_current_a: float
    max_power_w: float
    cooled_cable: bool
    cable_length_m: float | None

    @classmethod
    def from_domain(cls, rating: ConnectorRating) -> RatingOut:
        return cls(
            power_type=rating.power_type,
            max_voltage_v=rating.max_voltage_v,
            max_current_a=rating.max_current_a,
            max_power_w=rating.max_power_w,
            cooled_cable=rating.cooled_cable,
            cable_length_m=rating.cable_length_m,
        )


class ConnectorOut(BaseModel):
    connector_id: int
    type: ConnectorType
    built_in_plug: ConnectorType | None = Field(
        None, description="The plug a dispenser-integrated adapter presents too (2.1 cNACS-CCS1)."
    )
    rating: RatingOut | None
    status: ConnectorStatus = Field(description="Live status; `unknown` while disconnected.")
    last_reported_status: ConnectorStatus = Field(description="What the station last said.")
    status_detail: str = Field(description="The station's own word, e.g. 1.6 `SuspendedEV`.")
    error_code: str
    status_at: datetime | None

    @classmethod
    def from_domain(cls, connector: Connector, *, connected: bool) -> ConnectorOut:
        # A disconnected station's last report is history, not live status.
        live = connector.status if connected else ConnectorStatus.UNKNOWN
        return cls(
            connector_id=connector.connector_id,
            type=connector.type,
            built_in_plug=connector.built_in_plug,
            rating=RatingOut.from_domain(connector.rating) if connector.rating else None,
            status=live,
            last_reported_status=connector.status,
            status_detail=connector.status_detail,
            error_code=connector.error_code,
            status_at=connector.status_at,
        )


class EvseOut(BaseModel):
    evse_id: int
    max_power_w: float | None = Field(description="Cabinet share of this EVSE, if limited.")
    connectors: list[ConnectorOut]

    @classmethod
    def from_domain(cls, evse: Evse, *, connected: bool) -> EvseOut:
        return cls(
            evse_id=evse.evse_id,
            max_power_w=evse.max_power_w,
            connectors=[ConnectorOut.from_domain(c, connected=connected) for c in evse.connectors],
        )


class StationSummary(BaseModel):
    id: str
    site_id: str | None
    registration: RegistrationStatus
    connected: bool = Field(description="Whether the station holds a live OCPP connection.")
    protocol: ProtocolVersion | None
    vendor: str
    model: str
    serial_number: str
    firmware_version: str
    has_password: bool
    last_seen_at: datetime | None
    booted_at: datetime | None
    clock_drift_s: float | None = Field(description="Station clock minus ours, in seconds.")

    @classmethod
    def from_domain(cls, station: Station, *, connected: bool) -> StationSummary:
        return cls(**_station_fields(station, connected))


class StationOut(StationSummary):
    evses: list[EvseOut]

    @classmethod
    def from_domain(cls, station: Station, *, connected: bool) -> StationOut:
        evses = [EvseOut.from_domain(e, connected=connected) for e in station.evses]
        return cls(**_station_fields(station, connected), evses=evses)


def _station_fields(station: Station, connected: bool) -> dict[str, Any]:
    return {
        "id": station.id,
        "site_id": station.site_id,
        "registration": station.registration,
        "connected": connected,
        "protocol": station.protocol,
        "vendor": station.vendor,
        "model": station.model,
        "serial_number": station.serial_number,
        "firmware_version": station.firmware_version,
        "has_password": station.password_hash is not None,
        "last_seen_at": station.last_seen_at,
        "booted_at": station.booted_at,
        "clock_drift_s": station.clock_drift_s,
    }


class SiteDetail(SiteOut):
    stations: list[StationSummary]


class StationCreate(Input):
    id: str = Field(
        min_length=1,
        max_length=48,
        description="The OCPP identity in `/ocpp/{station_id}`: 1-48 of A-Z a-z 0-9 * - _ = + | "
        "@ . and unique ignoring letter case (422 / 409 otherwise).",
    )
    password: str | None = Field(
        None, min_length=1, max_length=64, description="Basic auth password (profile 1/2)."
    )
    site_id: str | None = None


class StationUpdate(Input):
    site_id: str | None = Field(None, min_length=1, description="Move the station to this site.")
    password: str | None = Field(None, min_length=1, max_length=64)
    registration: RegistrationStatus | None = Field(
        None, description="`accepted` approves a pending station, `rejected` refuses it."
    )


class StatusHistoryOut(BaseModel):
    id: int
    evse_id: int
    connector_id: int
    status: ConnectorStatus
    detail: str
    error_code: str
    info: str
    timestamp: datetime = Field(description="When the station says the status changed.")
    received_at: datetime

    @classmethod
    def from_domain(cls, entry: StatusHistoryEntry) -> StatusHistoryOut:
        report = entry.report
        return cls(
            id=entry.id,
            evse_id=report.evse_id,
            connector_id=report.connector_id,
            status=report.status,
            detail=report.detail,
            error_code=report.error_code,
            info=report.info,
            timestamp=report.timestamp,
            received_at=entry.received_at,
        )


class StationEventOut(BaseModel):
    id: int
    station_id: str
    kind: StationEventKind
    at: datetime
    data: dict[str, Any]

    @classmethod
    def from_domain(cls, event: StationEvent) -> StationEventOut:
        return cls(
            id=event.id, station_id=event.station_id, kind=event.kind, at=event.at, data=event.data
        )


# -- connectors ------------------------------------------------------------------------------
class ConnectorPut(Input):
    """A connector's plug type and rating; omitted rating fields come from the type's default."""

    type: ConnectorType
    built_in_plug: ConnectorType | None = Field(
        None, description="A built-in adapter's plug (e.g. `ccs1` on a `nacs` Magic Dock cable)."
    )
    power_type: PowerType | None = None
    max_voltage_v: Positive | None = None
    max_current_a: Positive | None = None
    max_power_w: Positive | None = None
    cooled_cable: bool | None = None
    cable_length_m: Positive | None = None


class EvsePowerPut(Input):
    max_power_w: Positive | None = Field(
        description="Power this EVSE may draw from a shared cabinet; null removes the limit."
    )
