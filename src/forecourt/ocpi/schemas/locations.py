"""mod_locations objects: Location, EVSE, Connector (2.2.1 and 2.3.0)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from forecourt.ocpi.domain.locations import Capability, EvseStatus
from forecourt.ocpi.schemas.common import OcpiModel

PowerTypeName = Literal["AC_1_PHASE", "AC_2_PHASE", "AC_2_PHASE_SPLIT", "AC_3_PHASE", "DC"]


class GeoLocation(OcpiModel):
    latitude: str = Field(pattern=r"^-?[0-9]{1,2}\.[0-9]{5,7}$")
    longitude: str = Field(pattern=r"^-?[0-9]{1,3}\.[0-9]{5,7}$")


class Connector(OcpiModel):
    id: str = Field(max_length=36)
    standard: str
    format: Literal["SOCKET", "CABLE"]
    power_type: PowerTypeName
    max_voltage: int
    max_amperage: int
    max_electric_power: int | None = None
    tariff_ids: list[str] | None = None
    last_updated: str


VehicleType = Literal[
    "MOTORCYCLE",
    "PERSONAL_VEHICLE",
    "PERSONAL_VEHICLE_WITH_TRAILER",
    "VAN",
    "SEMI_TRACTOR",
    "RIGID",
    "TRUCK_WITH_TRAILER",
    "BUS",
    "DISABLED",
]


class Parking(OcpiModel):
    """2.3.0 mod_locations Parking: one parking place (stall). Sizes in centimetres."""

    id: str = Field(max_length=36)
    physical_reference: str | None = Field(None, max_length=12)
    vehicle_types: list[VehicleType] = Field(min_length=1)
    parking_space_length: float | None = Field(None, ge=0)
    parking_space_width: float | None = Field(None, ge=0)
    drive_through: bool | None = None
    restricted_to_type: bool
    reservation_required: bool
    roofed: bool | None = None
    lighting: bool | None = None


class EvseParking(OcpiModel):
    """2.3.0 EVSEParking: a parking place the EVSE serves, and which side of it it stands."""

    parking_id: str = Field(max_length=36)
    evse_position: Literal["LEFT", "RIGHT", "CENTER"] | None = None


class Evse(OcpiModel):
    uid: str = Field(max_length=36)
    evse_id: str | None = Field(None, max_length=48)
    status: EvseStatus
    capabilities: list[Capability] | None = None
    connectors: list[Connector] = Field(min_length=1)
    physical_reference: str | None = Field(None, max_length=16)
    parking_restrictions: list[str] | None = None
    parking: list[EvseParking] | None = None  # 2.3.0
    last_updated: str


class RegularHours(OcpiModel):
    weekday: int = Field(ge=1, le=7)
    period_begin: str = Field(pattern=r"^([0-1][0-9]|2[0-3]):[0-5][0-9]$")
    period_end: str = Field(pattern=r"^([0-1][0-9]|2[0-3]):[0-5][0-9]$")


class OpeningTimes(OcpiModel):
    twentyfourseven: bool
    regular_hours: list[RegularHours] | None = None


class Image(OcpiModel):
    url: str
    category: Literal["CHARGER", "ENTRANCE", "LOCATION", "NETWORK", "OPERATOR", "OTHER", "OWNER"]
    type: str = Field(max_length=4)


class Location(OcpiModel):
    country_code: str = Field(pattern=r"^[A-Z]{2}$")
    party_id: str = Field(pattern=r"^[A-Z0-9]{3}$")
    id: str = Field(max_length=36)
    publish: bool
    name: str | None = Field(None, max_length=255)
    address: str = Field(max_length=45)
    city: str = Field(max_length=45)
    postal_code: str | None = Field(None, max_length=10)
    country: str = Field(pattern=r"^[A-Z]{3}$")
    coordinates: GeoLocation
    evses: list[Evse] | None = None
    facilities: list[str] | None = None
    time_zone: str = Field(max_length=255)
    opening_times: OpeningTimes | None = None
    parking_type: str | None = None  # 2.2.1
    parking_places: list[Parking] | None = None  # 2.3.0
    images: list[Image] | None = None
    last_updated: str
