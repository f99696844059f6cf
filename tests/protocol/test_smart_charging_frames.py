"""Smart-charging commands as exact 1.6 and 2.0.1 frames (schema-valid), and their answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from forecourt.domain.charging_profiles import (
    ChargingProfile,
    ChargingSchedule,
    ProfileClear,
    ProfileKind,
    ProfilePurpose,
    RateUnit,
    Recurrency,
    SchedulePeriod,
)
from forecourt.domain.commands import (
    ClearChargingProfile,
    Command,
    CommandStatus,
    GetChargingProfiles,
    GetCompositeSchedule,
    SetChargingProfile,
)
from forecourt.domain.errors import CommandNotSupported, InvalidInput
from forecourt.ocpp.v16 import ADAPTER as V16
from forecourt.ocpp.v201 import ADAPTER as V201
from forecourt.ocpp.v201.smart_charging import neutral_profile, wire_profile
from forecourt.ocpp.validation import validator_for
from forecourt.ocpp.versions import OcppVersion

START = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
TX_PROFILE = ChargingProfile(
    id=7,
    stack_level=1,
    purpose=ProfilePurpose.TX,
    kind=ProfileKind.ABSOLUTE,
    schedule=ChargingSchedule(
        RateUnit.AMPS, (SchedulePeriod(0, 16.0, 3), SchedulePeriod(900, 10.0)), START, 3600
    ),
    station_tx_id="42",
)
DAILY_MAX = ChargingProfile(
    id=1,
    stack_level=0,
    purpose=ProfilePurpose.STATION_MAX,
    kind=ProfileKind.RECURRING,
    schedule=ChargingSchedule(RateUnit.WATTS, (SchedulePeriod(0, 50_000.0),), START),
    recurrency=Recurrency.DAILY,
    valid_to=datetime(2027, 1, 1, tzinfo=UTC),
)
PERIODS_16 = [
    {"startPeriod": 0, "limit": 16.0, "numberPhases": 3},
    {"startPeriod": 900, "limit": 10.0},
]

V16_FRAMES: list[tuple[Command, str, dict[str, Any]]] = [
    (
        SetChargingProfile(1, TX_PROFILE),
        "SetChargingProfile",
        {
            "connectorId": 1,
            "csChargingProfiles": {
                "chargingProfileId": 7,
                "stackLevel": 1,
                "chargingProfilePurpose": "TxProfile",
                "chargingProfileKind": "Absolute",
                "chargingSchedule": {
                    "chargingRateUnit": "A",
                    "chargingSchedulePeriod": PERIODS_16,
                    "duration": 3600,
                    "startSchedule": "2026-12-07T08:00:00Z",
                },
                "transactionId": 42,
            },
        },
    ),
    (
        SetChargingProfile(0, DAILY_MAX),
        "SetChargingProfile",
        {
            "connectorId": 0,
            "csChargingProfiles": {
                "chargingProfileId": 1,
                "stackLevel": 0,
                "chargingProfilePurpose": "ChargePointMaxProfile",
                "chargingProfileKind": "Recurring",
                "chargingSchedule": {
                    "chargingRateUnit": "W",
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 50_000.0}],
                    "startSchedule": "2026-12-07T08:00:00Z",
                },
                "recurrencyKind": "Daily",
                "validTo": "2027-01-01T00:00:00Z",
            },
        },
    ),
    (ClearChargingProfile(), "ClearChargingProfile", {}),
    (ClearChargingProfile(ProfileClear(profile_id=7)), "ClearChargingProfile", {"id": 7}),
    (
        ClearChargingProfile(ProfileClear(evse_id=1, purpose=ProfilePurpose.TX_DEFAULT)),
        "ClearChargingProfile",
        {"connectorId": 1, "chargingProfilePurpose": "TxDefaultProfile"},
    ),
    (
        GetCompositeSchedule(1, 3600, RateUnit.WATTS),
        "GetCompositeSchedule",
        {"connectorId": 1, "duration": 3600, "chargingRateUnit": "W"},
    ),
]

V201_FRAMES: list[tuple[Command, str, dict[str, Any]]] = [
    (
        SetChargingProfile(1, TX_PROFILE),
        "SetChargingProfile",
        {
            "evseId": 1,
            "chargingProfile": {
                "id": 7,
                "stackLevel": 1,
                "chargingProfilePurpose": "TxProfile",
                "chargingProfileKind": "Absolute",
                "chargingSchedule": [
                    {
                        "id": 7,
                        "chargingRateUnit": "A",
                        "chargingSchedulePeriod": PERIODS_16,
                        "duration": 3600,
                        "startSchedule": "2026-12-07T08:00:00Z",
                    }
                ],
                "transactionId": "42",
            },
        },
    ),
    (
        SetChargingProfile(0, DAILY_MAX),
        "SetChargingProfile",
        {
            "evseId": 0,
            "chargingProfile": {
                "id": 1,
                "stackLevel": 0,
                "chargingProfilePurpose": "ChargingStationMaxProfile",
                "chargingProfileKind": "Recurring",
                "chargingSchedule": [
                    {
                        "id": 1,
                        "chargingRateUnit": "W",
                        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 50_000.0}],
                        "startSchedule": "2026-12-07T08:00:00Z",
                    }
                ],
                "recurrencyKind": "Daily",
                "validTo": "2027-01-01T00:00:00Z",
            },
        },
    ),
    (ClearChargingProfile(), "ClearChargingProfile", {}),
    (
        ClearChargingProfile(ProfileClear(profile_id=7)),
        "ClearChargingProfile",
        {"chargingProfileId": 7},
    ),
    (
        ClearChargingProfile(ProfileClear(evse_id=1, purpose=ProfilePurpose.TX_DEFAULT)),
        "ClearChargingProfile",
        {"chargingProfileCriteria": {"evseId": 1, "chargingProfilePurpose": "TxDefaultProfile"}},
    ),
    (
        GetCompositeSchedule(1, 3600, RateUnit.AMPS),
        "GetCompositeSchedule",
        {"evseId": 1, "duration": 3600, "chargingRateUnit": "A"},
    ),
    (
        GetChargingProfiles(5, evse_id=1, purpose=ProfilePurpose.TX, profile_ids=(7, 8)),
        "GetChargingProfiles",
        {
            "requestId": 5,
            "evseId": 1,
            "chargingProfile": {"chargingProfilePurpose": "TxProfile", "chargingProfileId": [7, 8]},
        },
    ),
    (GetChargingProfiles(6), "GetChargingProfiles", {"requestId": 6, "chargingProfile": {}}),
]

CASES = [(V16, OcppVersion.V16, *f) for f in V16_FRAMES] + [
    (V201, OcppVersion.V201, *f) for f in V201_FRAMES
]


@pytest.mark.parametrize(("adapter", "version", "command", "action", "payload"), CASES)
def test_frames_are_exact_and_schema_valid(
    adapter: Any, version: OcppVersion, command: Command, action: str, payload: dict[str, Any]
) -> None:
    assert adapter.render(command) == (action, payload)
    validator_for(version).validate_request(action, payload)


def test_16_has_no_profile_report_and_wants_integer_transactions() -> None:
    with pytest.raises(CommandNotSupported, match=r"2\.0\.1 only"):
        V16.render(GetChargingProfiles(1))
    bad = SetChargingProfile(1, ChargingProfile(**{**_fields(TX_PROFILE), "station_tx_id": "x"}))
    with pytest.raises(InvalidInput, match="integers"):
        V16.render(bad)


def test_201_transaction_profiles_name_their_transaction() -> None:
    anonymous = ChargingProfile(**{**_fields(TX_PROFILE), "station_tx_id": None})
    with pytest.raises(InvalidInput, match=r"K01\.FR\.03"):
        V201.render(SetChargingProfile(1, anonymous))


def test_invalid_profiles_are_never_rendered() -> None:
    bad = ChargingProfile(**{**_fields(DAILY_MAX), "recurrency": None})
    for adapter in (V16, V201):
        with pytest.raises(InvalidInput, match="recurrency"):
            adapter.render(SetChargingProfile(0, bad))


def test_201_profiles_read_back_as_they_were_sent() -> None:
    assert neutral_profile(wire_profile(TX_PROFILE)) == TX_PROFILE
    assert neutral_profile(wire_profile(DAILY_MAX)) == DAILY_MAX


ANSWERS = [
    (V16, OcppVersion.V16, SetChargingProfile(1, TX_PROFILE), {"status": "Accepted"}, "accepted"),
    (V16, OcppVersion.V16, SetChargingProfile(1, TX_PROFILE), {"status": "Rejected"}, "rejected"),
    (
        V16, OcppVersion.V16, SetChargingProfile(1, TX_PROFILE),
        {"status": "NotSupported"}, "not_supported",
    ),
    (V16, OcppVersion.V16, ClearChargingProfile(), {"status": "Unknown"}, "rejected"),
    (V201, OcppVersion.V201, SetChargingProfile(1, TX_PROFILE), {"status": "Accepted"}, "accepted"),
    (V201, OcppVersion.V201, ClearChargingProfile(), {"status": "Accepted"}, "accepted"),
    (V201, OcppVersion.V201, GetChargingProfiles(3), {"status": "NoProfiles"}, "accepted"),
]  # fmt: skip


@pytest.mark.parametrize(("adapter", "version", "command", "response", "status"), ANSWERS)
def test_answers(
    adapter: Any, version: OcppVersion, command: Command, response: dict[str, Any], status: str
) -> None:
    action, _ = adapter.render(command)
    validator_for(version).validate_response(action, response)
    assert adapter.interpret(command, response).status is CommandStatus(status)


def test_composite_answers_become_neutral_schedules() -> None:
    periods = [{"startPeriod": 0, "limit": 11_000.0}, {"startPeriod": 600, "limit": 4000.0}]
    answer_16 = {
        "status": "Accepted",
        "connectorId": 1,
        "scheduleStart": "2026-12-07T08:00:00Z",
        "chargingSchedule": {
            "duration": 3600,
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": periods,
        },
    }
    answer_201 = {
        "status": "Accepted",
        "schedule": {
            "evseId": 1,
            "duration": 3600,
            "scheduleStart": "2026-12-07T08:00:00Z",
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": periods,
        },
    }
    expected = {
        "evse_id": 1,
        "start": "2026-12-07T08:00:00Z",
        "duration_s": 3600,
        "unit": "W",
        "periods": [{"start_s": 0, "limit": 11_000.0}, {"start_s": 600, "limit": 4000.0}],
    }
    command = GetCompositeSchedule(1, 3600)
    for adapter, version, answer in (
        (V16, OcppVersion.V16, answer_16),
        (V201, OcppVersion.V201, answer_201),
    ):
        validator_for(version).validate_response("GetCompositeSchedule", answer)
        result = adapter.interpret(command, answer)
        assert result.status is CommandStatus.ACCEPTED
        assert result.data["schedule"] == expected


def _fields(profile: ChargingProfile) -> dict[str, Any]:
    return {name: getattr(profile, name) for name in profile.__dataclass_fields__}
