"""A connector rating from a few operator-given values, the rest from the plug type's default.

One rule for every edge (REST API, CLI, dashboard): gaps are filled the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from forecourt.domain.connectors import (
    DEFAULT_RATINGS,
    ConnectorRating,
    ConnectorType,
    PowerType,
)
from forecourt.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class RatingOverrides:
    power_type: PowerType | None = None
    max_voltage_v: float | None = None
    max_current_a: float | None = None
    max_power_w: float | None = None
    cooled_cable: bool | None = None
    cable_length_m: float | None = None

    @property
    def empty(self) -> bool:
        return all(getattr(self, name) is None for name in self.__slots__)


def rating_with_defaults(
    connector_type: ConnectorType, given: RatingOverrides
) -> ConnectorRating | None:
    """None when nothing was given (the service then applies the type's default)."""
    if given.empty:
        return None
    base = DEFAULT_RATINGS[connector_type]
    power_type = given.power_type or base.power_type
    same_kind = power_type is base.power_type
    if not same_kind and (given.max_voltage_v is None or given.max_current_a is None):
        raise InvalidInput(
            f"the {connector_type.value} default rating is {base.power_type.value}: give the"
            f" rated voltage and current of the {power_type.value} rating"
        )
    voltage = given.max_voltage_v or base.max_voltage_v
    current = given.max_current_a or base.max_current_a
    phases = 3 if power_type is PowerType.AC_3_PHASE else 1
    envelope = voltage * current * phases
    if given.max_power_w is not None and given.max_power_w > envelope:
        raise InvalidInput(
            f"a maximum power of {given.max_power_w:g} W exceeds {voltage:g} V x {current:g} A"
            f"{' x 3 phases' if phases == 3 else ''} = {envelope:g} W:"
            " give the rated voltage and current too"
        )
    default_power = base.max_power_w if same_kind else None
    return ConnectorRating.from_limits(
        power_type,
        voltage,
        current,
        given.max_power_w or default_power,
        cooled_cable=base.cooled_cable if given.cooled_cable is None else given.cooled_cable,
        cable_length_m=given.cable_length_m or base.cable_length_m,
    )
