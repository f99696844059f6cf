"""Smart-charging calls answered by the simulated station, in 1.6 and 2.0.1 words.

Profiles go to the station's ``ProfileStore``; the charging loop caps delivered power at the
composite limit (unless the ``ignores_profiles`` fault makes the station accept and ignore
them, as some firmware does).
"""

from __future__ import annotations

from typing import Any

from forecourt.simulator import profiles
from forecourt.simulator.dialect import optional, require
from forecourt.simulator.host import StationHost
from forecourt.simulator.physics import DEFAULT_AC_VOLTAGE_V
from forecourt.simulator.rpc import Answer, OcppCallError, Payload
from forecourt.simulator.session import ChargingSession, ocpp_timestamp, utc_now

#: Watts per amp on a DC EVSE (profiles in A are rare there): a nominal 400 V pack.
DC_VOLTS = 400.0


def watts_per_amp(station: StationHost, evse_id: int) -> float:
    evse = station.find_evse(evse_id) if evse_id else None
    if evse is None or not evse.config.is_dc:
        # the simulator's AC is single-phase (US split phase): one phase's voltage
        return (evse.config.voltage_v if evse is not None else None) or DEFAULT_AC_VOLTAGE_V
    return DC_VOLTS


def running(session: ChargingSession | None) -> tuple[str, Any] | None:
    if session is None or session.transaction_id is None:
        return None
    return str(session.transaction_id), session.started_at


def cap_w(station: StationHost, session: ChargingSession) -> float | None:
    """The power the charging loop may deliver now (None: no profile limits it)."""
    if station.faults.ignores_profiles:
        return None
    evse_id = session.evse_id
    return station.profiles.limit_w(
        evse_id, utc_now(), watts_per_amp(station, evse_id), running(session)
    )


def _known_evse(station: StationHost, evse_id: int) -> bool:
    return evse_id == 0 or station.find_evse(evse_id) is not None


def _tx_matches(station: StationHost, installed: profiles.Installed) -> bool:
    """A TxProfile needs a transaction running on its EVSE (1.6 §5.16, K01.FR.09)."""
    if installed.purpose != "tx":
        return True
    evse = station.find_evse(installed.evse_id)
    session = evse.session if evse is not None else None
    tx = running(session)
    return tx is not None and installed.transaction_id in (None, tx[0])


def set_profile(station: StationHost, evse_id: int, profile: Payload, schedule: Payload) -> Answer:
    if not _known_evse(station, evse_id):
        return Answer({"status": "Rejected"})
    try:
        installed = profiles.parse(evse_id, profile, schedule)
    except (KeyError, TypeError, ValueError) as error:
        raise OcppCallError("FormationViolation", f"unreadable charging profile: {error}") from None
    if not _tx_matches(station, installed):
        return Answer({"status": "Rejected"})
    station.profiles.install(installed)
    station.emit(f"charging profile {installed.id} on EVSE {evse_id}: {installed.periods}")
    return Answer({"status": "Accepted"})


def composite(station: StationHost, evse_id: int, duration: int, unit: str | None) -> Payload:
    """The station's composite schedule from now (in ``unit``, default W)."""
    evse = station.find_evse(evse_id) if evse_id else None
    tx = running(evse.session if evse is not None else None)
    chosen = unit or "W"
    periods = profiles.composite(
        station.profiles, evse_id, utc_now(), duration, watts_per_amp(station, evse_id), chosen, tx
    )
    return {"chargingRateUnit": chosen, "chargingSchedulePeriod": periods, "duration": duration}


def _requested_composite(station: StationHost, evse_id: int, payload: Payload) -> Payload | None:
    """GetCompositeSchedule's schedule in both versions; None: rejected (unknown EVSE or no
    limit in force)."""
    if not _known_evse(station, evse_id):
        return None
    schedule = composite(
        station,
        evse_id,
        require(payload, "duration", int),
        optional(payload, "chargingRateUnit", str),
    )
    return schedule if schedule["chargingSchedulePeriod"] else None


# --- 1.6 ---------------------------------------------------------------------------------
async def v16_set(station: StationHost, payload: Payload) -> Answer:
    profile = require(payload, "csChargingProfiles", dict)
    schedule = require(profile, "chargingSchedule", dict)
    return set_profile(station, require(payload, "connectorId", int), profile, schedule)


async def v16_clear(station: StationHost, payload: Payload) -> Answer:
    cleared = station.profiles.clear(
        id=optional(payload, "id", int),
        evse_id=optional(payload, "connectorId", int),
        purpose=optional(payload, "chargingProfilePurpose", str),
        stack_level=optional(payload, "stackLevel", int),
    )
    return Answer({"status": "Accepted" if cleared else "Unknown"})


async def v16_composite(station: StationHost, payload: Payload) -> Answer:
    evse_id = require(payload, "connectorId", int)
    schedule = _requested_composite(station, evse_id, payload)
    if schedule is None:
        return Answer({"status": "Rejected"})
    start = ocpp_timestamp(utc_now())
    return Answer(
        {
            "status": "Accepted",
            "connectorId": evse_id,
            "scheduleStart": start,
            "chargingSchedule": {**schedule, "startSchedule": start},
        }
    )


# --- 2.0.1 -------------------------------------------------------------------------------
async def v201_set(station: StationHost, payload: Payload) -> Answer:
    profile = require(payload, "chargingProfile", dict)
    schedules = require(profile, "chargingSchedule", list)
    if not schedules or not isinstance(schedules[0], dict):
        raise OcppCallError("OccurrenceConstraintViolation", "a charging schedule is required")
    return set_profile(station, require(payload, "evseId", int), profile, schedules[0])


async def v201_clear(station: StationHost, payload: Payload) -> Answer:
    criteria = optional(payload, "chargingProfileCriteria", dict) or {}
    cleared = station.profiles.clear(
        id=optional(payload, "chargingProfileId", int),
        evse_id=optional(criteria, "evseId", int),
        purpose=optional(criteria, "chargingProfilePurpose", str),
        stack_level=optional(criteria, "stackLevel", int),
    )
    return Answer({"status": "Accepted" if cleared else "Unknown"})


async def v201_composite(station: StationHost, payload: Payload) -> Answer:
    evse_id = require(payload, "evseId", int)
    schedule = _requested_composite(station, evse_id, payload)
    if schedule is None:
        return Answer({"status": "Rejected"})
    return Answer(
        {
            "status": "Accepted",
            "schedule": {
                "evseId": evse_id,
                "duration": schedule["duration"],
                "scheduleStart": ocpp_timestamp(utc_now()),
                "chargingRateUnit": schedule["chargingRateUnit"],
                "chargingSchedulePeriod": schedule["chargingSchedulePeriod"],
            },
        }
    )
