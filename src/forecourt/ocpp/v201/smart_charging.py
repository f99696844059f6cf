"""OCPP 2.0.1 smart charging (block K): neutral profiles <-> 2.0.1 words, both ways.

Outbound: SetChargingProfile (K01), ClearChargingProfile (K10), GetCompositeSchedule (K08),
GetChargingProfiles (K09). Inbound reports (ReportChargingProfiles, NotifyChargingLimit) use
:func:`neutral_profile` to turn the station's profiles back into neutral ones.
"""

from __future__ import annotations

from typing import Any, assert_never

from forecourt.domain.charging_profiles import (
    ChargingProfile,
    ChargingSchedule,
    ProfilePurpose,
    RateUnit,
    SchedulePeriod,
)
from forecourt.domain.commands import (
    ClearChargingProfile,
    CommandResult,
    CommandStatus,
    GetChargingProfiles,
    GetCompositeSchedule,
    SetChargingProfile,
)
from forecourt.domain.errors import InvalidInput
from forecourt.ocpp.adapter import Payload
from forecourt.ocpp.profile_words import KIND, RECURRENCY, composite_periods
from forecourt.ocpp.rendering import Rendered, SmartChargingCommand
from forecourt.ocpp.timestamps import format_timestamp, parse_timestamp
from forecourt.ocpp.v201.wire_types.common import (
    ChargingProfilePurposeEnumType,
    ChargingProfileType,
    ChargingSchedulePeriodType,
    ChargingScheduleType,
)
from forecourt.ocpp.v201.wire_types.smart_charging import (
    ChargingProfileCriterionType,
    ClearChargingProfileRequest,
    ClearChargingProfileType,
    GetChargingProfilesRequest,
    GetCompositeScheduleRequest,
    SetChargingProfileRequest,
)

PURPOSE: dict[ProfilePurpose, ChargingProfilePurposeEnumType] = {
    ProfilePurpose.STATION_MAX: "ChargingStationMaxProfile",
    ProfilePurpose.TX_DEFAULT: "TxDefaultProfile",
    ProfilePurpose.TX: "TxProfile",
}
#: An external constraint (a local energy manager's) is read back as a station maximum.
PURPOSE_BACK = {v: k for k, v in PURPOSE.items()} | {
    "ChargingStationExternalConstraints": ProfilePurpose.STATION_MAX
}
KIND_BACK = {v: k for k, v in KIND.items()}
RECURRENCY_BACK = {v: k for k, v in RECURRENCY.items()}
STATUS = {
    "Accepted": CommandStatus.ACCEPTED,
    "Rejected": CommandStatus.REJECTED,
    "Unknown": CommandStatus.REJECTED,  # ClearChargingProfile: nothing matched
    "NoProfiles": CommandStatus.ACCEPTED,  # GetChargingProfiles: an empty answer is an answer
}


def render(command: SmartChargingCommand) -> Rendered:
    match command:
        case SetChargingProfile():  # K01
            request = SetChargingProfileRequest(
                evseId=command.evse_id, chargingProfile=wire_profile(command.profile)
            )
            return "SetChargingProfile", request
        case ClearChargingProfile():  # K10
            return "ClearChargingProfile", _clear(command)
        case GetCompositeSchedule():  # K08
            composite = GetCompositeScheduleRequest(
                evseId=command.evse_id, duration=command.duration_s
            )
            if command.unit is not None:
                composite["chargingRateUnit"] = command.unit.value
            return "GetCompositeSchedule", composite
        case GetChargingProfiles():  # K09
            return "GetChargingProfiles", _get_profiles(command)
        case _:
            assert_never(command)


def wire_profile(profile: ChargingProfile) -> ChargingProfileType:
    profile.validate()
    if profile.purpose is ProfilePurpose.TX and profile.station_tx_id is None:
        raise InvalidInput("a 2.0.1 transaction profile names its transaction (K01.FR.03)")
    wire = ChargingProfileType(
        id=profile.id,
        stackLevel=profile.stack_level,
        chargingProfilePurpose=PURPOSE[profile.purpose],
        chargingProfileKind=KIND[profile.kind],
        chargingSchedule=[_wire_schedule(profile.id, profile.schedule)],
    )
    if profile.recurrency is not None:
        wire["recurrencyKind"] = RECURRENCY[profile.recurrency]
    if profile.valid_from is not None:
        wire["validFrom"] = format_timestamp(profile.valid_from)
    if profile.valid_to is not None:
        wire["validTo"] = format_timestamp(profile.valid_to)
    if profile.station_tx_id is not None:
        wire["transactionId"] = profile.station_tx_id
    return wire


