"""Departure-aware allocation: the power a car needs to be ready when its driver leaves.

A car that needs ``energy_wh`` more before ``departure`` needs, on average,
``energy_wh / hours left`` watts: more energy or an earlier departure means more power. The
departure policy first raises every car from its minimum towards that power (capped at what
the car can take); when the needs do not all fit, every car gets the same fraction of its
need (nobody is starved to serve one car first). What is left is water-filled as usual, so a
car without a departure still charges, after those that must be ready.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from forecourt.smart_charging.domain.levels import EvseState

#: A departure this close (or past) is treated as this many seconds away: the car needs all
#: it can take, without dividing by zero.
SOONEST_S = 60.0


def needed_w(energy_wh: float | None, departure: datetime | None, now: datetime) -> float | None:
    """The mean power to deliver ``energy_wh`` by ``departure``; None without both."""
    if energy_wh is None or departure is None or energy_wh <= 0:
        return None
    seconds = max((departure - now).total_seconds(), SOONEST_S)
    return energy_wh * 3600.0 / seconds


def departure_first(members: Sequence[EvseState], extra: float) -> tuple[list[EvseState], float]:
    """Every member's minimum raised by its share of ``extra`` towards its need, and what is
    left of ``extra`` for water-filling."""
    wants = {e.ref: _want(e) for e in members}
    total = sum(wants.values())
    fraction = 1.0 if total <= extra else extra / total
    staged = [replace(e, min_w=e.min_w + wants[e.ref] * fraction) for e in members]
    return staged, max(extra - total * fraction, 0.0)


def _want(evse: EvseState) -> float:
    """Above its minimum, what it needs (at most what it can take)."""
    if evse.need_w is None:
        return 0.0
    return max(min(evse.need_w, evse.demand_w) - evse.min_w, 0.0)
