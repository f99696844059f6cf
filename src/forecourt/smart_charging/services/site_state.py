"""What a site looks like to the allocation: its EVSEs, sessions, bounds and what cars take.

Read from the core (stations, EVSE ratings, active transactions with their latest metered
power, connectivity) and from the slice's own rows (operator settings, last allocations).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from forecourt.domain.charging_profiles import RateUnit, from_watts
from forecourt.domain.connectors import PowerType
from forecourt.domain.stations import Evse, Station
from forecourt.domain.transactions import Transaction
from forecourt.ports.car_power import CarPowerSource
from forecourt.ports.repositories import UnitOfWork
from forecourt.smart_charging.domain.allocation import EvseRef, EvseState
from forecourt.smart_charging.domain.departure import needed_w
from forecourt.smart_charging.domain.site import SiteLimit
from forecourt.smart_charging.ports import SMART_CHARGING_STORE, EvseSettings, StoredAllocation
from forecourt.smart_charging.services.car_facts import CarFacts, CarFactsReader

#: AC cars stop below 6 A (IEC 61851-1).
AC_MIN_CURRENT_A = 6.0
#: An EVSE without rating or setting: 32 A three-phase.
FALLBACK_MAX_W = 32 * 230 * 3
#: A car is "taking less" when its metered power is below this share of what it was given
#: (and by more than TAKE_MARGIN_W); it is then offered what it takes plus this headroom.
TAKE_RATIO = 0.8
TAKE_MARGIN_W = 500.0
HEADROOM = 1.1
ALL_PHASES = (1, 2, 3)
NO_FACTS = CarFacts()
#: Seconds a session ramps up before its metered power says what the car can take.
SETTLE_S = 60.0


@dataclass(frozen=True, slots=True)
class EvseView:
    """One EVSE as the allocation sees it, with what sending its profile needs."""

    state: EvseState
    ac: bool
    tx: Transaction | None
    previous: StoredAllocation | None
    car: CarFacts = NO_FACTS


async def gather(
    uow: UnitOfWork,
    site: SiteLimit,
    now: datetime,
    settle_s: float = SETTLE_S,
    car_power: CarPowerSource | None = None,
) -> list[EvseView]:
    """Every EVSE of the site's stations, sorted by reference. A session younger than
    ``settle_s`` is still ramping up: what it takes says nothing about what it can take."""
    stations = await uow.stations.list(site.site_id)
    store = uow.repository(SMART_CHARGING_STORE)
    ids = [s.id for s in stations]
    settings = {s.ref: s for s in await store.evse_settings(ids)}
    departures = {d.ref: d for d in await store.departures(ids)}
    previous = {a.ref: a for a in await store.allocations(site.site_id)}
    reader = CarFactsReader(uow, site, car_power)
    views = []
    for station in stations:
        sessions = await _sessions(uow, station)
        given = {r.evse_id: d for r, d in departures.items() if r.station_id == station.id}
        facts = await reader.station(station, sessions, given)
        for evse in station.evses:
            ref = EvseRef(station.id, evse.evse_id)
            tx = sessions.get(evse.evse_id)
            before = previous.get(ref)
            moment = Moment(now, _settled(tx, before, now, settle_s))
            car = facts.get(evse.evse_id, NO_FACTS)
            views.append(_view(site, station, evse, tx, settings.get(ref), before, moment, car))
    return sorted(views, key=lambda v: v.state.ref)


async def _sessions(uow: UnitOfWork, station: Station) -> dict[int, Transaction]:
    found = {}
    for evse in station.evses:
        active = await uow.transactions.active_on_evse(station.id, evse.evse_id)
        if active:
            found[evse.evse_id] = active[0]
    return found


@dataclass(frozen=True, slots=True)
class Moment:
    now: datetime
    settled: bool  # the session's meter says what the car can take


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
    moment: Moment,
    car: CarFacts,
) -> EvseView:
    ac = is_ac(evse)
    settings = settings or EvseSettings(EvseRef(station.id, evse.evse_id))
    phases = _phases(site, evse, settings, car) if ac else ALL_PHASES[: site.phases]
    default_min = AC_MIN_CURRENT_A * site.voltage * len(phases) if ac else 0.0
    given = None if previous is None else previous.accepted_w
    metered = can_take(tx.power_w if tx is not None and moment.settled else None, given)
    state = EvseState(
        ref=settings.ref,
        charging=tx is not None,
        online=station.connected,
        min_w=default_min if settings.min_w is None else settings.min_w,
        max_w=settings.max_w or rated_w(evse),
        can_take_w=_lowest(metered, car.cap_w),
        last_allocation_w=given,
        priority=settings.priority,
        phases=phases,
        need_w=_need_w(car, tx, moment.now),
    )
    return EvseView(state, ac, tx, previous, car)


def _phases(site: SiteLimit, evse: Evse, settings: EvseSettings, car: CarFacts) -> tuple[int, ...]:
    """The site phases an EVSE loads: its one phase (as wired, L1 unless set) for a
    single-phase EVSE or car, else all the site has (a DC charger's rectifier too)."""
    ratings = {c.rating.power_type for c in evse.connectors if c.rating is not None}
    one_phase_evse = bool(ratings) and ratings <= {PowerType.AC_1_PHASE}
    if car.single_phase or one_phase_evse or site.phases == 1:
        return (settings.phase or 1,)
    return ALL_PHASES[: site.phases]


def _need_w(car: CarFacts, tx: Transaction | None, now: datetime) -> float | None:
    """The mean power still needed by departure (the session's energy so far counts)."""
    if tx is None or car.energy_wh is None:
        return None
    return needed_w(car.energy_wh - tx.energy_wh, car.departure_at, now)


def _lowest(*values: float | None) -> float | None:
    known = [v for v in values if v is not None]
    return min(known) if known else None


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


def profile_limit(watts: float, view: EvseView, site: SiteLimit) -> float:
    """The limit as sent: amps per phase on AC (what AC stations accept), watts on DC;
    rounded down to 0.1 so the sum stays under the site limit."""
    if not view.ac:
        return float(int(watts))
    amps = from_watts(watts, RateUnit.AMPS, len(view.state.phases), site.voltage)
    return int(amps * 10) / 10
