"""Request bodies and query fields of the compatibility API: estimates and recommendations."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from forecourt.api.bounds import PortNumber
from forecourt.api.schemas.base import Input, Positive
from forecourt.compat.domain.stalls import PostPosition, Stall, StallLayout
from forecourt.compat.services.compatibility import GivenConnector
from forecourt.domain.connectors import DEFAULT_RATINGS, ConnectorType, PowerType
from forecourt.domain.ratings import RatingOverrides, rating_with_defaults
from forecourt.ports.derates import ConnectorRef


def SocFrom(alias: str | None = None) -> Any:  # noqa: N802 (reads like Field)
    return Field(10, alias=alias, ge=0, le=100, description="Start state of charge, %.")


def SocTo(alias: str | None = None) -> Any:  # noqa: N802
    # validated even when defaulted: soc_from may have been given above it
    return Field(80, alias=alias, ge=0, le=100, validate_default=True, description="Target SoC, %.")


Ambient = Field(
    None,
    ge=-50,
    le=60,
    description="Ambient temperature, °C (hot days fold adapters back; cold packs charge slower).",
)
Preconditioned = Field(
    False,
    description="The car warmed its battery for fast charging (only matters with `ambient_c`).",
)
VehicleQuery = Field(
    min_length=1,
    max_length=200,
    description="Catalogue id (`hyundai-ioniq-5-lr-2025`) or words (`2025 Ioniq 5`).",
)
AdapterQuery = Field(
    None,
    min_length=1,
    max_length=100,
    description="An adapter the driver carries (id from `/api/adapters`). Default: the "
    "vehicle maker's own adapters; adapters built into dispensers always count.",
)


def soc_window_checked(soc_to: float, info: ValidationInfo) -> float:
    soc_from = info.data.get("soc_from")
    if soc_from is not None and soc_from >= soc_to:
        raise ValueError(f"must be above soc_from ({soc_from:g} %), not {soc_to:g} %")
    return soc_to


class ConnectorChoice(Input):
    """Either a real connector (`station_id`, `evse_id`, `connector_id`: its live state
    counts) or a hypothetical one (`type` and optional rating; the rest from the type)."""

    station_id: str | None = Field(None, min_length=1, max_length=48)
    evse_id: PortNumber | None = None
    connector_id: PortNumber | None = None
    type: ConnectorType | None = None
    power_type: PowerType | None = None
    max_voltage_v: Positive | None = None
    max_current_a: Positive | None = None
    max_power_w: Positive | None = None

    @model_validator(mode="after")
    def _one_way(self) -> ConnectorChoice:
        reference = (self.station_id, self.evse_id, self.connector_id)
        rating = (self.power_type, self.max_voltage_v, self.max_current_a, self.max_power_w)
        if any(v is not None for v in reference):
            if any(v is None for v in reference):
                raise ValueError("a connector reference needs station_id, evse_id and connector_id")
            if self.type is not None or any(v is not None for v in rating):
                raise ValueError("give a station reference or a type and rating, not both")
        elif self.type is None:
            raise ValueError("give station_id, evse_id and connector_id, or a connector type")
        return self

    def target(self) -> ConnectorRef | GivenConnector:
        """The connector asked about; rating values not given come from the plug type."""
        if self.type is not None:
            overrides = RatingOverrides(
                power_type=self.power_type,
                max_voltage_v=self.max_voltage_v,
                max_current_a=self.max_current_a,
                max_power_w=self.max_power_w,
            )
            given = rating_with_defaults(self.type, overrides)
            return GivenConnector(self.type, given or DEFAULT_RATINGS[self.type])
        if self.station_id is None or self.evse_id is None or self.connector_id is None:
            raise ValueError("unreachable: _one_way requires a full reference")
        return ConnectorRef(self.station_id, self.evse_id, self.connector_id)

    def reference(self) -> str | None:
        target = self.target() if self.type is None else None
        return None if target is None else str(target)


class EstimateRequest(Input):
    vehicle: str = VehicleQuery
    connector: ConnectorChoice
    adapter: str | None = AdapterQuery
    soc_from: float = SocFrom()
    soc_to: float = SocTo()
    ambient_c: float | None = Ambient
    preconditioned: bool = Preconditioned
    svg: bool = Field(False, description="Include the power-curve chart as an SVG document.")

    _window = field_validator("soc_to")(soc_window_checked)


class StallIn(Input):
    """A stall one EVSE's cable serves (``PUT /api/sites/{site}/stalls/{stall}``)."""

    station_id: str = Field(min_length=1, max_length=100)
    evse_id: int = Field(ge=1, le=1000)
    layout: StallLayout = Field(description="`back_in`, `pull_in` or `pull_through`.")
    post: PostPosition = Field(
        description="Where the cable leaves the post, seen from the head of the stall: "
        "`head_left`, `head_center`, `head_right`, `side_left`, `side_right`."
    )
    cable_reach_m: float = Field(ge=0.5, le=15, description="Usable cable length, metres.")
    accessible: bool = Field(False, description="An accessible (ADA) stall.")
    width_m: float | None = Field(
        None, ge=2, le=6, description="Default: 2.74 m, 3.35 m if accessible."
    )
    note: str = Field("", max_length=500)

    def stall(self, site_id: str, stall_id: str) -> Stall:
        return Stall(
            site_id,
            stall_id,
            self.station_id,
            self.evse_id,
            self.layout,
            self.post,
            self.cable_reach_m,
            self.accessible,
            self.width_m,
            self.note,
        )
