"""OCPP 1.6 smart charging (§3.13, §5.5, §5.7, §5.16): neutral profiles <-> 1.6 words."""

from __future__ import annotations

from typing import Any, assert_never

from forecourt.domain.charging_profiles import (
    ChargingProfile,
    ChargingSchedule,
    ProfilePurpose,
)
from forecourt.domain.commands import (
    ClearChargingProfile,
    CommandResult,
    CommandStatus,
    GetChargingProfiles,
    GetCompositeSchedule,
    SetChargingProfile,
)
from forecourt.domain.errors import CommandNotSupported, InvalidInput
from forecourt.ocpp.adapter import Payload
from forecourt.ocpp.profile_words import KIND, RECURRENCY, composite_periods
from forecourt.ocpp.rendering import Rendered, SmartChargingCommand
from forecourt.ocpp.timestamps import format_timestamp
from forecourt.ocpp.v16.wire_types.common import (
    ChargingProfile as WireProfile,
)
from forecourt.ocpp.v16.wire_types.common import (
    ChargingProfileChargingProfilePurpose,
    ChargingSchedulePeriod,
)
from forecourt.ocpp.v16.wire_types.common import (
    ChargingSchedule as WireSchedule,
)
from forecourt.ocpp.v16.wire_types.smart_charging import (
    ClearChargingProfileRequest,
    GetCompositeScheduleRequest,
    SetChargingProfileRequest,
)

PURPOSE: dict[ProfilePurpose, ChargingProfileChargingProfilePurpose] = {
    ProfilePurpose.STATION_MAX: "ChargePointMaxProfile",
    ProfilePurpose.TX_DEFAULT: "TxDefaultProfile",
    ProfilePurpose.TX: "TxProfile",
}
STATUS = {
    "Accepted": CommandStatus.ACCEPTED,
    "Rejected": CommandStatus.REJECTED,
    "NotSupported": CommandStatus.NOT_SUPPORTED,
    "Unknown": CommandStatus.REJECTED,  # ClearChargingProfile: nothing matched
}


def render(command: SmartChargingCommand) -> Rendered:
    match command:
        case SetChargingProfile():  # §5.16
            request = SetChargingProfileRequest(
                connectorId=command.evse_id, csChargingProfiles=wire_profile(command.profile)
            )
            return "SetChargingProfile", request
        case ClearChargingProfile():  # §5.5
            return "ClearChargingProfile", _clear(command)
        case GetCompositeSchedule():  # §5.7
            composite = GetCompositeScheduleRequest(
                connectorId=command.evse_id, duration=command.duration_s
            )
            if command.unit is not None:
                composite["chargingRateUnit"] = command.unit.value
            return "GetCompositeSchedule", composite
        case GetChargingProfiles():
            raise CommandNotSupported("OCPP 1.6 cannot report installed profiles (2.0.1 only)")
        case _:
            assert_never(command)


def wire_profile(profile: ChargingProfile) -> WireProfile:
    profile.validate()
    wire = WireProfile(
        chargingProfileId=profile.id,
        stackLevel=profile.stack_level,
        chargingProfilePurpose=PURPOSE[profile.purpose],
        chargingProfileKind=KIND[profile.kind],
        chargingSchedule=wire_schedule(profile.schedule),
    )
    if profile.recurrency is not None:
        wire["recurrencyKind"] = RECURRENCY[profile.recurrency]
    if profile.valid_from is not None:
        wire["validFrom"] = format_timestamp(profile.valid_from)
    if profile.valid_to is not None:
        wire["validTo"] = format_timestamp(profile.valid_to)
    if profile.station_tx_id is not None:
        if not profile.station_tx_id.isdigit():
            raise InvalidInput(f"1.6 transaction ids are integers, got {profile.station_tx_id!r}")
        wire["transactionId"] = int(profile.station_tx_id)
    return wire


def wire_schedule(schedule: ChargingSchedule) -> WireSchedule:
    periods = []
    for period in schedule.periods:
        wire_period = ChargingSchedulePeriod(startPeriod=period.start_s, limit=period.limit)
        if period.phases is not None:
            wire_period["numberPhases"] = period.phases
        periods.append(wire_period)
    wire = WireSchedule(chargingRateUnit=schedule.unit.value, chargingSchedulePeriod=periods)
    if schedule.duration_s is not None:
        wire["duration"] = schedule.duration_s
    if schedule.start is not None:
        wire["startSchedule"] = format_timestamp(schedule.start)
    if schedule.min_rate is not None:
        wire["minChargingRate"] = schedule.min_rate
    return wire


def _clear(command: ClearChargingProfile) -> ClearChargingProfileRequest:
    criteria = command.criteria
    request = ClearChargingProfileRequest()
    if criteria.profile_id is not None:
        request["id"] = criteria.profile_id
    if criteria.evse_id is not None:
        request["connectorId"] = criteria.evse_id
    if criteria.purpose is not None:
        request["chargingProfilePurpose"] = PURPOSE[criteria.purpose]
    if criteria.stack_level is not None:
        request["stackLevel"] = criteria.stack_level
    return request


def interpret(command: SmartChargingCommand, response: Payload) -> CommandResult:
    raw = response.get("status", "")
    status = STATUS.get(raw, CommandStatus.REJECTED)
    data: dict[str, Any] = {"status": raw}
    if isinstance(command, GetCompositeSchedule) and "chargingSchedule" in response:
        schedule = response["chargingSchedule"]
        data["schedule"] = {
            "evse_id": response.get("connectorId", command.evse_id),
            "start": response.get("scheduleStart") or schedule.get("startSchedule"),
            "duration_s": schedule.get("duration", command.duration_s),
            "unit": schedule["chargingRateUnit"],
            "periods": composite_periods(schedule["chargingSchedulePeriod"]),
        }
    return CommandResult(status, data)
