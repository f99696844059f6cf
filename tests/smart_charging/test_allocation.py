"""Allocation tables: fair share, car limits, minimums, offline reservations, priorities."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forecourt.domain.charging_profiles import RateUnit
from forecourt.domain.errors import InvalidInput
from forecourt.smart_charging.domain.allocation import (
    Allocation,
    EvseRef,
    EvseState,
    Plan,
    Policy,
    Reason,
    changes,
    rebalance,
)
from forecourt.smart_charging.domain.site import DailyWindow, LimitSignal, SiteLimit

FAIR = Policy.FAIR_SHARE
PRIO = Policy.PRIORITY
AC_MIN = 6 * 230 * 3  # 4140 W
AC_MAX = 32 * 230 * 3  # 22080 W


def ev(
    n: int,
    *,
    charging: bool = True,
    online: bool = True,
    min_w: float = AC_MIN,
    max_w: float = AC_MAX,
    take: float | None = None,
    last: float | None = None,
    priority: int = 0,
) -> EvseState:
    return EvseState(EvseRef(f"CS-{n}", 1), charging, online, min_w, max_w, take, last, priority)


def shares(plan: Plan) -> list[tuple[float, Reason]]:
    return [(a.watts, a.reason) for a in plan.allocations]


S, C, H, P, IDLE = Reason.SHARE, Reason.CAR_LIMIT, Reason.HELD_OFFLINE, Reason.PAUSED, Reason.IDLE

# (limit W, EVSEs, policy, expected (watts, reason) in EVSE order)
TABLE = [
    # plenty: everyone gets what it can take
    (100_000, [ev(1), ev(2)], FAIR, [(AC_MAX, S), (AC_MAX, S)]),
    # scarce: equal shares
    (30_000, [ev(1), ev(2), ev(3)], FAIR, [(10_000, S)] * 3),
    # a car that takes only 5 kW leaves the rest to the others
    (30_000, [ev(1, take=5000), ev(2), ev(3)], FAIR, [(5000, C), (12_500, S), (12_500, S)]),
    # a car below the minimum still gets the minimum (the station cannot go lower)
    (30_000, [ev(1, take=1000), ev(2)], FAIR, [(AC_MIN, C), (AC_MAX, S)]),
    # idle EVSEs get nothing
    (30_000, [ev(1), ev(2, charging=False)], FAIR, [(AC_MAX, S), (0, IDLE)]),
    # an offline station keeps its last allocation; the others share the rest
    (30e3, [ev(1, online=False, last=10e3), ev(2), ev(3)], FAIR, [(10e3, H), (10e3, S), (10e3, S)]),
    # offline with nothing known but a session: its maximum is assumed
    (30_000, [ev(1, online=False, max_w=20_000), ev(2)], FAIR, [(20_000, H), (10_000, S)]),
    # minimums that do not fit: the last in order is paused
    (9000, [ev(1), ev(2), ev(3)], FAIR, [(4500, S), (4500, S), (0, P)]),
    # DC: no minimum, shares by power
    (150_000, [ev(1, min_w=0, max_w=150_000), ev(2, min_w=0, max_w=150_000, take=50_000)], FAIR,
     [(100_000, S), (50_000, C)]),
    # priority classes: the fleet (2) fills first, the rest share what is left
    (40_000, [ev(1), ev(2, priority=2), ev(3)], PRIO, [(8960, S), (AC_MAX, S), (8960, S)]),
    (30_000, [ev(1), ev(2, priority=2), ev(3)], PRIO, [(AC_MIN, S), (21_720, S), (AC_MIN, S)]),
    # under fair share the same priorities only order the minimums
    (9000, [ev(1), ev(2, priority=2), ev(3)], FAIR, [(4500, S), (4500, S), (0, P)]),
    (9000, [ev(1), ev(2), ev(3, priority=2)], FAIR, [(4500, S), (0, P), (4500, S)]),
    # a limit of zero pauses everyone
    (0, [ev(1), ev(2)], FAIR, [(0, P), (0, P)]),
    # uneven shares round down to whole watts
    (10_000, [ev(1, min_w=0), ev(2, min_w=0), ev(3, min_w=0)], FAIR, [(3333, S)] * 3),
]  # fmt: skip


@pytest.mark.parametrize(("limit", "evses", "policy", "expected"), TABLE)
def test_rebalance(
    limit: float, evses: list[EvseState], policy: Policy, expected: list[tuple[float, Reason]]
) -> None:
    plan = rebalance(limit, evses, policy)
    assert shares(plan) == expected
    assert plan.total_w <= limit or any(a.reason is H for a in plan.allocations)


def test_rebalance_is_deterministic_whatever_the_input_order() -> None:
    evses = [ev(n, take=1000 * n) for n in range(1, 9)]
    assert rebalance(50_000, evses, FAIR) == rebalance(50_000, evses[::-1], FAIR)


def test_changes_send_decreases_first_and_skip_small_moves() -> None:
    a, b, c = EvseRef("A", 1), EvseRef("B", 1), EvseRef("C", 1)
    plan = Plan(
        30_000,
        (Allocation(a, 15_000, S), Allocation(b, 5000, S), Allocation(c, 10_050, S)),
    )
    sent = changes(plan, {a: 10_000, b: 10_000, c: 10_000})
    assert [x.ref for x in sent] == [b, a]


def test_every_decrease_is_sent_small_increases_are_not() -> None:
    """200 EVSEs each 74 W lower would be 14.8 kW over the limit if left out."""
    a, b = EvseRef("A", 1), EvseRef("B", 1)
    plan = Plan(20_000, (Allocation(a, 9_926, S), Allocation(b, 10_074, S)))
    assert [x.ref for x in changes(plan, {a: 10_000, b: 10_000})] == [a]


T = datetime(2026, 12, 7, 18, 30, tzinfo=UTC)


def test_site_limit_windows_signals_and_amps() -> None:
    site = SiteLimit("S", 100, RateUnit.AMPS, windows=(DailyWindow(17 * 60, 21 * 60, 50),))
    assert site.watts_at(T) == 50 * 230 * 3
    assert site.watts_at(T.replace(hour=12)) == 100 * 230 * 3
    signal = LimitSignal(20, T + timedelta(minutes=30))
    with_signal = SiteLimit("S", 100, RateUnit.AMPS, signal=signal)
    assert with_signal.watts_at(T) == 20 * 230 * 3
    assert with_signal.watts_at(T + timedelta(minutes=30)) == 100 * 230 * 3


@pytest.mark.parametrize(
    ("site", "message"),
    [
        (SiteLimit("S", -1), ">= 0"),
        (SiteLimit("S", 1, phases=4), "phases"),
        (SiteLimit("S", 1, voltage=5), "voltage"),
        (SiteLimit("S", 1, windows=(DailyWindow(60, 30, 1),)), "daily window"),
        (SiteLimit("S", 1, signal=LimitSignal(1, T.replace(tzinfo=None))), "time zone"),
    ],
)
def test_site_limit_validation(site: SiteLimit, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        site.validate()
