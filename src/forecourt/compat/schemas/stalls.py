"""Stalls and stall fit as the API returns them and ``--json`` prints them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from forecourt.compat.domain import Vehicle
from forecourt.compat.domain.stalls import PostPosition, Stall, StallFit, StallLayout


class StallOut(BaseModel):
    site_id: str
    stall_id: str
    station_id: str
    evse_id: int
    layout: StallLayout
    post: PostPosition = Field(description="Where the cable leaves the post, seen from the head.")
    cable_reach_m: float
    accessible: bool
    width_m: float = Field(description="As given, else the standard or accessible default.")
    note: str
    summary: str

    @classmethod
    def from_domain(cls, stall: Stall) -> StallOut:
        return cls(
            site_id=stall.site_id,
            stall_id=stall.stall_id,
            station_id=stall.station_id,
            evse_id=stall.evse_id,
            layout=stall.layout,
            post=stall.post,
            cable_reach_m=stall.cable_reach_m,
            accessible=stall.accessible,
            width_m=stall.width,
            note=stall.note,
            summary=stall.describe(),
        )


class StallFitOut(BaseModel):
    stall: StallOut
    fits: bool | None = Field(description="null: the car's inlet position is not known.")
    needed_m: float | None = Field(description="Cable the car needs in this stall, metres.")
    reason: str

    @classmethod
    def from_domain(cls, fit: StallFit) -> StallFitOut:
        return cls(
            stall=StallOut.from_domain(fit.stall),
            fits=fit.fits,
            needed_m=fit.needed_m,
            reason=fit.reason,
        )


class StallFitsOut(BaseModel):
    site_id: str
    vehicle_id: str
    vehicle: str
    inlet: str | None = Field(description="Where the car's inlet is, e.g. `rear right`.")
    stalls: list[StallFitOut] = Field(description="Stalls whose cable reaches first.")

    @classmethod
    def from_domain(cls, site_id: str, vehicle: Vehicle, fits: list[StallFit]) -> StallFitsOut:
        inlet = vehicle.inlet_position
        return cls(
            site_id=site_id,
            vehicle_id=vehicle.id,
            vehicle=vehicle.name,
            inlet=inlet.describe() if inlet else None,
            stalls=[StallFitOut.from_domain(fit) for fit in fits],
        )
