"""The simulated station honours charging profiles (1.6 and 2.0.1), driven by the ``ocpp``
package as an independent CSMS."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from forecourt.simulator import SimulatedStation
from tests.simulator.kit import LONG_SESSION, StationFactory, ready_station
from tests.simulator.simcsms import CsmsServer


def delivered(station: SimulatedStation) -> float:
    session = station.evse(1).session
    assert session is not None
    return session.charge.reading.delivered_w


async def charging(station: SimulatedStation) -> Any:
    session = station.start_session(1, vehicle=LONG_SESSION)
    assert session is not None
    await session.wait_charging(30)
    await asyncio.sleep(0.3)  # past the ramp (20 vehicle-s at 120x)
    return session


def w_profile(**fields: Any) -> dict[str, Any]:
    return {
        "chargingProfilePurpose": "ChargePointMaxProfile",
        "chargingProfileKind": "Absolute",
        "stackLevel": 0,
        **fields,
    }


async def test_16_station_max_caps_power_and_composite_reports_it(
    csms: CsmsServer, make_station: StationFactory
) -> None:
    station = await ready_station(make_station, "1.6", station_id="SC16")
    await charging(station)
    assert delivered(station) > 100_000

    schedule = {
        "chargingRateUnit": "W",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 40000}],
    }
    profile = w_profile(chargingProfileId=1, chargingSchedule=schedule)
    answer = await csms.call(
        "SC16", call16.SetChargingProfile(connector_id=0, cs_charging_profiles=profile)
    )
    assert answer.status == "Accepted"
    await asyncio.sleep(0.3)
    assert 39_000 <= delivered(station) <= 40_000

    composite = await csms.call("SC16", call16.GetCompositeSchedule(connector_id=1, duration=600))
    assert composite.status == "Accepted"
    assert composite.charging_schedule["charging_schedule_period"] == [
        {"start_period": 0, "limit": 40000.0}
    ]

    cleared = await csms.call("SC16", call16.ClearChargingProfile(id=1))
    assert cleared.status == "Accepted"
    assert (await csms.call("SC16", call16.ClearChargingProfile(id=1))).status == "Unknown"
    await asyncio.sleep(0.3)
    assert delivered(station) > 100_000


async def test_16_tx_profile_needs_the_running_transaction(
    csms: CsmsServer, make_station: StationFactory
) -> None:
    station = await ready_station(make_station, "1.6", station_id="TX16")
    session = await charging(station)
    schedule = {
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 100}],
    }

    def tx_profile(tx: int) -> dict[str, Any]:
        return {
            "chargingProfileId": 9001,
            "stackLevel": 1,
            "chargingProfilePurpose": "TxProfile",
            "chargingProfileKind": "Relative",
            "chargingSchedule": schedule,
            "transactionId": tx,
        }

    wrong = call16.SetChargingProfile(connector_id=1, cs_charging_profiles=tx_profile(999_999))
    assert (await csms.call("TX16", wrong)).status == "Rejected"
    right = call16.SetChargingProfile(
        connector_id=1, cs_charging_profiles=tx_profile(int(session.transaction_id))
    )
    assert (await csms.call("TX16", right)).status == "Accepted"
    await asyncio.sleep(0.3)
    assert 39_000 <= delivered(station) <= 40_000  # DC: 100 A x 400 V


@pytest.mark.parametrize("ignores", [False, True])
async def test_201_tx_default_caps_unless_the_station_ignores_profiles(
    csms: CsmsServer, make_station: StationFactory, ignores: bool
) -> None:
    station = await ready_station(make_station, "2.0.1", station_id=f"SC201-{ignores}")
    station.faults.ignores_profiles = ignores
    await charging(station)
    profile = {
        "id": 3,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Absolute",
        "chargingSchedule": [
            {
                "id": 3,
                "chargingRateUnit": "W",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 25000}],
            }
        ],
    }
    answer = await csms.call(
        station.config.station_id, call201.SetChargingProfile(evse_id=1, charging_profile=profile)
    )
    assert answer.status == "Accepted"
    await asyncio.sleep(0.3)
    assert (delivered(station) > 100_000) is ignores

    composite = await csms.call(
        station.config.station_id, call201.GetCompositeSchedule(duration=300, evse_id=1)
    )
    assert composite.schedule["charging_schedule_period"] == [{"start_period": 0, "limit": 25000.0}]
    criteria = {"evseId": 1, "chargingProfilePurpose": "TxDefaultProfile"}
    cleared = await csms.call(
        station.config.station_id, call201.ClearChargingProfile(charging_profile_criteria=criteria)
    )
    assert cleared.status == "Accepted"
    nothing = await csms.call(
        station.config.station_id, call201.GetCompositeSchedule(duration=300, evse_id=1)
    )
    assert nothing.status == "Rejected"
