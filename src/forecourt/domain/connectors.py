"""Connector types and their electrical ratings, independent of any protocol vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ConnectorType(StrEnum):
    """Physical plug standard at the end of a cable (what the driver sees)."""

    NACS = "nacs"  # SAE J3400 / Tesla; AC and DC on the same pins
    CCS1 = "ccs1"  # Combo 1: J1772 + two DC pins
    CCS2 = "ccs2"  # Combo 2: Type 2 + two DC pins
    J1772 = "j1772"  # SAE J1772 / IEC 62196 Type 1, AC only
    TYPE2 = "type2"  # IEC 62196 Type 2 (Mennekes), AC only
    CHADEMO = "chademo"
    GBT_AC = "gbt_ac"
    GBT_DC = "gbt_dc"
    MCS = "mcs"  # Megawatt Charging System (trucks)
    UNKNOWN = "unknown"  # 1.6 stations carry no type on the wire until an operator sets it


class PowerType(StrEnum):
    AC_1_PHASE = "ac_1_phase"
    AC_3_PHASE = "ac_3_phase"
    DC = "dc"

    @property
    def is_ac(self) -> bool:
        return self is not PowerType.DC


#: Which power types each plug can physically carry.
SUPPORTED_POWER_TYPES: dict[ConnectorType, frozenset[PowerType]] = {
    ConnectorType.NACS: frozenset({PowerType.AC_1_PHASE, PowerType.DC}),
    ConnectorType.CCS1: frozenset({PowerType.DC}),
    ConnectorType.CCS2: frozenset({PowerType.DC}),
    ConnectorType.J1772: frozenset({PowerType.AC_1_PHASE}),
    ConnectorType.TYPE2: frozenset({PowerType.AC_1_PHASE, PowerType.AC_3_PHASE}),
    ConnectorType.CHADEMO: frozenset({PowerType.DC}),
    ConnectorType.GBT_AC: frozenset({PowerType.AC_1_PHASE, PowerType.AC_3_PHASE}),
    ConnectorType.GBT_DC: frozenset({PowerType.DC}),
    ConnectorType.MCS: frozenset({PowerType.DC}),
    ConnectorType.UNKNOWN: frozenset(PowerType),
}


@dataclass(frozen=True, slots=True)
class ConnectorRating:
    """Nameplate envelope of one connector (its cable and plug), not what it can give right now."""

    power_type: PowerType
    max_voltage_v: float
    max_current_a: float
    max_power_w: float
    cooled_cable: bool = False
    cable_length_m: float | None = None

    def __post_init__(self) -> None:
        if self.max_voltage_v <= 0 or self.max_current_a <= 0 or self.max_power_w <= 0:
            raise ValueError("connector ratings must be positive")

    @classmethod
    def from_limits(
        cls,
        power_type: PowerType,
        max_voltage_v: float,
        max_current_a: float,
        max_power_w: float | None = None,
        *,
        cooled_cable: bool = False,
        cable_length_m: float | None = None,
    ) -> ConnectorRating:
        """Build a rating; max power defaults to V x I (x3 for three-phase AC)."""
        phases = 3 if power_type is PowerType.AC_3_PHASE else 1
        envelope = max_voltage_v * max_current_a * phases
        power = envelope if max_power_w is None else min(max_power_w, envelope)
        return cls(power_type, max_voltage_v, max_current_a, power, cooled_cable, cable_length_m)


#: Sensible defaults an operator can start from when a station does not report ratings.
#: NACS DC is 500 V, not J3400's 1000 V ceiling: most deployed NACS DC equipment (Tesla V2/V3
#: Superchargers, a 400 V-class network) reaches about 500 V, which throttles 800 V cars;
#: 700 A is what a Model 3 draws for 250 kW at ~360 V
#: (docs/compat.md "Defaults for unrated connectors" gives the sources).
DEFAULT_RATINGS: dict[ConnectorType, ConnectorRating] = {
    ConnectorType.NACS: ConnectorRating.from_limits(PowerType.DC, 500, 700, 250_000),
    ConnectorType.CCS1: ConnectorRating.from_limits(PowerType.DC, 1000, 500, 350_000),
    ConnectorType.CCS2: ConnectorRating.from_limits(PowerType.DC, 1000, 500, 350_000),
    ConnectorType.J1772: ConnectorRating.from_limits(PowerType.AC_1_PHASE, 240, 48),
    ConnectorType.TYPE2: ConnectorRating.from_limits(PowerType.AC_3_PHASE, 230, 32),
    ConnectorType.CHADEMO: ConnectorRating.from_limits(PowerType.DC, 500, 125, 62_500),
    ConnectorType.GBT_AC: ConnectorRating.from_limits(PowerType.AC_3_PHASE, 230, 32),
    ConnectorType.GBT_DC: ConnectorRating.from_limits(PowerType.DC, 750, 250, 187_500),
    ConnectorType.MCS: ConnectorRating.from_limits(PowerType.DC, 1250, 3000, 3_750_000),
    ConnectorType.UNKNOWN: ConnectorRating.from_limits(PowerType.AC_1_PHASE, 240, 32),
}


def rating_is_plausible(connector_type: ConnectorType, rating: ConnectorRating) -> bool:
    """A rating must use a power type the plug can carry (e.g. no DC on a J1772)."""
    return rating.power_type in SUPPORTED_POWER_TYPES[connector_type]
