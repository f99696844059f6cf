"""2.0.1 smart-charging reports from the station: answered exactly, kept in neutral terms."""

from __future__ import annotations

from typing import Any

import pytest

from forecourt.domain.events import StationEventKind
from tests.support.harness import ProtocolRig

PROFILE = {
    "id": 7,
    "stackLevel": 1,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Absolute",
    "chargingSchedule": [
        {
            "id": 1,
            "startSchedule": "2026-11-21T11:00:00Z",
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0, "numberPhases": 3}],
        }
    ],
}
SCHEDULE = {
    "id": 2,
    "chargingRateUnit": "W",
    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7400.0}],
}
NEEDS = {
    "evseId": 1,
    "chargingNeeds": {
        "requestedEnergyTransfer": "AC_three_phase",
        "departureTime": "2026-11-21T18:00:00+01:00",
        "acChargingParameters": {
            "energyAmount": 20_000,
            "evMinCurrent": 6,
            "evMaxCurrent": 32,
            "evMaxVoltage": 400,
        },
    },
}

#: (action, request, reply, kind kept, neutral data kept)
GOLDEN: list[tuple[str, dict[str, Any], dict[str, Any], StationEventKind, dict[str, Any]]] = [
    (
        "ReportChargingProfiles",
        {"requestId": 5, "chargingLimitSource": "CSO", "evseId": 1, "chargingProfile": [PROFILE]},
        {},
        StationEventKind.CHARGING_PROFILES,
        {
            "request_id": 5,
            "evse_id": 1,
            "source": "CSO",
            "tbc": False,
            "profiles": [
                {
                    "id": 7,
                    "stack_level": 1,
                    "purpose": "tx_default",
                    "kind": "absolute",
                    "schedule": {
                        "unit": "A",
                        "periods": [{"start_s": 0, "limit": 16.0, "phases": 3}],
                        "start": "2026-11-21T11:00:00+00:00",
                        "duration_s": None,
                        "min_rate": None,
                    },
                    "recurrency": None,
                    "valid_from": None,
                    "valid_to": None,
                    "station_tx_id": None,
                }
            ],
        },
    ),
    (
        "NotifyChargingLimit",
        {
            "evseId": 1,
            "chargingLimit": {"chargingLimitSource": "SO", "isGridCritical": True},
            "chargingSchedule": [SCHEDULE],
        },
        {},
        StationEventKind.CHARGING_LIMIT,
        {
            "evse_id": 1,
            "source": "SO",
            "grid_critical": True,
            "schedules": [
                {
                    "unit": "W",
                    "periods": [{"start_s": 0, "limit": 7400.0, "phases": None}],
                    "start": None,
                    "duration_s": None,
                    "min_rate": None,
                }
            ],
        },
    ),
    (
        "ClearedChargingLimit",
        {"chargingLimitSource": "EMS", "evseId": 2},
        {},
        StationEventKind.CHARGING_LIMIT_CLEARED,
        {"evse_id": 2, "source": "EMS"},
    ),
    (
        "NotifyEVChargingNeeds",
        NEEDS,
        {"status": "Accepted"},
        StationEventKind.EV_CHARGING_NEEDS,
        {
            "evse_id": 1,
            "transfer": "AC_three_phase",
            "departure_at": "2026-11-21T17:00:00Z",
            "energy_wh": 20_000,
            "min_current_a": 6,
            "max_current_a": 32,
            "max_voltage_v": 400,
        },
    ),
    (
        "NotifyEVChargingSchedule",
        {"timeBase": "2026-11-21T12:00:00Z", "evseId": 1, "chargingSchedule": SCHEDULE},
        {"status": "Accepted"},
        StationEventKind.EV_CHARGING_SCHEDULE,
        {
            "evse_id": 1,
            "time_base": "2026-11-21T12:00:00Z",
            "schedule": {
                "unit": "W",
                "periods": [{"start_s": 0, "limit": 7400.0, "phases": None}],
                "start": None,
                "duration_s": None,
                "min_rate": None,
            },
        },
    ),
]


@pytest.mark.parametrize(
    ("action", "request_payload", "reply", "kind", "kept"), GOLDEN, ids=[g[0] for g in GOLDEN]
)
async def test_reports_are_answered_and_kept_in_neutral_terms(
    rig: ProtocolRig,
    action: str,
    request_payload: dict[str, Any],
    reply: dict[str, Any],
    kind: StationEventKind,
    kept: dict[str, Any],
) -> None:
    assert await rig.call("k-1", action, request_payload) == [3, "k-1", reply]
    [event] = await rig.services.network.station_events("CS-1", kind)
    assert event.data == kept


async def test_a_report_without_its_profiles_is_an_occurrence_violation(rig: ProtocolRig) -> None:
    payload = {"requestId": 5, "chargingLimitSource": "CSO", "evseId": 1}
    reply = await rig.call("k-2", "ReportChargingProfiles", payload)
    assert reply[:3] == [4, "k-2", "OccurrenceConstraintViolation"]
