"""Charging-profile words that OCPP 1.6 and 2.0.1 spell the same, so one table serves both.

The profile purposes differ (1.6 ChargePointMaxProfile, 2.0.1 ChargingStationMaxProfile) and
stay in each adapter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final, Literal

from forecourt.domain.charging_profiles import ProfileKind, Recurrency

KIND: Final[Mapping[ProfileKind, Literal["Absolute", "Recurring", "Relative"]]] = MappingProxyType(
    {
        ProfileKind.ABSOLUTE: "Absolute",
        ProfileKind.RECURRING: "Recurring",
        ProfileKind.RELATIVE: "Relative",
    }
)
RECURRENCY: Final[Mapping[Recurrency, Literal["Daily", "Weekly"]]] = MappingProxyType(
    {
        Recurrency.DAILY: "Daily",
        Recurrency.WEEKLY: "Weekly",
    }
)


def composite_periods(wire_periods: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A GetCompositeSchedule answer's periods as the neutral result data carries them."""
    return [{"start_s": p["startPeriod"], "limit": p["limit"]} for p in wire_periods]