def _wire_schedule(schedule_id: int, schedule: ChargingSchedule) -> ChargingScheduleType:
    periods = []
    for period in schedule.periods:
        wire_period = ChargingSchedulePeriodType(startPeriod=period.start_s, limit=period.limit)
        if period.phases is not None:
            wire_period["numberPhases"] = period.phases
        periods.append(wire_period)
    wire = ChargingScheduleType(
        id=schedule_id, chargingRateUnit=schedule.unit.value, chargingSchedulePeriod=periods
    )
    if schedule.duration_s is not None:
        wire["duration"] = schedule.duration_s
    if schedule.start is not None:
        wire["startSchedule"] = format_timestamp(schedule.start)
    if schedule.min_rate is not None:
        wire["minChargingRate"] = schedule.min_rate
    return wire


def neutral_schedule(wire: ChargingScheduleType) -> ChargingSchedule:
    start = wire.get("startSchedule")
    return ChargingSchedule(
        unit=RateUnit(wire["chargingRateUnit"]),
        periods=tuple(
            SchedulePeriod(p["startPeriod"], p["limit"], p.get("numberPhases"))
            for p in wire["chargingSchedulePeriod"]
        ),
        start=parse_timestamp(start) if start else None,
        duration_s=wire.get("duration"),
        min_rate=wire.get("minChargingRate"),
    )


def neutral_profile(wire: ChargingProfileType) -> ChargingProfile:
    """A profile a station reports, in neutral terms (its first schedule: 2.0.1 allows up to
    three for ISO 15118 negotiation; the first is the one in force)."""
    recurrency = wire.get("recurrencyKind")
    valid_from, valid_to = wire.get("validFrom"), wire.get("validTo")
    return ChargingProfile(
        id=wire["id"],
        stack_level=wire["stackLevel"],
        purpose=PURPOSE_BACK[wire["chargingProfilePurpose"]],
        kind=KIND_BACK[wire["chargingProfileKind"]],
        schedule=neutral_schedule(wire["chargingSchedule"][0]),
        recurrency=RECURRENCY_BACK[recurrency] if recurrency else None,
        valid_from=parse_timestamp(valid_from) if valid_from else None,
        valid_to=parse_timestamp(valid_to) if valid_to else None,
        station_tx_id=wire.get("transactionId"),
    )


def _clear(command: ClearChargingProfile) -> ClearChargingProfileRequest:
    criteria = command.criteria
    request = ClearChargingProfileRequest()
    if criteria.profile_id is not None:
        request["chargingProfileId"] = criteria.profile_id
    wire = ClearChargingProfileType()
    if criteria.evse_id is not None:
        wire["evseId"] = criteria.evse_id
    if criteria.purpose is not None:
        wire["chargingProfilePurpose"] = PURPOSE[criteria.purpose]
    if criteria.stack_level is not None:
        wire["stackLevel"] = criteria.stack_level
    if wire:
        request["chargingProfileCriteria"] = wire
    return request


def _get_profiles(command: GetChargingProfiles) -> GetChargingProfilesRequest:
    criterion = ChargingProfileCriterionType()
    if command.purpose is not None:
        criterion["chargingProfilePurpose"] = PURPOSE[command.purpose]
    if command.stack_level is not None:
        criterion["stackLevel"] = command.stack_level
    if command.profile_ids:
        criterion["chargingProfileId"] = list(command.profile_ids)
    request = GetChargingProfilesRequest(requestId=command.request_id, chargingProfile=criterion)
    if command.evse_id is not None:
        request["evseId"] = command.evse_id
    return request


def interpret(command: SmartChargingCommand, response: Payload) -> CommandResult:
    raw = response.get("status", "")
    status = STATUS.get(raw, CommandStatus.REJECTED)
    data: dict[str, Any] = {"status": raw}
    info = response.get("statusInfo")
    if isinstance(info, dict):
        data["reason"] = info.get("reasonCode", "")
    if isinstance(command, GetChargingProfiles):
        data["request_id"] = command.request_id
        data["empty"] = raw == "NoProfiles"
    if isinstance(command, GetCompositeSchedule) and "schedule" in response:
        schedule = response["schedule"]
        data["schedule"] = {
            "evse_id": schedule["evseId"],
            "start": schedule["scheduleStart"],
            "duration_s": schedule["duration"],
            "unit": schedule["chargingRateUnit"],
            "periods": composite_periods(schedule["chargingSchedulePeriod"]),
        }
    return CommandResult(status, data)
