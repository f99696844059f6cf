"""Site amenities and stall data over the REST API (``/api/sites/{site_id}/amenities``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from forecourt.api.deps import Context, Operator, Viewer
from forecourt.api.problems import problem_responses
from forecourt.api.schemas.base import ResourceId
from forecourt.ocpi.domain.amenities import Amenities, Hours, ParkingRestriction, ParkingType
from forecourt.ocpi.keys import OCPI

router = APIRouter(tags=["roaming"], responses=problem_responses(401, 403, 404, 422))

HoursText = Annotated[str, Field(examples=["1 06:00-22:00"], max_length=20)]


class AmenitiesBody(BaseModel):
    """What the forecourt offers; ``hours`` as ``"WEEKDAY HH:MM-HH:MM"`` (1 = Monday)."""

    model_config = ConfigDict(extra="forbid")

    canopy: bool = False
    restrooms: bool = False
    food: bool = False
    shop: bool = False
    windshield_service: bool = False
    attendant_on_duty: bool = False
    lighting: bool = False
    open_24_7: bool = False
    hours: list[HoursText] = Field(default_factory=list, max_length=50)
    accessible_stalls: int = Field(0, ge=0, le=1000)
    pull_through_bays: int = Field(0, ge=0, le=1000)
    parking_type: ParkingType | None = None
    parking_restrictions: list[ParkingRestriction] = Field(default_factory=list, max_length=5)
    images: list[Annotated[str, Field(max_length=255)]] = Field(default_factory=list, max_length=10)

    def to_domain(self) -> Amenities:
        return Amenities(
            **self.model_dump(exclude={"hours", "parking_restrictions", "images"}),
            hours=tuple(Hours.parse(h) for h in self.hours),
            parking_restrictions=tuple(self.parking_restrictions),
            images=tuple(self.images),
        )

    @classmethod
    def of(cls, amenities: Amenities) -> AmenitiesBody:
        data = amenities.to_dict()
        data["hours"] = [f"{h.weekday} {h.begin}-{h.end}" for h in amenities.hours]
        return cls.model_validate(data)


@router.get("/sites/{site_id}/amenities", summary="A site's amenities and stall data")
async def get_amenities(site_id: ResourceId, context: Context, _: Viewer) -> AmenitiesBody:
    locations = context.services.feature(OCPI).locations
    return AmenitiesBody.of(await locations.amenities(site_id))


@router.put("/sites/{site_id}/amenities", summary="Set a site's amenities (published via OCPI)")
async def put_amenities(
    site_id: ResourceId, body: AmenitiesBody, context: Context, _: Operator
) -> AmenitiesBody:
    locations = context.services.feature(OCPI).locations
    return AmenitiesBody.of(await locations.set_amenities(site_id, body.to_domain()))
