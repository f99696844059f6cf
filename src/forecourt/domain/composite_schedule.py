"""Composite schedules: the limit an EVSE actually has, from every profile set on it.

The rules (OCPP 1.6 §3.13.2, 2.0.1 K01/K08): within one purpose the active profile with the
highest stack level wins; a transaction profile replaces the transaction default; an
EVSE-specific default replaces a station-wide (EVSE 0) one; the result is the lower of that
and the station maximum. Limits are compared in watts (A x voltage x phases) and the answer
is given in the unit asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from forecourt.domain.charging_profiles import (
    CYCLE_SECONDS,
    NOMINAL_VOLTAGE,
    ChargingProfile,
    ProfileKind,
    ProfilePurpose,
    RateUnit,
    from_watts,
    to_watts,
)

#: The origin of an absolute schedule that names no start and no validity: it always applies.
ALWAYS = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class PlacedProfile:
    """A profile and the EVSE it was set on (0: the whole station)."""

    evse_id: int
    profile: ChargingProfile


@dataclass(frozen=True, slots=True)
class RunningTx:
    """The transaction on the EVSE, if any: relative profiles start with it."""

    station_tx_id: str
    started_at: datetime


@dataclass(frozen=True, slots=True)
class CompositePeriod:
    start_s: int
    limit: float | None  # None: no profile limits the EVSE then (its own maximum holds)


@dataclass(frozen=True, slots=True)
class CompositeSchedule:
    evse_id: int
    start: datetime
    duration_s: int
    unit: RateUnit
    periods: tuple[CompositePeriod, ...]  # empty: nothing limits the EVSE at all


def schedule_origin(
    profile: ChargingProfile, at: datetime, tx: RunningTx | None
) -> datetime | None:
    """When period 0 of the cycle in effect at ``at`` began (None: the profile has no start)."""
    schedule = profile.schedule
    if profile.kind is ProfileKind.RELATIVE:
        return tx.started_at if tx is not None else None
    if schedule.start is None:  # Absolute without a start: from its validity on, or always
        return profile.valid_from or ALWAYS
    if profile.kind is ProfileKind.RECURRING and profile.recurrency is not None:
        cycle = CYCLE_SECONDS[profile.recurrency]
        cycles = (at - schedule.start).total_seconds() // cycle
        return schedule.start + timedelta(seconds=cycles * cycle)
    return schedule.start


def limit_w(
    profile: ChargingProfile, at: datetime, tx: RunningTx | None, voltage: float
) -> float | None:
    """The profile's limit at ``at`` in watts, or None when it does not apply then."""
    if not profile.valid_at(at):
        return None
    origin = schedule_origin(profile, at, tx)
    if origin is None or at < origin:
        return None
    offset = (at - origin).total_seconds()
    schedule = profile.schedule
    if schedule.duration_s is not None and offset >= schedule.duration_s:
        return None
    current = schedule.periods[0]
    for period in schedule.periods:
        if period.start_s <= offset:
            current = period
    return to_watts(current.limit, schedule.unit, current.phases, voltage)


def _winner(
    candidates: Iterable[ChargingProfile], at: datetime, tx: RunningTx | None, voltage: float
) -> float | None:
    """The limit of the highest stack level that applies at ``at``."""
    best: tuple[int, float] | None = None
    for profile in candidates:
        value = limit_w(profile, at, tx, voltage)
        if value is not None and (best is None or profile.stack_level > best[0]):
            best = (profile.stack_level, value)
    return None if best is None else best[1]


def _tx_profiles(
    placed: Sequence[PlacedProfile], evse_id: int, tx: RunningTx | None
) -> list[ChargingProfile]:
    if tx is None:
        return []
    return [
        p.profile
        for p in placed
        if p.evse_id == evse_id
        and p.profile.purpose is ProfilePurpose.TX
        and p.profile.station_tx_id in (None, tx.station_tx_id)
    ]


def limit_at(
    placed: Sequence[PlacedProfile],
    evse_id: int,
    at: datetime,
    tx: RunningTx | None = None,
    voltage: float = NOMINAL_VOLTAGE,
) -> float | None:
    """The EVSE's composite limit at ``at`` in watts; None when no profile limits it."""

    def of(purpose: ProfilePurpose, evse: int) -> list[ChargingProfile]:
        return [p.profile for p in placed if p.evse_id == evse and p.profile.purpose is purpose]

    station_max = _winner(of(ProfilePurpose.STATION_MAX, 0), at, tx, voltage)
    session = _winner(_tx_profiles(placed, evse_id, tx), at, tx, voltage)
    if session is None:
        session = _winner(of(ProfilePurpose.TX_DEFAULT, evse_id), at, tx, voltage)
    if session is None and evse_id != 0:
        session = _winner(of(ProfilePurpose.TX_DEFAULT, 0), at, tx, voltage)
    limits = [v for v in (station_max, session) if v is not None]
    return min(limits) if limits else None


def _changes(
    profile: ChargingProfile, start: datetime, end: datetime, tx: RunningTx | None
) -> Iterator[datetime]:
    """Every instant in [start, end) at which this profile's limit may change."""
    yield from (t for t in (profile.valid_from, profile.valid_to) if t is not None)
    schedule = profile.schedule
    offsets = [p.start_s for p in schedule.periods]
    if schedule.duration_s is not None:
        offsets.append(schedule.duration_s)
    origin = schedule_origin(profile, start, tx)
    if origin is None:
        return
    step = (
        CYCLE_SECONDS[profile.recurrency]
        if profile.kind is ProfileKind.RECURRING and profile.recurrency is not None
        else None
    )
    while origin < end:
        yield from (origin + timedelta(seconds=s) for s in offsets)
        if step is None:
            return
        origin += timedelta(seconds=step)


def composite(
    placed: Sequence[PlacedProfile],
    evse_id: int,
    start: datetime,
    duration_s: int,
    unit: RateUnit = RateUnit.WATTS,
    *,
    tx: RunningTx | None = None,
    phases: int | None = None,
    voltage: float = NOMINAL_VOLTAGE,
) -> CompositeSchedule:
    """The EVSE's limit over ``duration_s`` seconds from ``start``, one period per change."""
    end = start + timedelta(seconds=duration_s)
    instants = {start}
    for item in placed:
        instants.update(t for t in _changes(item.profile, start, end, tx) if start <= t < end)
    periods: list[CompositePeriod] = []
    for at in sorted(instants):
        watts = limit_at(placed, evse_id, at, tx, voltage)
        limit = None if watts is None else round(from_watts(watts, unit, phases, voltage), 1)
        if periods and periods[-1].limit == limit:
            continue
        periods.append(CompositePeriod(int((at - start).total_seconds()), limit))
    if all(p.limit is None for p in periods):
        periods.clear()
    return CompositeSchedule(evse_id, start, duration_s, unit, tuple(periods))
