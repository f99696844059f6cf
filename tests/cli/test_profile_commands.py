"""``forecourt command STATION set-profile|clear-profile|composite|get-profiles`` through a
real HTTP server to a scripted station."""

from __future__ import annotations

import json

import pytest

from forecourt.domain import commands as cmd
from forecourt.domain.charging_profiles import (
    ChargingProfile,
    ChargingSchedule,
    ProfileClear,
    ProfileKind,
    ProfilePurpose,
    RateUnit,
    SchedulePeriod,
)
from tests.api.fakes import ScriptedGateway
from tests.cli.conftest import Cli


def _profile(purpose: ProfilePurpose, kind: ProfileKind, limit: float, unit: RateUnit,
             tx: str | None = None, stack: int = 0) -> ChargingProfile:  # fmt: skip
    schedule = ChargingSchedule(unit, (SchedulePeriod(0, limit),))
    return ChargingProfile(1, stack, purpose, kind, schedule, station_tx_id=tx)


WHOLE = {
    "id": 5,
    "stack_level": 2,
    "purpose": "station_max",
    "kind": "absolute",
    "schedule": {"unit": "W", "periods": [{"start_s": 0, "limit": 40000}]},
}

TRANSLATIONS: list[tuple[list[str], cmd.Command]] = [
    (
        ["set-profile", "--evse", "1", "--limit", "16", "--unit", "A"],
        cmd.SetChargingProfile(
            1, _profile(ProfilePurpose.TX_DEFAULT, ProfileKind.ABSOLUTE, 16, RateUnit.AMPS)
        ),
    ),
    (
        ["set-profile", "--evse", "2", "--limit", "7400", "--purpose", "tx", "--tx", "42"],
        cmd.SetChargingProfile(
            2, _profile(ProfilePurpose.TX, ProfileKind.RELATIVE, 7400, RateUnit.WATTS, "42")
        ),
    ),
    (
        ["set-profile", "--profile-json", json.dumps(WHOLE)],
        cmd.SetChargingProfile(
            0,
            ChargingProfile(
                5,
                2,
                ProfilePurpose.STATION_MAX,
                ProfileKind.ABSOLUTE,
                ChargingSchedule(RateUnit.WATTS, (SchedulePeriod(0, 40000.0),)),
            ),
        ),
    ),
    (["clear-profile"], cmd.ClearChargingProfile(ProfileClear())),
    (
        ["clear-profile", "--evse", "1", "--purpose", "tx_default"],
        cmd.ClearChargingProfile(ProfileClear(evse_id=1, purpose=ProfilePurpose.TX_DEFAULT)),
    ),
    (
        ["composite", "--evse", "1", "--duration", "600", "--unit", "W"],
        cmd.GetCompositeSchedule(1, 600, RateUnit.WATTS),
    ),
    (["get-profiles", "--request-id", "3"], cmd.GetChargingProfiles(3)),
]


@pytest.mark.parametrize(
    ("words", "command"), TRANSLATIONS, ids=[" ".join(words[:3]) for words, _ in TRANSLATIONS]
)
def test_each_profile_command_reaches_the_station(
    remote: Cli, gateway: ScriptedGateway, words: list[str], command: cmd.Command
) -> None:
    result = remote("command", "CS-1", *words)

    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert gateway.sent[-1][:2] == ("CS-1", command)


def test_an_invalid_profile_is_refused_with_the_reason(
    remote: Cli, gateway: ScriptedGateway
) -> None:
    bad = {**WHOLE, "kind": "recurring"}
    result = remote("command", "CS-1", "set-profile", "--profile-json", json.dumps(bad))

    assert result.exit_code == 2, result.output
    assert "needs a recurrency" in result.stderr
    assert gateway.sent == []


@pytest.mark.parametrize(
    "words",
    [
        ["set-profile"],  # neither --limit nor --profile-json
        ["set-profile", "--limit", "1", "--profile-json", "{}"],
        ["set-profile", "--profile-json", "[1]"],
        ["set-profile", "--limit", "-5"],
        ["composite", "--duration", "0"],
        ["clear-profile", "--purpose", "everything"],
    ],
)
def test_usage_errors_exit_2(remote: Cli, gateway: ScriptedGateway, words: list[str]) -> None:
    result = remote("command", "CS-1", *words)

    assert result.exit_code == 2, result.output
    assert gateway.sent == []
