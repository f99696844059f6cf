"""Charging profiles in neutral terms: what limits a station's power, and when.

One model for every OCPP version (ADR 0010): 1.6 calls the station-wide purpose
``ChargePointMaxProfile``, 2.0.1 ``ChargingStationMaxProfile``; the adapters translate.
A profile is validated once, here, whatever entry point built it (API, CLI, rebalancing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import pairwise

from forecourt.domain.errors import InvalidInput
from forecourt.domain.limits import INT32_MAX


class ProfilePurpose(StrEnum):
    STATION_MAX = "station_max"  # the whole station (EVSE 0): 1.6 ChargePointMaxProfile
    TX_DEFAULT = "tx_default"  # any transaction without its own TxProfile
    TX = "tx"  # one transaction


class ProfileKind(StrEnum):
    ABSOLUTE = "absolute"  # the schedule starts at a fixed instant
    RECURRING = "recurring"  # the schedule repeats daily or weekly from its start
    RELATIVE = "relative"  # the schedule starts when the transaction does


class Recurrency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


class RateUnit(StrEnum):
    AMPS = "A"  # per phase
    WATTS = "W"  # total


#: Seconds in one cycle of a recurring profile.
CYCLE_SECONDS = {Recurrency.DAILY: 86_400, Recurrency.WEEKLY: 7 * 86_400}
#: The mains voltage phase-to-neutral used to convert A <-> W when a profile does not say.
NOMINAL_VOLTAGE = 230.0
DEFAULT_PHASES = 3


@dataclass(frozen=True, slots=True)
class SchedulePeriod:
    """From ``start_s`` seconds after the schedule starts, at most ``limit`` (in its unit)."""

    start_s: int
    limit: float
    phases: int | None = None  # AC phases the car may use (None: the station decides)


@dataclass(frozen=True, slots=True)
class ChargingSchedule:
    unit: RateUnit
    periods: tuple[SchedulePeriod, ...]
    start: datetime | None = None  # Absolute/Recurring: when period 0 begins
    duration_s: int | None = None  # None: the last period holds until the profile ends
    min_rate: float | None = None  # below this the car cannot charge (informative)

    def validate(self) -> None:
        if not self.periods:
            raise InvalidInput("a charging schedule needs at least one period")
        if self.periods[0].start_s != 0:
            raise InvalidInput("the first schedule period must start at 0 s")
        starts = [p.start_s for p in self.periods]
        if any(b <= a for a, b in pairwise(starts)):
            raise InvalidInput("schedule periods must start in strictly increasing order")
        for period in self.periods:
            if not 0 <= period.limit < 1e9:
                raise InvalidInput(f"a schedule limit must be >= 0, got {period.limit}")
            if period.phases is not None and period.phases not in (1, 2, 3):
                raise InvalidInput(f"phases must be 1, 2 or 3, got {period.phases}")
        if self.duration_s is not None and not 0 < self.duration_s <= INT32_MAX:
            raise InvalidInput("a schedule duration must be a positive number of seconds")
        if self.start is not None and self.start.tzinfo is None:
            raise InvalidInput("a schedule start needs a time zone")


@dataclass(frozen=True, slots=True)
class ChargingProfile:
    """One profile as the CSMS sets it on one EVSE (0 = the whole station)."""

    id: int
    stack_level: int
    purpose: ProfilePurpose
    kind: ProfileKind
    schedule: ChargingSchedule
    recurrency: Recurrency | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    station_tx_id: str | None = None  # TX profiles only: the transaction it limits

    def validate(self) -> None:
        """Raise :class:`InvalidInput` naming the first thing wrong."""
        if not 0 < self.id <= INT32_MAX:
            raise InvalidInput(f"a profile id is a positive 32-bit integer, got {self.id}")
        if not 0 <= self.stack_level <= 1000:
            raise InvalidInput(f"a stack level is 0..1000, got {self.stack_level}")
        self.schedule.validate()
        if self.station_tx_id is not None and self.purpose is not ProfilePurpose.TX:
            raise InvalidInput("only a transaction profile names a transaction")
        self._validate_kind()
        for when in (self.valid_from, self.valid_to):
            if when is not None and when.tzinfo is None:
                raise InvalidInput("validity instants need a time zone")
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise InvalidInput("a profile's validity must end after it begins")

    def _validate_kind(self) -> None:
        if self.kind is ProfileKind.RECURRING:
            if self.recurrency is None or self.schedule.start is None:
                raise InvalidInput("a recurring profile needs a recurrency and a schedule start")
            cycle = CYCLE_SECONDS[self.recurrency]
            if self.schedule.periods[-1].start_s >= cycle:
                raise InvalidInput(f"a {self.recurrency.value} schedule fits in {cycle} s")
        elif self.recurrency is not None:
            raise InvalidInput("only a recurring profile has a recurrency")
        if self.kind is ProfileKind.RELATIVE and self.schedule.start is not None:
            raise InvalidInput("a relative profile starts with its transaction, not at an instant")
        if self.purpose is ProfilePurpose.STATION_MAX and self.kind is ProfileKind.RELATIVE:
            raise InvalidInput("a station maximum profile cannot be relative")

    def valid_at(self, at: datetime) -> bool:
        if self.valid_from is not None and at < self.valid_from:
            return False
        return self.valid_to is None or at < self.valid_to


@dataclass(frozen=True, slots=True)
class ProfileClear:
    """Which profiles ``ClearChargingProfile`` removes: every given criterion must match;
    none given clears them all."""

    profile_id: int | None = None
    evse_id: int | None = None
    purpose: ProfilePurpose | None = None
    stack_level: int | None = None

    def matches(self, evse_id: int, profile: ChargingProfile) -> bool:
        if self.profile_id is not None:
            return profile.id == self.profile_id
        return (
            (self.evse_id is None or self.evse_id == evse_id)
            and (self.purpose is None or self.purpose is profile.purpose)
            and (self.stack_level is None or self.stack_level == profile.stack_level)
        )


def to_watts(limit: float, unit: RateUnit, phases: int | None, voltage: float) -> float:
    if unit is RateUnit.WATTS:
        return limit
    return limit * voltage * (phases or DEFAULT_PHASES)


def from_watts(watts: float, unit: RateUnit, phases: int | None, voltage: float) -> float:
    if unit is RateUnit.WATTS:
        return watts
    return watts / (voltage * (phases or DEFAULT_PHASES))
