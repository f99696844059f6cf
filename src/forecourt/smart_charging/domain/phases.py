"""Per-phase balancing: a site limit in amps on every phase, not only in total.

Each EVSE loads the site phases it is wired to and the car uses: a three-phase car (or a DC
charger) all three evenly, a single-phase car only its one. Amps on a phase are the EVSE's
watts / (phase voltage x the number of phases it loads). Minimums are granted only while
every phase they load has room. After the policy has shared the power, the EVSEs of the most
overloaded phase share that phase in amps by the same policy (departures and priority
classes still count when a phase binds) and are capped there; the others share what that
freed, and so on: a phase once balanced only loses load afterwards, so at most one pass per
phase.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from forecourt.domain.charging_profiles import NOMINAL_VOLTAGE
from forecourt.smart_charging.domain.levels import EvseRef, EvseState

PHASES = (1, 2, 3)
#: The policy's sharing: ``extra`` above the members' minimums -> each member's level. It is
#: unit-free, so the same policy shares a phase in amps as it shares the site in watts.
Share = Callable[[Sequence[EvseState], float], Mapping[EvseRef, float]]


@dataclass(frozen=True, slots=True)
class PhaseLimit:
    amps: float  # on each phase
    volts: float = NOMINAL_VOLTAGE  # phase (line-neutral) voltage


class PhaseBudget:
    """Amps left on each phase (without a limit: unbounded, and every check passes)."""

    def __init__(self, limit: PhaseLimit | None) -> None:
        self.limit = limit
        self.left = dict.fromkeys(PHASES, limit.amps if limit else 0.0)

    def amps(self, evse: EvseState, watts: float) -> float:
        volts = self.limit.volts if self.limit else NOMINAL_VOLTAGE
        return watts / (volts * len(evse.phases))

    def fits(self, evse: EvseState, watts: float) -> bool:
        if self.limit is None:
            return True
        amps = self.amps(evse, watts)
        return all(amps <= self.left[p] + 1e-9 for p in evse.phases)

    def take(self, evse: EvseState, watts: float) -> None:
        for phase in evse.phases:
            self.left[phase] -= self.amps(evse, watts)

    def fill(
        self, members: Sequence[EvseState], extra: float, share: Share
    ) -> tuple[dict[EvseRef, float], set[EvseRef]]:
        """``extra`` shared by the policy (minimums already taken), capped so no phase
        exceeds its limit; also which EVSEs a phase capped."""
        states = list(members)
        capped: set[EvseRef] = set()
        result = dict(share(states, extra))
        for _ in PHASES:
            phase = self._worst(states, result)
            if phase is None:
                break
            caps = self._phase_caps(phase, states, share)
            capped |= set(caps)
            states = [replace(e, can_take_w=caps[e.ref]) if e.ref in caps else e for e in states]
            result = dict(share(states, extra))
        return result, capped

    def _worst(self, states: Sequence[EvseState], watts: Mapping[EvseRef, float]) -> int | None:
        """The most overloaded phase above the minimums already taken, if any."""
        if self.limit is None:
            return None
        over = {p: -self.left[p] for p in PHASES}
        for evse in states:
            for phase in evse.phases:
                over[phase] += self.amps(evse, watts[evse.ref] - evse.min_w)
        phase = max(PHASES, key=lambda p: over[p])
        return phase if over[phase] > 1e-6 else None

    def _phase_caps(
        self, phase: int, states: Sequence[EvseState], share: Share
    ) -> dict[EvseRef, float]:
        """Share the phase's room in amps by the policy: the watts each may have at most."""
        on = [e for e in states if phase in e.phases]
        in_amps = [
            replace(e, min_w=self.amps(e, e.min_w), max_w=self.amps(e, e.max_w),
                    can_take_w=self.amps(e, e.demand_w),
                    need_w=None if e.need_w is None else self.amps(e, e.need_w))
            for e in on
        ]  # fmt: skip
        amps = share(in_amps, max(self.left[phase], 0.0))
        return {e.ref: self._watts(e, amps[e.ref]) for e in on}

    def _watts(self, evse: EvseState, amps: float) -> float:
        volts = self.limit.volts if self.limit else NOMINAL_VOLTAGE
        return amps * volts * len(evse.phases)
