"""The answers of the compatibility API: estimates and site recommendations.

Powers are in W and times in seconds, like the rest of the API; ``summary`` and
``explanation`` say the same in words for drivers.  ``forecourt compat ... --json`` prints
the same shapes, so a script can switch between the two.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from forecourt.api.schemas.network import RatingOut
from forecourt.compat.domain import ConnectorOffer, Estimate, Notice, Option
from forecourt.compat.services.compatibility import ChargeAnswer, RankedConnector, SiteAdvice
from forecourt.domain.connectors import ConnectorType
from forecourt.domain.stations import ConnectorStatus


class NoticeOut(BaseModel):
    code: str = Field(description="Stable, for programs (e.g. `adapter_not_oem_approved`).")
    message: str = Field(description="For people.")

    @classmethod
    def from_domain(cls, notice: Notice) -> NoticeOut:
        return cls(code=notice.code, message=notice.message)


def notices(items: tuple[Notice, ...] | list[Notice]) -> list[NoticeOut]:
    return [NoticeOut.from_domain(item) for item in items]


class AdapterRef(BaseModel):
    id: str
    name: str
    oem_approved: bool
    built_in: bool


class OptionOut(BaseModel):
    """One way to charge: AC or DC, at most one adapter, why it works or does not."""

    path: str | None = Field(description="`ac` or `dc`.")
    adapter: AdapterRef | None
    works: bool
    peak_power_w: float
    warnings: list[NoticeOut]
    reason: NoticeOut | None

    @classmethod
    def from_domain(cls, option: Option) -> OptionOut:
        adapter = option.adapter
        return cls(
            path=option.path.value if option.path else None,
            adapter=None
            if adapter is None
            else AdapterRef(
                id=adapter.id,
                name=adapter.name,
                oem_approved=adapter.oem_approved,
                built_in=adapter.built_in,
            ),
            works=option.works,
            peak_power_w=option.peak_power_w,
            warnings=notices(option.warnings),
            reason=NoticeOut.from_domain(option.reason) if option.reason else None,
        )


class BandOut(BaseModel):
    soc_from: float
    soc_to: float
    constraint: str = Field(description="What binds, e.g. `vehicle_curve`, `evse_current`.")
    detail: str
    text: str


class EstimateSummaryOut(BaseModel):
    soc_from: float
    soc_to: float
    reached_soc: float = Field(description="Below `soc_to` when charging stops early.")
    complete: bool
    duration_s: float
    duration_min: float
    energy_to_battery_kwh: float
    energy_from_grid_kwh: float = Field(description="What the meter bills.")
    peak_power_w: float
    average_power_w: float
    explanation: str = Field(description="Which limit binds over which SoC range.")
    bands: list[BandOut]
    warnings: list[NoticeOut]
    reason: NoticeOut | None

    @classmethod
    def fields_of(cls, estimate: Estimate) -> dict[str, Any]:
        return {
            "soc_from": estimate.soc_from,
            "soc_to": estimate.soc_to,
            "reached_soc": estimate.reached_soc,
            "complete": estimate.complete,
            "duration_s": round(estimate.duration_s, 1),
            "duration_min": round(estimate.duration_s / 60, 1),
            "energy_to_battery_kwh": round(estimate.energy_to_battery_kwh, 2),
            "energy_from_grid_kwh": round(estimate.energy_from_grid_kwh, 2),
            "peak_power_w": round(estimate.peak_power_w),
            "average_power_w": round(estimate.average_power_w),
            "explanation": estimate.explain(),
            "bands": [
                BandOut(
                    soc_from=b.soc_from,
                    soc_to=b.soc_to,
                    constraint=b.constraint.value,
                    detail=b.detail,
                    text=b.describe(),
                )
                for b in estimate.bands
            ],
            "warnings": notices(estimate.warnings),
            "reason": NoticeOut.from_domain(estimate.reason) if estimate.reason else None,
        }


class EstimateOut(EstimateSummaryOut):
    curve: list[tuple[float, float]] = Field(description="[SoC %, W at the connector] points.")

    @classmethod
    def from_domain(cls, estimate: Estimate) -> EstimateOut:
        curve = [(round(soc, 2), round(watts)) for soc, watts in estimate.curve]
        return cls(**cls.fields_of(estimate), curve=curve)


class OfferOut(BaseModel):
    """The connector as estimated: nameplate and what it can give right now."""

    reference: str | None = Field(description="`STATION/EVSE/CONNECTOR`; null if hypothetical.")
    type: ConnectorType
    rating: RatingOut
    status: ConnectorStatus
    status_reason: str
    available_power_w: float | None = Field(description="Shared EVSE power left now.")
    derated_power_w: float | None
    derate_reason: str
    built_in_adapter_id: str | None = Field(
        None, description="The dispenser's own adapter (e.g. a Magic Dock), if it has one."
    )

    @classmethod
    def from_domain(cls, offer: ConnectorOffer, reference: str | None) -> OfferOut:
        return cls(
            reference=reference,
            type=offer.connector_type,
            rating=RatingOut.from_domain(offer.rating),
            status=offer.status,
            status_reason=offer.status_reason,
            available_power_w=offer.available_power_w,
            derated_power_w=offer.derated_power_w,
            derate_reason=offer.derate_reason,
            built_in_adapter_id=offer.built_in_adapter_id,
        )


class VehicleBrief(BaseModel):
    id: str
    name: str


class ChargeAnswerOut(BaseModel):
    vehicle: VehicleBrief
    connector: OfferOut
    works: bool
    summary: str = Field(description="The answer in one or two sentences.")
    option: OptionOut = Field(description="The chosen way, or the first failing one.")
    estimate: EstimateOut | None
    options: list[OptionOut] = Field(description="Every way considered, working first.")
    notes: list[NoticeOut] = Field(description="Live state: status, derate, shared power.")
    svg: str | None = None

    @classmethod
    def from_domain(
        cls, answer: ChargeAnswer, reference: str | None, svg: str | None = None
    ) -> ChargeAnswerOut:
        result = answer.estimate
        return cls(
            vehicle=VehicleBrief(id=answer.vehicle.id, name=answer.vehicle.name),
            connector=OfferOut.from_domain(answer.connector, reference),
            works=answer.works,
            summary=answer.summary(),
            option=OptionOut.from_domain(answer.option),
            estimate=EstimateOut.from_domain(result) if result else None,
            options=[OptionOut.from_domain(option) for option in answer.options],
            notes=notices(answer.notes),
            svg=svg,
        )


class RankedOut(BaseModel):
    rank: int
    station_id: str
    evse_id: int
    connector_id: int
    connector: OfferOut
    usable_now: bool = Field(description="Works for the car and is free (or status unknown).")
    works: bool
    option: OptionOut
    estimate: EstimateSummaryOut | None
    notes: list[NoticeOut]

    @classmethod
    def from_domain(cls, item: RankedConnector) -> RankedOut:
        found = item.recommendation
        result = found.estimate
        return cls(
            rank=found.rank,
            station_id=item.ref.station_id,
            evse_id=item.ref.evse_id,
            connector_id=item.ref.connector_id,
            connector=OfferOut.from_domain(found.connector, str(item.ref)),
            usable_now=found.usable_now,
            works=result is not None,
            option=OptionOut.from_domain(found.option),
            estimate=EstimateSummaryOut(**EstimateSummaryOut.fields_of(result)) if result else None,
            notes=notices(item.notes),
        )


class SiteAdviceOut(BaseModel):
    site_id: str
    site_name: str
    vehicle: VehicleBrief
    soc_from: float
    soc_to: float
    ambient_c: float | None
    preconditioned: bool
    summary: str = Field(description="Where to plug in and how long it takes, in words.")
    connectors: list[RankedOut] = Field(description="Best first; unusable last, with reasons.")

    @classmethod
    def from_domain(cls, advice: SiteAdvice) -> SiteAdviceOut:
        return cls(
            site_id=advice.site.id,
            site_name=advice.site.name,
            vehicle=VehicleBrief(id=advice.vehicle.id, name=advice.vehicle.name),
            soc_from=advice.window.soc_from,
            soc_to=advice.window.soc_to,
            ambient_c=advice.window.ambient_c,
            preconditioned=advice.window.preconditioned,
            summary=advice.summary(),
            connectors=[RankedOut.from_domain(item) for item in advice.ranked],
        )
