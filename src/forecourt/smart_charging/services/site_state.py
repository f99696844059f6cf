"""What a site looks like to the allocation: its EVSEs, sessions, bounds and what cars take.

Read from the core (stations, EVSE ratings, active transactions with their latest metered
power, connectivity) and from the slice's own rows (operator settings, last allocations).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from forecourt.domain.charging_profiles import RateUnit, from_watts
from forecourt.domain.events import StationEventKind
from forecourt.domain.stations import Evse, ProtocolVersion, Station
from forecourt.domain.transactions import Transaction
from forecourt.ports.repositories import UnitOfWork
from forecourt.smart_charging.domain.allocation import EvseRef, EvseState
from forecourt.smart_charging.domain.site import SiteLimit
from forecourt.smart_charging.ports import SMART_CHARGING_STORE, EvseSettings, StoredAllocation

#: AC cars stop below 6 A (IEC 61851-1).
AC_MIN_CURRENT_A = 6.0
#: An EVSE without rating or setting: 32 A three-phase.
FALLBACK_MAX_W = 32 * 230 * 3
#: A car is "taking less" when its metered power is below this share of what it was given
#: (and by more than TAKE_MARGIN_W); it is then offered what it takes plus this headroom.
TAKE_RATIO = 0.8
TAKE_MARGIN_W = 500.0
HEADROOM = 1.1
#: Seconds a session ramps up before its metered power says what the car can take.
SETTLE_S = 60.0


@dataclass(frozen=True, slots=True)
class EvseView:
    """One EVSE as the allocation sees it, with what sending its profile needs."""

    state: EvseState
    ac: bool
    tx: Transaction | None
    previous: StoredAllocation | None


async def gather(
    uow: UnitOfWork, site: SiteLimit, now: datetime, settle_s: float = SETTLE_S
) -> list[EvseView]:
    """Every EVSE of the site's stations, sorted by reference. A session younger than
    ``settle_s`` is still ramping up: what it takes says nothing about what it can take."""
    stations = await uow.stations.list(site.site_id)
    store = uow.repository(SMART_CHARGING_STORE)
    settings = {s.ref: s for s in await store.evse_settings([s.id for s in stations])}
    previous = {a.ref: a for a in await store.allocations(site.site_id)}
    views = []
    for station in stations:
        needs = await _car_limits(uow, station) if station.protocol is ProtocolVersion.V201 else {}
        for evse in station.evses:
            ref = EvseRef(station.id, evse.evse_id)
            active = await uow.transactions.active_on_evse(station.id, evse.evse_id)
            tx = active[0] if active else None
            before = previous.get(ref)
            settled = _settled(tx, before, now, settle_s)
            view = _view(site, station, evse, tx, settings.get(ref), before, settled)
            car_w = needs.get(evse.evse_id)
            if tx is not None and car_w is not None and car_w[0] >= tx.started_at:
                view = _capped(view, car_w[1])
            views.append(view)
    return sorted(views, key=lambda v: v.state.ref)


async def _car_limits(uow: UnitOfWork, station: Station) -> dict[int, tuple[datetime, float]]:
    """What each car said it can take (2.0.1 NotifyEVChargingNeeds, ISO 15118), per EVSE:
    (when it said so, watts). The newest statement of each EVSE wins."""
    found: dict[int, tuple[datetime, float]] = {}
    kind = StationEventKind.EV_CHARGING_NEEDS
    for event in await uow.events.list(station.id, kind, limit=20):  # newest first
        evse_id, watts = event.data.get("evse_id"), _needs_w(event.data)
        if isinstance(evse_id, int) and watts is not None and evse_id not in found:
            found[evse_id] = (event.at, watts)
    return found


def _needs_w(needs: dict[str, object]) -> float | None:
    power, amps, volts = (needs.get(k) for k in ("max_power_w", "max_current_a", "max_voltage_v"))
    if isinstance(power, int | float) and power > 0:
        return float(power)
    if not (isinstance(amps, int | float) and isinstance(volts, int | float)):
        return None
    phases = {"AC_single_phase": 1, "AC_two_phase": 2, "AC_three_phase": 3}.get(
        str(needs.get("transfer")), 1
    )
    # AC: the car's current on each phase at the phase voltage (its max voltage is line-line)
    per_phase_v = volts / 3**0.5 if phases == 3 else volts
    return float(amps * per_phase_v * phases)


def _capped(view: EvseView, car_w: float) -> EvseView:
    state = view.state
    take = car_w if state.can_take_w is None else min(car_w, state.can_take_w)
    return replace(view, state=replace(state, can_take_w=take))


def _settled(
    tx: Transaction | None, previous: StoredAllocation | None, now: datetime, settle_s: float
) -> bool:
    """The car has ramped up to what it was last given: its meter says what it can take."""
    if tx is None or (now - tx.started_at).total_seconds() < settle_s:
        return False
    return previous is None or (now - previous.at).total_seconds() >= settle_s


def _view(
    site: SiteLimit,
    station: Station,
    evse: Evse,
    tx: Transaction | None,
    settings: EvseSettings | None,
    previous: StoredAllocation | None,
    settled: bool,
) -> EvseView:
    ac = is_ac(evse)
    phases = site.phases if ac else None
    default_min = AC_MIN_CURRENT_A * site.voltage * (phases or 1) if ac else 0.0
    settings = settings or EvseSettings(EvseRef(station.id, evse.evse_id))
    given = None if previous is None else previous.accepted_w
    state = EvseState(
        ref=settings.ref,
        charging=tx is not None,
        online=station.connected,
        min_w=default_min if settings.min_w is None else settings.min_w,
        max_w=settings.max_w or rated_w(evse),
        can_take_w=can_take(tx.power_w if tx is not None and settled else None, given),
        last_allocation_w=given,
        priority=settings.priority,
    )
    return EvseView(state, ac, tx, previous)


def is_ac(evse: Evse) -> bool:
    ratings = [c.rating for c in evse.connectors if c.rating is not None]
    return not ratings or any(r.power_type.is_ac for r in ratings)


def rated_w(evse: Evse) -> float:
    if evse.max_power_w:
        return evse.max_power_w
    ratings = [c.rating.max_power_w for c in evse.connectors if c.rating is not None]
    return max(ratings) if ratings else FALLBACK_MAX_W


def can_take(power_w: float | None, given_w: float | None) -> float | None:
    """What the car takes, when the meter shows it taking clearly less than it was given
    (plus headroom, so a car that can take more again climbs back within a few readings)."""
    if power_w is None or given_w is None:
        return None
    if power_w < given_w * TAKE_RATIO and given_w - power_w > TAKE_MARGIN_W:
        return power_w * HEADROOM + TAKE_MARGIN_W
    return None


def profile_limit(watts: float, ac: bool, site: SiteLimit) -> float:
    """The limit as sent: amps per phase on AC (what AC stations accept), watts on DC;
    rounded down to 0.1 so the sum stays under the site limit."""
    if not ac:
        return float(int(watts))
    amps = from_watts(watts, RateUnit.AMPS, site.phases, site.voltage)
    return int(amps * 10) / 10
