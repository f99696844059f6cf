"""Bodies of the retrofit API: add a connector to an EVSE, convert one in place."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from forecourt.api.bounds import PortNumber
from forecourt.api.schemas.base import Input, Positive
from forecourt.api.schemas.network import StationOut
from forecourt.domain.connectors import ConnectorType, PowerType
from forecourt.domain.events import StationEvent
from forecourt.domain.ratings import RatingOverrides
from forecourt.services.equipment import describe_plug


class RetrofitConvert(Input):
    """The connector's new plug type and rating; omitted rating fields come from the type."""

    type: ConnectorType
    power_type: PowerType | None = None
    max_voltage_v: Positive | None = None
    max_current_a: Positive | None = None
    max_power_w: Positive | None = None
    cooled_cable: bool | None = None
    cable_length_m: Positive | None = None
    note: str = Field("", max_length=500, description="Why, work order, installer...")

    def overrides(self) -> RatingOverrides:
        return RatingOverrides(**self.model_dump(exclude={"type", "note", "connector_id"}))


class RetrofitAdd(RetrofitConvert):
    connector_id: PortNumber = Field(description="Number of the new connector within the EVSE.")


class RetrofitOut(BaseModel):
    id: int
    station_id: str
    at: datetime
    action: str = Field(description="`add` or `convert`.")
    evse_id: int
    connector_id: int
    before: dict[str, Any] | None = Field(description="Plug and rating before; null for `add`.")
    after: dict[str, Any]
    note: str
    by: str
    summary: str

    @classmethod
    def from_domain(cls, event: StationEvent) -> RetrofitOut:
        data = event.data
        before, after = data.get("before"), data.get("after") or {}
        where = f"{event.station_id}/{data.get('evse_id')}/{data.get('connector_id')}"
        return cls(
            id=event.id,
            station_id=event.station_id,
            at=event.at,
            action=str(data.get("action", "")),
            evse_id=int(data.get("evse_id", 0)),
            connector_id=int(data.get("connector_id", 0)),
            before=before,
            after=after,
            note=str(data.get("note", "")),
            by=str(data.get("by", "")),
            summary=f"{where}: {describe_plug(before)} -> {describe_plug(after)}",
        )


class RetrofitResultOut(BaseModel):
    retrofit: RetrofitOut
    station: StationOut
