"""OCPP 2.0.1 smart-charging reports (K09, K12, K15, K17): decoded to neutral terms, kept.

Each handler translates and makes one call: the station's records keep the report (and
publish it as ``station.<kind>``, where site load management hears about a car's needs).
"""

from __future__ import annotations

from typing import Any

from forecourt.domain.charging_profile_codec import profile_to_dict, schedule_to_dict
from forecourt.domain.events import StationEventKind
from forecourt.ocpp.adapter import Link
from forecourt.ocpp.timestamps import format_timestamp, parse_timestamp
from forecourt.ocpp.v201.smart_charging import neutral_profile, neutral_schedule
from forecourt.ocpp.v201.wire_types.smart_charging import (
    ChargingNeedsType,
    ClearedChargingLimitRequest,
    ClearedChargingLimitResponse,
    NotifyChargingLimitRequest,
    NotifyChargingLimitResponse,
    NotifyEVChargingNeedsRequest,
    NotifyEVChargingNeedsResponse,
    NotifyEVChargingScheduleRequest,
    NotifyEVChargingScheduleResponse,
    ReportChargingProfilesRequest,
    ReportChargingProfilesResponse,
)


async def report_charging_profiles(
    link: Link, p: ReportChargingProfilesRequest
) -> ReportChargingProfilesResponse:
    """K09: one part (``tbc``) of the answer to GetChargingProfiles, as neutral profiles."""
    data = {
        "request_id": p["requestId"],
        "evse_id": p["evseId"],
        "source": p["chargingLimitSource"],
        "profiles": [profile_to_dict(neutral_profile(w)) for w in p["chargingProfile"]],
        "tbc": p.get("tbc", False),
    }
    await link.services.records.record(link.station_id, StationEventKind.CHARGING_PROFILES, data)
    return {}


async def notify_charging_limit(
    link: Link, p: NotifyChargingLimitRequest
) -> NotifyChargingLimitResponse:
    """K12: a limit set outside the CSMS (an energy manager, the grid operator)."""
    limit = p["chargingLimit"]
    data = {
        "evse_id": p.get("evseId"),
        "source": limit["chargingLimitSource"],
        "grid_critical": limit.get("isGridCritical", False),
        "schedules": [schedule_to_dict(neutral_schedule(s)) for s in p.get("chargingSchedule", [])],
    }
    await link.services.records.record(link.station_id, StationEventKind.CHARGING_LIMIT, data)
    return {}


async def cleared_charging_limit(
    link: Link, p: ClearedChargingLimitRequest
) -> ClearedChargingLimitResponse:
    """K13: an external limit (NotifyChargingLimit) no longer holds; site load management
    hears it (``station.charging_limit_cleared``) and rebalances."""
    data = {"evse_id": p.get("evseId"), "source": p["chargingLimitSource"]}
    kind = StationEventKind.CHARGING_LIMIT_CLEARED
    await link.services.records.record(link.station_id, kind, data)
    return {}


async def notify_ev_charging_needs(
    link: Link, p: NotifyEVChargingNeedsRequest
) -> NotifyEVChargingNeedsResponse:
    """K15: what the car needs (ISO 15118). Accepted: kept, and site load management, when the
    site has a limit, answers with the transaction's profile."""
    data = {"evse_id": p["evseId"], **_needs(p["chargingNeeds"])}
    await link.services.records.record(link.station_id, StationEventKind.EV_CHARGING_NEEDS, data)
    return {"status": "Accepted"}


async def notify_ev_charging_schedule(
    link: Link, p: NotifyEVChargingScheduleRequest
) -> NotifyEVChargingScheduleResponse:
    """K17: the schedule the car chose within the limits it was given."""
    data = {
        "evse_id": p["evseId"],
        "time_base": format_timestamp(parse_timestamp(p["timeBase"])),
        "schedule": schedule_to_dict(neutral_schedule(p["chargingSchedule"])),
    }
    kind = StationEventKind.EV_CHARGING_SCHEDULE
    await link.services.records.record(link.station_id, kind, data)
    return {"status": "Accepted"}


def _needs(needs: ChargingNeedsType) -> dict[str, Any]:
    """Neutral needs: energy in Wh, currents in A, power in W, departure as an instant."""
    departure = needs.get("departureTime")
    out: dict[str, Any] = {
        "transfer": needs["requestedEnergyTransfer"],
        "departure_at": format_timestamp(parse_timestamp(departure)) if departure else None,
    }
    ac = needs.get("acChargingParameters")
    if ac is not None:
        out |= {
            "energy_wh": ac["energyAmount"],
            "min_current_a": ac["evMinCurrent"],
            "max_current_a": ac["evMaxCurrent"],
            "max_voltage_v": ac["evMaxVoltage"],
        }
    dc = needs.get("dcChargingParameters")
    if dc is not None:
        out |= {
            "energy_wh": dc.get("energyAmount"),
            "max_current_a": dc["evMaxCurrent"],
            "max_voltage_v": dc["evMaxVoltage"],
            "max_power_w": dc.get("evMaxPower"),
            "soc": dc.get("stateOfCharge"),
        }
    return out
