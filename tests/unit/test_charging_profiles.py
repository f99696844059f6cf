"""Charging-profile validation and composite-schedule arithmetic, as tables."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

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
from forecourt.domain.composite_schedule import (
    CompositePeriod,
    PlacedProfile,
    RunningTx,
    composite,
    limit_at,
)
from forecourt.domain.errors import InvalidInput

T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
MAX = ProfilePurpose.STATION_MAX
DEFAULT = ProfilePurpose.TX_DEFAULT
TX = ProfilePurpose.TX


def profile(
    purpose: ProfilePurpose = DEFAULT,
    *periods: tuple[int, float],
    id: int = 1,
    stack: int = 0,
    unit: RateUnit = RateUnit.WATTS,
    kind: ProfileKind = ProfileKind.ABSOLUTE,
    start: datetime | None = T0,
    **extra: object,
) -> ChargingProfile:
    schedule = ChargingSchedule(
        unit, tuple(SchedulePeriod(s, v) for s, v in periods or [(0, 11_000)]), start
    )
    return replace(ChargingProfile(id, stack, purpose, kind, schedule), **extra)  # type: ignore[arg-type]


VALID = profile()

INVALID = [
    (replace(VALID, id=0), "positive 32-bit"),
    (replace(VALID, stack_level=-1), "stack level"),
    (profile(DEFAULT, (5, 1000)), "first schedule period"),
    (profile(DEFAULT, (0, 1000), (60, 500), (60, 200)), "strictly increasing"),
    (profile(DEFAULT, (0, -1)), ">= 0"),
    (replace(VALID, station_tx_id="7"), "only a transaction profile"),
    (profile(DEFAULT, kind=ProfileKind.RECURRING), "needs a recurrency"),
    (replace(VALID, recurrency=Recurrency.DAILY), "only a recurring"),
    (profile(DEFAULT, kind=ProfileKind.RELATIVE), "starts with its transaction"),
    (profile(MAX, kind=ProfileKind.RELATIVE, start=None), "cannot be relative"),
    (replace(VALID, valid_from=T0, valid_to=T0), "end after it begins"),
    (replace(VALID, valid_from=T0.replace(tzinfo=None)), "time zone"),
    (
        profile(
            DEFAULT, (0, 1), (90_000, 2), kind=ProfileKind.RECURRING, recurrency=Recurrency.DAILY
        ),
        "fits in 86400",
    ),
]


def test_a_valid_profile_passes() -> None:
    VALID.validate()


@pytest.mark.parametrize(("bad", "message"), INVALID)
def test_invalid_profiles_say_what_is_wrong(bad: ChargingProfile, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        bad.validate()


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


TX7 = RunningTx("7", at(10))
D3, D5, D7, D9 = (profile(DEFAULT, (0, w)) for w in (3000, 5000, 7000, 9000))
T8 = profile(TX, (0, 8000), id=2)
STEP = profile(DEFAULT, (0, 7000), (600, 2000))
REL = profile(TX, (0, 1000), (600, 4000), kind=ProfileKind.RELATIVE, start=None)
DAILY = replace(STEP, kind=ProfileKind.RECURRING, recurrency=Recurrency.DAILY)

# (profiles placed as (evse, profile), evse asked, minutes after T0, transaction, watts)
LIMITS = [
    ([], 1, 0, None, None),
    ([(1, D7)], 1, 0, None, 7000),
    ([(1, D7)], 2, 0, None, None),  # another EVSE's default
    ([(0, D7)], 2, 0, None, 7000),  # station-wide default
    # an EVSE's own default replaces the station-wide one, even a lower stack level
    ([(0, replace(D5, stack_level=5)), (1, D9)], 1, 0, None, 9000),
    # the highest stack level wins within one purpose
    ([(1, D7), (1, replace(D3, id=2, stack_level=1))], 1, 0, None, 3000),
    ([(1, D3), (1, replace(D7, id=2, stack_level=1))], 1, 0, None, 7000),
    # a transaction profile replaces the default, only while that transaction runs
    ([(1, D3), (1, T8)], 1, 20, TX7, 8000),
    ([(1, D3), (1, T8)], 1, 20, None, 3000),
    ([(1, replace(T8, station_tx_id="8"))], 1, 20, TX7, None),
    # the station maximum caps everything
    ([(0, profile(MAX, (0, 6000))), (1, T8)], 1, 20, TX7, 6000),
    ([(0, profile(MAX, (0, 9000))), (1, T8)], 1, 20, TX7, 8000),
    # periods: the one started last applies
    ([(1, STEP)], 1, 9, None, 7000),
    ([(1, STEP)], 1, 10, None, 2000),
    # amps per phase: 16 A x 230 V x 3 phases
    ([(1, profile(DEFAULT, (0, 16), unit=RateUnit.AMPS))], 1, 0, None, 11040),
    # not yet valid / no longer valid / before its start
    ([(1, profile(DEFAULT, (0, 7000), valid_from=at(5)))], 1, 0, None, None),
    ([(1, profile(DEFAULT, (0, 7000), valid_to=at(5)))], 1, 5, None, None),
    ([(1, profile(DEFAULT, (0, 7000), start=at(30)))], 1, 0, None, None),
    # a relative profile counts from the transaction's start
    ([(1, REL)], 1, 19, TX7, 1000),
    ([(1, REL)], 1, 20, TX7, 4000),
    # a daily profile repeats: 08:00 + 1 day + 10 min is in its second period again
    ([(1, DAILY)], 1, 24 * 60 + 10, None, 2000),
    ([(1, DAILY)], 1, 24 * 60 + 9, None, 7000),
]  # fmt: skip


@pytest.mark.parametrize(("placed", "evse", "minutes", "tx", "watts"), LIMITS)
def test_limit_at(
    placed: list[tuple[int, ChargingProfile]],
    evse: int,
    minutes: float,
    tx: RunningTx | None,
    watts: float | None,
) -> None:
    profiles = [PlacedProfile(e, p) for e, p in placed]
    assert limit_at(profiles, evse, at(minutes), tx) == watts


def test_composite_merges_every_change_over_the_window() -> None:
    placed = [
        PlacedProfile(0, profile(MAX, (0, 10_000), (1800, 4000))),
        PlacedProfile(1, profile(DEFAULT, (0, 7000), (600, 2000), (1200, 8000), id=2)),
    ]
    schedule = composite(placed, 1, T0, 3600)
    assert schedule.periods == (
        CompositePeriod(0, 7000),
        CompositePeriod(600, 2000),
        CompositePeriod(1200, 8000),
        CompositePeriod(1800, 4000),
    )


def test_composite_in_amps_and_gaps() -> None:
    placed = [PlacedProfile(1, profile(DEFAULT, (0, 16), unit=RateUnit.AMPS, valid_to=at(30)))]
    schedule = composite(placed, 1, T0, 3600, RateUnit.AMPS, phases=3)
    assert schedule.periods == (CompositePeriod(0, 16.0), CompositePeriod(1800, None))
    assert composite([], 1, T0, 3600).periods == ()


def test_composite_of_a_recurring_profile_repeats_each_cycle() -> None:
    daily = profile(
        DEFAULT,
        (0, 7000),
        (3600, 2000),
        kind=ProfileKind.RECURRING,
        recurrency=Recurrency.DAILY,
        start=T0 - timedelta(days=3),
    )
    schedule = composite([PlacedProfile(1, daily)], 1, T0 - timedelta(hours=1), 3 * 3600)
    assert schedule.periods == (
        CompositePeriod(0, 2000),
        CompositePeriod(3600, 7000),
        CompositePeriod(7200, 2000),
    )


CLEARS = [
    (ProfileClear(), 1, True),
    (ProfileClear(profile_id=1), 1, True),
    (ProfileClear(profile_id=2), 1, False),
    (ProfileClear(evse_id=2), 1, False),
    (ProfileClear(evse_id=1, purpose=DEFAULT), 1, True),
    (ProfileClear(purpose=TX), 1, False),
    (ProfileClear(stack_level=0), 1, True),
]


@pytest.mark.parametrize(("clear", "evse", "matches"), CLEARS)
def test_clear_criteria(clear: ProfileClear, evse: int, matches: bool) -> None:
    assert clear.matches(evse, VALID) is matches


def test_an_absolute_profile_without_a_start_applies_from_its_validity_or_always() -> None:
    always = profile(DEFAULT, (0, 5000), start=None)
    assert limit_at([PlacedProfile(1, always)], 1, at(0)) == 5000
    later = replace(always, valid_from=at(30))
    assert limit_at([PlacedProfile(1, later)], 1, at(0)) is None
    assert limit_at([PlacedProfile(1, later)], 1, at(30)) == 5000
    assert composite([PlacedProfile(1, always)], 1, T0, 600).periods == (CompositePeriod(0, 5000),)
