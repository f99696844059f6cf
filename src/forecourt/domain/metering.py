"""Meter readings normalised to base units, and the energy ledger of one transaction.

Stations report Wh or kWh, W or kW, per phase or total, and sometimes reset their register.
Everything is normalised here once so that no caller ever compares mixed units.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Measurand(StrEnum):
    ENERGY_IMPORT_REGISTER = "energy_import_register"  # Wh, cumulative
    ENERGY_EXPORT_REGISTER = "energy_export_register"
    ENERGY_IMPORT_INTERVAL = "energy_import_interval"
    POWER_IMPORT = "power_import"  # W
    POWER_EXPORT = "power_export"
    POWER_OFFERED = "power_offered"  # W the station could give right now
    POWER_FACTOR = "power_factor"
    CURRENT_IMPORT = "current_import"  # A
    CURRENT_OFFERED = "current_offered"
    CURRENT_EXPORT = "current_export"
    VOLTAGE = "voltage"  # V
    FREQUENCY = "frequency"
    SOC = "soc"  # %
    TEMPERATURE = "temperature"  # °C
    RPM = "rpm"
    OTHER = "other"


class ReadingContext(StrEnum):
    TRANSACTION_BEGIN = "transaction_begin"
    TRANSACTION_END = "transaction_end"
    PERIODIC = "periodic"
    CLOCK = "clock"
    TRIGGER = "trigger"
    INTERRUPTION_BEGIN = "interruption_begin"
    INTERRUPTION_END = "interruption_end"
    OTHER = "other"


#: unit as written by a station -> (base unit, factor). Temperatures are handled apart.
_UNIT_FACTORS: dict[str, tuple[str, float]] = {
    "wh": ("Wh", 1.0),
    "kwh": ("Wh", 1000.0),
    "varh": ("varh", 1.0),
    "kvarh": ("varh", 1000.0),
    "w": ("W", 1.0),
    "kw": ("W", 1000.0),
    "va": ("VA", 1.0),
    "kva": ("VA", 1000.0),
    "var": ("var", 1.0),
    "kvar": ("var", 1000.0),
    "a": ("A", 1.0),
    "v": ("V", 1.0),
    "percent": ("%", 1.0),
    "%": ("%", 1.0),
    "hz": ("Hz", 1.0),
    "vah": ("VAh", 1.0),
    "kvah": ("VAh", 1000.0),
    "deg": ("deg", 1.0),
    "asu": ("ASU", 1.0),
    "rpm": ("RPM", 1.0),
    "s": ("s", 1.0),
    "b": ("B", 1.0),
    "db": ("dB", 1.0),
    "dbm": ("dBm", 1.0),
    "celsius": ("Celsius", 1.0),
    "celcius": ("Celsius", 1.0),  # the 1.6 schema's own misspelling
}

#: the base unit each measurand is stored in when the station omits a unit
DEFAULT_UNITS: dict[Measurand, str] = {
    Measurand.ENERGY_IMPORT_REGISTER: "Wh",
    Measurand.ENERGY_EXPORT_REGISTER: "Wh",
    Measurand.ENERGY_IMPORT_INTERVAL: "Wh",
    Measurand.POWER_IMPORT: "W",
    Measurand.POWER_EXPORT: "W",
    Measurand.POWER_OFFERED: "W",
    Measurand.CURRENT_IMPORT: "A",
    Measurand.CURRENT_OFFERED: "A",
    Measurand.CURRENT_EXPORT: "A",
    Measurand.VOLTAGE: "V",
    Measurand.SOC: "%",
    Measurand.TEMPERATURE: "Celsius",
    Measurand.FREQUENCY: "Hz",
}


def normalise(value: float, unit: str | None, multiplier: int = 0) -> tuple[float, str]:
    """Return (value, base unit). ``multiplier`` is the 2.0.1 power-of-ten exponent.

    Raises ValueError for a unit we do not know, so a bad reading is reported, not stored wrong.
    """
    try:
        scaled = value * (10.0**multiplier)
    except OverflowError:  # an absurd multiplier: infinite, so plausibility quarantines it
        scaled = math.copysign(math.inf, value) if value else 0.0
    if unit is None:
        return scaled, ""
    key = unit.strip().lower()
    if key == "k":
        return scaled - 273.15, "Celsius"
    if key == "fahrenheit":
        return (scaled - 32.0) * 5.0 / 9.0, "Celsius"
    if key not in _UNIT_FACTORS:
        raise ValueError(f"unknown unit of measure {unit!r}")
    base, factor = _UNIT_FACTORS[key]
    return scaled * factor, base


@dataclass(frozen=True, slots=True)
class SignedMeterValue:
    """A reading as the station's meter signed it (German Eichrecht, OCMF...), kept verbatim so
    a driver or auditor can check the bill against the meter, not against us.

    OCPP 2.0.1/2.1 ``signedMeterValue`` carries all four fields; an OCPP 1.6 ``SignedData``
    sampled value carries only the signed data (the method is then read from it when it says,
    e.g. ``OCMF|...``). ``plain_data`` is the reading the signature covers, as text.
    """

    signed_data: str
    encoding_method: str = ""
    signing_method: str = ""
    public_key: str = ""
    plain_data: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "signed_data": self.signed_data,
            "encoding_method": self.encoding_method,
            "signing_method": self.signing_method,
            "public_key": self.public_key,
            "plain_data": self.plain_data,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> SignedMeterValue:
        return cls(
            data["signed_data"],
            data.get("encoding_method", ""),
            data.get("signing_method", ""),
            data.get("public_key", ""),
            data.get("plain_data", ""),
        )


@dataclass(frozen=True, slots=True)
class MeterSample:
    """One normalised reading. ``phase`` is None for totals; ``signed`` is the meter's signed
    form of it, when the station sent one."""

    timestamp: datetime
    measurand: Measurand
    value: float
    unit: str
    context: ReadingContext = ReadingContext.PERIODIC
    phase: str | None = None
    location: str = "outlet"
    signed: SignedMeterValue | None = None


def signed_reading(
    samples: Iterable[MeterSample], context: ReadingContext
) -> SignedMeterValue | None:
    """The signed reading a transaction keeps for its start (``TRANSACTION_BEGIN``) or end
    (``TRANSACTION_END``): the total import register's when signed, else the first signed one."""
    signed = [s for s in samples if s.signed is not None and s.context is context]
    if not signed:
        return None
    registers = [
        s for s in signed if s.measurand is Measurand.ENERGY_IMPORT_REGISTER and s.phase is None
    ]
    return (registers or signed)[0].signed


