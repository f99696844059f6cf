"""Bodies and answers of the configuration drift routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from forecourt.api.command_bodies import CommandRecordOut, ConfigKeyText
from forecourt.domain.drift import DesiredSetting, DriftCheck, DriftState


class DesiredIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1, max_length=100, description="The station model.")
    key: ConfigKeyText
    value: str = Field(max_length=1000)


class DesiredOut(BaseModel):
    id: int
    model: str
    key: str
    value: str

    @classmethod
    def from_domain(cls, s: DesiredSetting) -> DesiredOut:
        return cls(id=s.id, model=s.model, key=s.key, value=s.value)


class DriftItemOut(BaseModel):
    key: str
    desired: str
    actual: str | None
    state: DriftState
    fixed: bool = Field(description="The model refuses to change it: never corrected.")


class DriftCheckOut(BaseModel):
    station_id: str
    checked_at: datetime
    error: str = Field(description="Why the configuration could not be read, if it could not.")
    drifted: int
    items: list[DriftItemOut]

    @classmethod
    def from_domain(cls, c: DriftCheck) -> DriftCheckOut:
        items = [DriftItemOut(key=i.key, desired=i.desired, actual=i.actual, state=i.state,
                              fixed=i.fixed) for i in c.items]  # fmt: skip
        return cls(
            station_id=c.station_id, checked_at=c.checked_at, error=c.error,
            drifted=len(c.drifted), items=items,
        )  # fmt: skip


class CorrectionOut(BaseModel):
    commands: list[CommandRecordOut]
    check: DriftCheckOut
