"""Share a site's limit between its EVSEs: deterministic, pure, tested as tables.

1. An offline station keeps its last allocation (it may still be charging at that rate), so
   it is subtracted first and the site never exceeds its limit while the station is away.
2. Every charging EVSE needs its minimum (AC cars stop below about 6 A); minimums are granted
   in priority order while they fit, and an EVSE whose minimum does not fit is paused (0 W).
3. The rest is water-filled: everyone rises to the same level, capped at what the car can
   actually take now (the compatibility estimate, or what the meter shows it taking), so no
   power is reserved for a car that cannot use it. With the priority policy a higher class is
   filled before the next class gets more than its minimum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import groupby


class Policy(StrEnum):
    FAIR_SHARE = "fair_share"  # the same power for every car, up to what each can take
    PRIORITY = "priority"  # higher priority classes are filled first


class Reason(StrEnum):
    SHARE = "share"
    CAR_LIMIT = "car_limit"  # the car takes less than its share
    HELD_OFFLINE = "held_offline"  # offline: its last allocation is assumed
    PAUSED = "paused"  # its minimum does not fit under the limit
    IDLE = "idle"  # no session


@dataclass(frozen=True, slots=True, order=True)
class EvseRef:
    station_id: str
    evse_id: int

    def __str__(self) -> str:
        return f"{self.station_id}/{self.evse_id}"


@dataclass(frozen=True, slots=True)
class EvseState:
    ref: EvseRef
    charging: bool
    online: bool = True
    min_w: float = 0.0  # the AC minimum current as watts (0 for DC)
    max_w: float = 0.0  # the EVSE's rating or the operator's maximum
    can_take_w: float | None = None  # what the car can take now; None: unknown (its max)
    last_allocation_w: float | None = None  # what it was last told
    priority: int = 0  # higher is served first (policy PRIORITY)

    @property
    def demand_w(self) -> float:
        take = self.max_w if self.can_take_w is None else min(self.max_w, self.can_take_w)
        return max(take, self.min_w)


@dataclass(frozen=True, slots=True)
class Allocation:
    ref: EvseRef
    watts: float
    reason: Reason


@dataclass(frozen=True, slots=True)
class Plan:
    limit_w: float
    allocations: tuple[Allocation, ...]

    @property
    def total_w(self) -> float:
        return sum(a.watts for a in self.allocations)

    def watts(self) -> dict[EvseRef, float]:
        return {a.ref: a.watts for a in self.allocations}


def rebalance(limit_w: float, evses: Sequence[EvseState], policy: Policy) -> Plan:
    """Every EVSE's allocation under ``limit_w`` (sorted by EVSE; sums to <= the limit)."""
    out: dict[EvseRef, Allocation] = {}
    budget = limit_w
    for evse in evses:
        if not evse.online:
            held = _held(evse)
            out[evse.ref] = Allocation(evse.ref, held, Reason.HELD_OFFLINE)
            budget -= held
        elif not evse.charging:
            out[evse.ref] = Allocation(evse.ref, 0.0, Reason.IDLE)
    active = sorted(
        (e for e in evses if e.online and e.charging), key=lambda e: (-e.priority, e.ref)
    )
    granted: list[EvseState] = []
    for evse in active:
        if evse.min_w <= budget:
            granted.append(evse)
            budget -= evse.min_w
        else:
            out[evse.ref] = Allocation(evse.ref, 0.0, Reason.PAUSED)
    for evse, watts in _fill(granted, max(budget, 0.0), policy).items():
        capped = evse.demand_w < evse.max_w and watts >= _floor(evse.demand_w)
        reason = Reason.CAR_LIMIT if capped else Reason.SHARE
        out[evse.ref] = Allocation(evse.ref, watts, reason)
    return Plan(limit_w, tuple(out[ref] for ref in sorted(out)))


def _held(evse: EvseState) -> float:
    if evse.last_allocation_w is not None:
        return evse.last_allocation_w
    return evse.max_w if evse.charging else 0.0


def _fill(granted: list[EvseState], extra: float, policy: Policy) -> dict[EvseState, float]:
    """Above the minimums already granted, water-fill ``extra`` (per class by priority)."""
    result = {e: e.min_w for e in granted}
    if policy is Policy.PRIORITY:
        classes = [list(g) for _, g in groupby(granted, key=lambda e: -e.priority)]
    else:
        classes = [granted]
    for members in classes:
        levels = _water_fill(members, extra + sum(e.min_w for e in members))
        extra -= sum(levels[e] - e.min_w for e in members)
        result.update(levels)
    return {e: _floor(w) for e, w in result.items()}


def _water_fill(members: Sequence[EvseState], budget: float) -> Mapping[EvseState, float]:
    """The level L with sum(clamp(L, min, demand)) = budget, each member at its clamp."""

    def total(level: float) -> float:
        return sum(min(max(level, e.min_w), e.demand_w) for e in members)

    points = sorted({0.0, *(e.min_w for e in members), *(e.demand_w for e in members)})
    if not members or total(points[-1]) <= budget:
        return {e: e.demand_w for e in members}
    low = points[0]
    for high in points[1:]:
        if total(high) > budget:  # the level lies in [low, high]: linear in between
            slope = total(high) - total(low)
            level = low + (high - low) * (budget - total(low)) / slope if slope else low
            return {e: min(max(level, e.min_w), e.demand_w) for e in members}
        low = high
    return {e: e.demand_w for e in members}  # pragma: no cover (the first test returned)


def _floor(watts: float) -> float:
    """Whole watts, rounded down so the sum never creeps over the limit."""
    return float(int(watts))


def changes(
    plan: Plan, previous: Mapping[EvseRef, float], tolerance_w: float = 100.0
) -> list[Allocation]:
    """What must be sent: allocations that moved by more than ``tolerance_w``, decreases first
    so the site stays under its limit while the increases are on their way."""
    moved = [
        a
        for a in plan.allocations
        if a.reason is not Reason.HELD_OFFLINE
        and (a.ref not in previous or abs(previous[a.ref] - a.watts) > tolerance_w)
    ]
    return sorted(moved, key=lambda a: (a.watts - previous.get(a.ref, 0.0) > 0, a.ref))
