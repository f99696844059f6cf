"""An EVSE as the allocation sees it, and water-filling: the level every member rises to.

Shared by the policies (``allocation.py``), departure-aware staging (``departure.py``) and
per-phase balancing (``phases.py``, which water-fills in amps on one phase).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


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
    phases: tuple[int, ...] = (1, 2, 3)  # the site phases it loads (a 1-phase car: one)
    need_w: float | None = None  # the mean power to reach its energy by departure (DEPARTURE)

    @property
    def demand_w(self) -> float:
        take = self.max_w if self.can_take_w is None else min(self.max_w, self.can_take_w)
        return max(take, self.min_w)


def water_fill(members: Sequence[EvseState], budget: float) -> Mapping[EvseState, float]:
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
