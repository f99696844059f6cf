"""Allocation tables: departure-aware shares and per-phase balancing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from forecourt.smart_charging.domain.allocation import (
    EvseRef,
    EvseState,
    Plan,
    Policy,
    Reason,
    rebalance,
)
from forecourt.smart_charging.domain.departure import SOONEST_S, needed_w
from forecourt.smart_charging.domain.phases import PhaseLimit

AC_MIN = 6 * 230 * 3  # 4140 W
AC_MAX = 32 * 230 * 3  # 22080 W
ONE_MIN, ONE_MAX = 6 * 230, 32 * 230  # a single-phase car: 1380 W, 7360 W
NOW = datetime(2026, 12, 7, 16, tzinfo=UTC)
S, C, P, PH = Reason.SHARE, Reason.CAR_LIMIT, Reason.PAUSED, Reason.PHASE_LIMIT


def ev(n: int, need_w: float | None = None, **changes: object) -> EvseState:
    state = EvseState(EvseRef(f"CS-{n}", 1), True, min_w=AC_MIN, max_w=AC_MAX, need_w=need_w)
    return state.__class__(**{**{f: getattr(state, f) for f in state.__slots__}, **changes})


def one_phase(n: int, phase: int, **changes: object) -> EvseState:
    return ev(n, min_w=ONE_MIN, max_w=ONE_MAX, phases=(phase,), **changes)


def shares(plan: Plan) -> list[tuple[float, Reason]]:
    return [(a.watts, a.reason) for a in plan.allocations]


@pytest.mark.parametrize(
    ("energy_wh", "departure", "expected"),
    [
        (30_000, NOW + timedelta(hours=2), 15_000.0),  # 30 kWh in 2 h
        (30_000, NOW + timedelta(hours=6), 5_000.0),  # later: less power
        (60_000, NOW + timedelta(hours=6), 10_000.0),  # more energy: more power
        (10_000, NOW - timedelta(hours=1), 10_000 * 3600 / SOONEST_S),  # late: all it can
        (None, NOW + timedelta(hours=1), None),
        (10_000, None, None),
        (0, NOW + timedelta(hours=1), None),  # nothing needed
    ],
)
def test_needed_power(energy_wh: float | None, departure: datetime | None, expected: float) -> None:
    assert needed_w(energy_wh, departure, NOW) == expected


DEPART = Policy.DEPARTURE
# (limit W, EVSEs, expected (watts, reason) in EVSE order)
DEPARTURE_TABLE = [
    # the car leaving soon with much to charge gets its 15 kW; the others share the rest
    (30_000, [ev(1, 15_000), ev(2, 2_000), ev(3)], [(15_000, S), (7_500, S), (7_500, S)]),
    # fair share would give 10 kW each; it needs only 9 kW, so the others get more than it
    (30_000, [ev(1, 9_000), ev(2), ev(3)], [(10_000, S), (10_000, S), (10_000, S)]),
    # needs above the limit: the same fraction of each need (above the minimum) for all
    (
        20_000,
        [ev(1, 15_000), ev(2, 9_000), ev(3)],
        [(9_376, S), (6_483, S), (4_140, S)],
    ),
    # a need above what the car can take is capped at it: the rest goes to the others
    (40_000, [ev(1, 30_000, can_take_w=8_000), ev(2)], [(8_000, C), (22_080, S)]),
    # plenty: everyone gets all it can take, needs or not
    (100_000, [ev(1, 15_000), ev(2)], [(AC_MAX, S), (AC_MAX, S)]),
]


@pytest.mark.parametrize(("limit", "evses", "expected"), DEPARTURE_TABLE)
def test_departure_policy(
    limit: float, evses: list[EvseState], expected: list[tuple[float, Reason]]
) -> None:
    plan = rebalance(limit, evses, DEPART)
    assert shares(plan) == expected
    assert plan.total_w <= limit


def test_an_earlier_departure_or_a_bigger_need_gets_more() -> None:
    soon = needed_w(20_000, NOW + timedelta(hours=2), NOW)
    late = needed_w(20_000, NOW + timedelta(hours=8), NOW)
    more = needed_w(40_000, NOW + timedelta(hours=8), NOW)
    plan = rebalance(18_000, [ev(1, soon), ev(2, late), ev(3, more)], DEPART).watts()
    one, two, three = (plan[EvseRef(f"CS-{n}", 1)] for n in (1, 2, 3))
    assert one > three > two


PHASE_32 = PhaseLimit(32)
# (limit W, phase limit, EVSEs, expected (watts, reason) in EVSE order)
PHASE_TABLE = [
    # three single-phase cars on L1 share its 32 A (the total limit is far away)
    (
        100_000,
        PHASE_32,
        [one_phase(1, 1), one_phase(2, 1), one_phase(3, 1)],
        [(2_453, PH)] * 3,
    ),
    # one car per phase: each has its phase to itself
    (100_000, PhaseLimit(16), [one_phase(n, n) for n in (1, 2, 3)], [(3_680, PH)] * 3),
    # a three-phase car and two single-phase cars on L1: L1 is shared in amps; the
    # three-phase car's current is the same on L2 and L3
    (
        100_000,
        PHASE_32,
        [ev(1), one_phase(2, 1), one_phase(3, 1)],
        [(7_360, PH), (2_453, PH), (2_453, PH)],
    ),
    # 40 A phases: L1 holds the three-phase car and the L1 car at 20 A each; the L2 car gets
    # what L2 has left next to the three-phase car (20 A); L3 carries only 20 A
    (
        100_000,
        PhaseLimit(40),
        [ev(1), one_phase(2, 1), one_phase(3, 2)],
        [(13_800, PH), (4_600, PH), (4_600, PH)],
    ),
    # the minimum of a car does not fit on its phase: it is paused, not the phase overloaded
    (100_000, PhaseLimit(10), [one_phase(1, 2), one_phase(2, 2)], [(2_300, PH), (0, P)]),
    # a binding phase is shared by the policy too: see test_departures_count_on_a_full_phase
    # without a phase limit, phases change nothing
    (100_000, None, [one_phase(1, 1), one_phase(2, 1)], [(ONE_MAX, S), (ONE_MAX, S)]),
]


@pytest.mark.parametrize(("limit", "phase_limit", "evses", "expected"), PHASE_TABLE)
def test_phase_balancing(
    limit: float,
    phase_limit: PhaseLimit | None,
    evses: list[EvseState],
    expected: list[tuple[float, Reason]],
) -> None:
    plan = rebalance(limit, evses, Policy.FAIR_SHARE, phase_limit)
    assert shares(plan) == expected
    if phase_limit is not None:
        assert_phases_hold(plan, evses, phase_limit)


def test_departures_count_on_a_full_phase() -> None:
    """Two single-phase cars on L1 (32 A): the one that must leave with 5.5 kWh in an hour
    gets its 24 A (5520 W); the other the remaining 8 A. Fair share would give 16 A each."""
    need = needed_w(5_520, NOW + timedelta(hours=1), NOW)
    evses = [one_phase(1, 1, need_w=need), one_phase(2, 1)]
    plan = rebalance(100_000, evses, DEPART, PHASE_32)
    assert shares(plan) == [(5_520, PH), (1_840, PH)]
    fair = rebalance(100_000, evses, Policy.FAIR_SHARE, PHASE_32)
    assert shares(fair) == [(3_680, PH), (3_680, PH)]


def phase_amps(plan: Plan, evses: list[EvseState], volts: float) -> dict[int, float]:
    watts = plan.watts()
    amps = dict.fromkeys((1, 2, 3), 0.0)
    for evse in evses:
        for phase in evse.phases:
            amps[phase] += watts[evse.ref] / (volts * len(evse.phases))
    return amps


def assert_phases_hold(plan: Plan, evses: list[EvseState], limit: PhaseLimit) -> None:
    for phase, amps in phase_amps(plan, evses, limit.volts).items():
        assert amps <= limit.amps + 1e-6, f"L{phase} carries {amps:.2f} A"


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("policy", list(Policy))
def test_no_phase_and_no_total_is_ever_exceeded(seed: int, policy: Policy) -> None:
    """Random sites: whatever the mix, policy and needs, every phase and the total hold."""
    rng = random.Random(seed)
    evses = []
    for n in range(rng.randint(1, 12)):
        need = rng.choice([None, rng.uniform(0, 25_000)])
        take = rng.choice([None, rng.uniform(0, 22_000)])
        priority = rng.randint(0, 2)
        if rng.random() < 0.5:
            evses.append(one_phase(n, rng.randint(1, 3), need_w=need, can_take_w=take,
                                   priority=priority))  # fmt: skip
        else:
            evses.append(ev(n, need, can_take_w=take, priority=priority))
    limit = PhaseLimit(rng.uniform(6, 80))
    total = rng.uniform(5_000, 120_000)
    plan = rebalance(total, evses, policy, limit)
    assert plan.total_w <= total
    assert_phases_hold(plan, evses, limit)
