"""Smart-charging bodies of ``POST /api/stations/{id}/commands`` (docs/smart-charging.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from forecourt.api.bounds import PortOrStation, WireInt
from forecourt.domain import commands as cmd
from forecourt.domain.charging_profile_codec import profile_from_dict
from forecourt.domain.charging_profiles import ProfileClear, ProfilePurpose, RateUnit
from forecourt.domain.limits import INT32_MAX

_PROFILE_HELP = (
    "The neutral profile: `id`, `stack_level`, `purpose` (station_max, tx_default, tx), `kind`"
    " (absolute, recurring, relative), `schedule` {`unit` A or W, `periods` [{`start_s`,"
    " `limit`, `phases`}], `start`, `duration_s`, `min_rate`}, `recurrency` (daily, weekly),"
    " `valid_from`, `valid_to`, `station_tx_id`."
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SetChargingProfileBody(_Body):
    kind: Literal["set_charging_profile"]
    evse_id: PortOrStation = 0
    profile: dict[str, Any] = Field(description=_PROFILE_HELP)

    def to_command(self) -> cmd.Command:
        # validated here: a bad profile is a 422 naming the field, before anything is sent
        return cmd.SetChargingProfile(self.evse_id, profile_from_dict(self.profile))


class ClearChargingProfileBody(_Body):
    """Every given criterion must match; none clears every profile Forecourt may clear."""

    kind: Literal["clear_charging_profile"]
    profile_id: WireInt | None = None
    evse_id: PortOrStation | None = None
    purpose: ProfilePurpose | None = None
    stack_level: int | None = Field(None, ge=0, le=1000)

    def to_command(self) -> cmd.Command:
        criteria = ProfileClear(self.profile_id, self.evse_id, self.purpose, self.stack_level)
        return cmd.ClearChargingProfile(criteria)


class GetCompositeScheduleBody(_Body):
    kind: Literal["get_composite_schedule"]
    evse_id: PortOrStation = 0
    duration_s: int = Field(3600, ge=1, le=INT32_MAX)
    unit: RateUnit | None = None

    def to_command(self) -> cmd.Command:
        return cmd.GetCompositeSchedule(self.evse_id, self.duration_s, self.unit)


class GetChargingProfilesBody(_Body):
    """2.0.1: the station answers with ReportChargingProfiles (kept as station events)."""

    kind: Literal["get_charging_profiles"]
    request_id: WireInt = 0
    evse_id: PortOrStation | None = None
    purpose: ProfilePurpose | None = None
    stack_level: int | None = Field(None, ge=0, le=1000)
    profile_ids: list[WireInt] = Field(default_factory=list, max_length=100)

    def to_command(self) -> cmd.Command:
        return cmd.GetChargingProfiles(
            self.request_id,
            self.evse_id,
            self.purpose,
            self.stack_level,
            tuple(self.profile_ids),
        )
