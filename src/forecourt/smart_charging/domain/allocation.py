"""Share a site's limit between its EVSEs: deterministic, pure, tested as tables.

1. An offline station keeps its last allocation (it may still be charging at that rate), so
   it is subtracted first and the site never exceeds its limit while the station is away.
2. Every charging EVSE needs its minimum (AC cars stop below about 6 A); minimums are granted
   in priority order while they fit, and an EVSE whose minimum does not fit is paused (0 W).
3. The rest is water-filled: everyone rises to the same level, capped at what the car can
   actually take now (the compatibility estimate, or what the meter shows it taking), so no
   power is reserved for a car that cannot use it. With the priority policy a higher class is
   filled before the next class gets more than its minimum. With the departure policy, cars
   first get the power they need to reach their energy by their departure (``departure.py``),
   all in the same proportion when that does not fit; the rest is water-filled.
4. With a per-phase limit (amps), no phase carries more: single-phase cars count on their
   phase only, and the EVSEs of an overloaded phase share it in amps by the same policy
   (``phases.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import groupby

from forecourt.smart_charging.domain.departure import departure_first
from forecourt.smart_charging.domain.levels import EvseRef as EvseRef
from forecourt.smart_charging.domain.levels import EvseState as EvseState
from forecourt.smart_charging.domain.levels import water_fill
from forecourt.smart_charging.domain.phases import PhaseBudget, PhaseLimit


class Policy(StrEnum):
    FAIR_SHARE = "fair_share"  # the same power for every car, up to what each can take
    PRIORITY = "priority"  # higher priority classes are filled first
    DEPARTURE = "departure"  # the power each car needs to be ready by its departure, first


class Reason(StrEnum):
    SHARE = "share"
    CAR_LIMIT = "car_limit"  # the car takes less than its share
    HELD_OFFLINE = "held_offline"  # offline: its last allocation is assumed
    PAUSED = "paused"  # its minimum does not fit under the limit
    IDLE = "idle"  # no session
    PHASE_LIMIT = "phase_limit"  # its share would overload a phase of the site


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


def rebalance(
    limit_w: float,
    evses: Sequence[EvseState],
    policy: Policy,
    phase_limit: PhaseLimit | None = None,
) -> Plan:
    """Every EVSE's allocation under ``limit_w`` (sorted by EVSE; sums to <= the limit) and,
    with ``phase_limit``, under it on every phase."""
    out: dict[EvseRef, Allocation] = {}
    budget = limit_w
    phases = PhaseBudget(phase_limit)
    for evse in evses:
        if not evse.online:
            held = _held(evse)
            out[evse.ref] = Allocation(evse.ref, held, Reason.HELD_OFFLINE)
            budget -= held
            phases.take(evse, held)
        elif not evse.charging:
            out[evse.ref] = Allocation(evse.ref, 0.0, Reason.IDLE)
    active = sorted(
        (e for e in evses if e.online and e.charging), key=lambda e: (-e.priority, e.ref)
    )
    granted: list[EvseState] = []
    for evse in active:
        if evse.min_w <= budget and phases.fits(evse, evse.min_w):
            granted.append(evse)
            budget -= evse.min_w
            phases.take(evse, evse.min_w)
        else:
            out[evse.ref] = Allocation(evse.ref, 0.0, Reason.PAUSED)
    extra = max(budget, 0.0)
    levels, phase_capped = phases.fill(
        granted, extra, lambda group, room: _fill(group, room, policy)
    )
    for evse in granted:
        watts = _floor(levels[evse.ref])
        capped = evse.demand_w < evse.max_w and watts >= _floor(evse.demand_w)
        reason = Reason.CAR_LIMIT if capped else Reason.SHARE
        if evse.ref in phase_capped and not capped:
            reason = Reason.PHASE_LIMIT
        out[evse.ref] = Allocation(evse.ref, watts, reason)
    return Plan(limit_w, tuple(out[ref] for ref in sorted(out)))


def _held(evse: EvseState) -> float:
    if evse.last_allocation_w is not None:
        return evse.last_allocation_w
    return evse.max_w if evse.charging else 0.0


def _fill(granted: Sequence[EvseState], extra: float, policy: Policy) -> dict[EvseRef, float]:
    """Above the minimums already granted, share ``extra`` by the policy."""
    if policy is Policy.DEPARTURE:
        granted, extra = departure_first(granted, extra)
    result: dict[EvseRef, float] = {e.ref: e.min_w for e in granted}
    if policy is Policy.PRIORITY:
        classes = [list(g) for _, g in groupby(granted, key=lambda e: -e.priority)]
    else:
        classes = [list(granted)]
    for members in classes:
        levels = water_fill(members, extra + sum(e.min_w for e in members))
        extra -= sum(levels[e] - e.min_w for e in members)
        result.update((e.ref, w) for e, w in levels.items())
    return result


def _floor(watts: float) -> float:
    """Whole watts, rounded down so the sum never creeps over the limit."""
    return float(int(watts))


def changes(
    plan: Plan, previous: Mapping[EvseRef, float], tolerance_w: float = 100.0
) -> list[Allocation]:
    """What must be sent, decreases first so the site stays under its limit while the
    increases are on their way. Every decrease is sent (many small ones left out would add
    up over the limit); an increase only when it is more than ``tolerance_w``."""
    moved = [
        a
        for a in plan.allocations
        if a.reason is not Reason.HELD_OFFLINE
        and (
            a.ref not in previous
            or a.watts < previous[a.ref]
            or a.watts - previous[a.ref] > tolerance_w
        )
    ]
    return sorted(moved, key=lambda a: (a.watts - previous.get(a.ref, 0.0) > 0, a.ref))