@dataclass(frozen=True, slots=True)
class RegisterReading:
    timestamp: datetime
    wh: float


@dataclass(frozen=True, slots=True)
class LedgerTotals:
    energy_wh: float
    resets: int
    last: RegisterReading | None


#: Cumulative registers: they only ever go up (until a reset), so at one instant the highest
#: reading is the latest. A station with a coarse clock sends two readings with the same
#: timestamp; the higher one is new energy, the same value again is a replay.
CUMULATIVE_REGISTERS = frozenset(
    {Measurand.ENERGY_IMPORT_REGISTER, Measurand.ENERGY_EXPORT_REGISTER}
)


def register_order(reading: RegisterReading) -> tuple[datetime, float]:
    """The order of register readings: by time, and at one instant lowest first (monotonic)."""
    return reading.timestamp, reading.wh


def energy_from_readings(readings: Iterable[RegisterReading]) -> LedgerTotals:
    """Energy delivered from cumulative register readings, in :func:`register_order`.

    A register that goes down was reset (meter swap, firmware update, power loss): the reading
    after the drop is energy counted from zero, so it is added whole and the reset counted.
    Identical readings add nothing, so a replayed message never counts twice; a higher reading
    with the same timestamp as the one before (a coarse station clock) counts its difference.
    A reset and a reading before it within one timestamp cannot be told apart from that and
    are read as the register going up.
    """
    energy = 0.0
    resets = 0
    previous: RegisterReading | None = None
    for reading in sorted(readings, key=register_order):
        if previous is not None:
            delta = reading.wh - previous.wh
            if delta >= 0:
                energy += delta
            else:
                energy += reading.wh
                resets += 1
        previous = reading
    return LedgerTotals(energy, resets, previous)


