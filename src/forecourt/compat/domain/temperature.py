"""Battery temperature: a cold pack accepts only part of its warm charging curve.

The vehicle curves in the catalogue are for a warm battery.  With an ambient temperature the
estimate assumes the pack starts at :func:`start_temperature_c` (ambient plus what driving
to the charger adds, or :data:`PRECONDITIONED_C` when the car preconditioned it), warms by
:data:`WARMING_C_PER_PERCENT` for every percentage point charged, and accepts
:func:`acceptance` x the warm curve.  The numbers are fitted to the ``fit`` rows of
``benchmarks/data/charge_times_fit.json`` and checked against the independent
``charge_times_validation.json`` (``make bench``); docs/compat.md gives the sources.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

#: A preconditioned pack is brought to about this temperature before fast charging.
PRECONDITIONED_C = 25.0
#: Driving to the charger warms an unconditioned pack this much above ambient (fitted).
DRIVEN_OFFSET_C = 10.0
#: Charging warms the pack (cell resistance losses) this much per percentage point (fitted).
WARMING_C_PER_PERCENT = 0.2
#: Share of the warm charging curve the pack accepts, by pack temperature (°C).  Shape from
#: the cold sessions in docs/compat.md; the offset, warming rate and a common scale of these
#: shares were grid-searched on the fit set's four cold rows only (mean error 26 % -> 22 %).
ACCEPTANCE: tuple[tuple[float, float], ...] = (
    (-20.0, 0.13),
    (-10.0, 0.21),
    (0.0, 0.34),
    (10.0, 0.55),
    (20.0, 0.77),
    (25.0, 1.0),
)
_TEMPS = tuple(temp for temp, _ in ACCEPTANCE)


def acceptance(pack_c: float) -> float:
    """Share (0-1] of the warm curve a pack at ``pack_c`` accepts; 1 at 25 °C and above."""
    index = bisect_right(_TEMPS, pack_c)
    if index == 0:
        return ACCEPTANCE[0][1]
    if index == len(ACCEPTANCE):
        return ACCEPTANCE[-1][1]
    (t0, a0), (t1, a1) = ACCEPTANCE[index - 1], ACCEPTANCE[index]
    return a0 + (a1 - a0) * (pack_c - t0) / (t1 - t0)


def start_temperature_c(ambient_c: float, preconditioned: bool) -> float:
    """The pack's temperature at plug-in."""
    if preconditioned:
        return max(ambient_c, PRECONDITIONED_C)
    return ambient_c + DRIVEN_OFFSET_C


@dataclass(frozen=True, slots=True)
class PackWarmth:
    """How warm the pack is at plug-in; :meth:`factor` gives acceptance as it charges."""

    start_c: float

    @classmethod
    def at(cls, ambient_c: float | None, preconditioned: bool) -> PackWarmth | None:
        """``None`` when the ambient is unknown or the pack is warm anyway (factor 1)."""
        if ambient_c is None:
            return None
        warmth = cls(start_temperature_c(ambient_c, preconditioned))
        return None if acceptance(warmth.start_c) >= 1 else warmth

    def factor(self, charged_percent: float) -> float:
        return acceptance(self.start_c + WARMING_C_PER_PERCENT * max(0.0, charged_percent))
