"""What a forecourt offers around the plugs: stored per site, shown to drivers, published
as OCPI ``facilities``, ``opening_times`` and ``parking_type`` (mod_locations)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from forecourt.domain.errors import InvalidInput

_HOURS = re.compile(
    r"^([1-7])\s+([0-1][0-9]|2[0-3]):([0-5][0-9])-([0-1][0-9]|2[0-3]):([0-5][0-9])$"
)


class ParkingType(StrEnum):
    """mod_locations ParkingType (2.2.1)."""

    ALONG_MOTORWAY = "ALONG_MOTORWAY"
    PARKING_GARAGE = "PARKING_GARAGE"
    PARKING_LOT = "PARKING_LOT"
    ON_DRIVEWAY = "ON_DRIVEWAY"
    ON_STREET = "ON_STREET"
    UNDERGROUND_GARAGE = "UNDERGROUND_GARAGE"


class ParkingRestriction(StrEnum):
    """mod_locations ParkingRestriction (per EVSE)."""

    EV_ONLY = "EV_ONLY"
    PLUGGED = "PLUGGED"
    DISABLED = "DISABLED"
    CUSTOMERS = "CUSTOMERS"
    MOTORCYCLES = "MOTORCYCLES"


@dataclass(frozen=True, slots=True)
class Hours:
    weekday: int  # 1 Monday .. 7 Sunday (OCPI RegularHours)
    begin: str  # HH:MM local
    end: str

    @classmethod
    def parse(cls, text: str) -> Hours:
        """``"1 06:00-22:00"``: weekday number, then the period."""
        match = _HOURS.match(text.strip())
        if match is None:
            raise InvalidInput(f"{text!r} is not 'WEEKDAY HH:MM-HH:MM' (weekday 1-7)")
        day, h1, m1, h2, m2 = match.groups()
        return cls(int(day), f"{h1}:{m1}", f"{h2}:{m2}")


@dataclass(frozen=True, slots=True)
class Amenities:
    canopy: bool = False
    restrooms: bool = False
    food: bool = False
    shop: bool = False
    windshield_service: bool = False
    attendant_on_duty: bool = False
    lighting: bool = False
    open_24_7: bool = False
    hours: tuple[Hours, ...] = ()
    accessible_stalls: int = 0
    pull_through_bays: int = 0
    parking_type: ParkingType | None = None
    parking_restrictions: tuple[ParkingRestriction, ...] = ()
    images: tuple[str, ...] = field(default=())

    def validate(self) -> Amenities:
        if self.accessible_stalls < 0 or self.pull_through_bays < 0:
            raise InvalidInput("stall counts cannot be negative")
        if self.open_24_7 and self.hours:
            raise InvalidInput("open 24/7 or opening hours, not both")
        if any(not url.startswith(("https://", "http://")) for url in self.images):
            raise InvalidInput("images are http(s) URLs")
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Amenities:
        parking = data.get("parking_type")
        return cls(
            **{k: data[k] for k in _FLAGS + _COUNTS if k in data},
            hours=tuple(Hours(**h) for h in data.get("hours", ())),
            parking_type=ParkingType(parking) if parking else None,
            parking_restrictions=tuple(
                ParkingRestriction(r) for r in data.get("parking_restrictions", ())
            ),
            images=tuple(data.get("images", ())),
        )

    @property
    def facilities(self) -> tuple[str, ...]:
        """OCPI Facility values we can honestly claim: food as RESTAURANT, a shop as
        SUPERMARKET (the nearest value; OCPI has none for restrooms, canopy, windshield
        service or an attendant, which only our own pages show)."""
        found = []
        if self.food:
            found.append("RESTAURANT")
        if self.shop:
            found.append("SUPERMARKET")
        return tuple(found)


_FLAGS = (
    "canopy",
    "restrooms",
    "food",
    "shop",
    "windshield_service",
    "attendant_on_duty",
    "lighting",
    "open_24_7",
)
_COUNTS = ("accessible_stalls", "pull_through_bays")