def register_readings(samples: Iterable[MeterSample]) -> list[RegisterReading]:
    """Pick the total import-register readings out of a batch of samples."""
    return [
        RegisterReading(s.timestamp, s.value)
        for s in samples
        if s.measurand is Measurand.ENERGY_IMPORT_REGISTER and s.phase is None
    ]


# --- plausibility: the one rule that keeps a broken meter away from energy and money ----------

#: The largest cumulative register a real meter shows: 10^12 Wh = 1 TWh (a 9-digit kWh
#: display tops out at 10^12 Wh). Anything above is a fault, not energy.
MAX_REGISTER_WH = 1e12
#: The largest charger made (MCS, 3.75 MW) by an order of magnitude: the cap when no rating
#: is known.
MAX_POWER_W = 3.75e7
#: Power this many times above the connector's nameplate rating is a meter fault, not a car.
POWER_OVER_RATING = 10.0

_REGISTERS = frozenset(
    {
        Measurand.ENERGY_IMPORT_REGISTER,
        Measurand.ENERGY_EXPORT_REGISTER,
        Measurand.ENERGY_IMPORT_INTERVAL,
    }
)
_POWERS = frozenset({Measurand.POWER_IMPORT, Measurand.POWER_EXPORT, Measurand.POWER_OFFERED})


def register_problem(wh: float) -> str | None:
    """Why a register value (Wh) cannot be energy, or None when it can."""
    if not math.isfinite(wh):
        return "not a finite number"
    if wh < 0:
        return "negative register"
    if wh > MAX_REGISTER_WH:
        return f"register above {MAX_REGISTER_WH:.0e} Wh"
    return None


def power_limit_w(rating_w: float | None) -> float:
    """The highest power reading still believed, for a connector rated ``rating_w``."""
    if rating_w is None or rating_w <= 0:
        return MAX_POWER_W
    return min(MAX_POWER_W, rating_w * POWER_OVER_RATING)


def sample_problem(sample: MeterSample, rating_w: float | None = None) -> str | None:
    """Why a normalised sample is implausible (quarantined, never energy), or None."""
    if not math.isfinite(sample.value):
        return "not a finite number"
    if sample.measurand in _REGISTERS:
        return register_problem(sample.value)
    if sample.measurand in _POWERS and abs(sample.value) > power_limit_w(rating_w):
        return f"power above {power_limit_w(rating_w):.0f} W"
    if sample.measurand is Measurand.SOC and not 0 <= sample.value <= 100:
        return "state of charge outside 0-100 %"
    return None


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A reading kept out of the ledger, with the reason an operator reads."""

    sample: MeterSample
    reason: str


def screen(
    samples: Sequence[MeterSample], rating_w: float | None = None
) -> tuple[list[MeterSample], list[Quarantined]]:
    """Split samples into the plausible ones and those quarantined."""
    kept: list[MeterSample] = []
    rejected: list[Quarantined] = []
    for sample in samples:
        problem = sample_problem(sample, rating_w)
        if problem is None:
            kept.append(sample)
        else:
            rejected.append(Quarantined(sample, problem))
    return kept, rejected


def needs_rating(samples: Iterable[MeterSample]) -> bool:
    """Whether any power reading is high enough that the connector's rating matters."""
    floor = POWER_OVER_RATING * 1000.0  # no connector is rated below 1 kW
    return any(
        s.measurand in _POWERS and math.isfinite(s.value) and abs(s.value) > floor for s in samples
    )
