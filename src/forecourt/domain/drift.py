"""Configuration drift: what a station model's configuration should be, and how a station's
differs (1.6 keys ``Variable``, 2.0.1 variables ``Component.Variable``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


@dataclass(slots=True)
class DesiredSetting:
    """One configuration value every station of ``model`` should have."""

    model: str
    key: str
    value: str
    id: int = 0


class DriftState(StrEnum):
    MATCHES = "matches"
    DIFFERS = "differs"
    MISSING = "missing"  # the station does not know the key


@dataclass(frozen=True, slots=True)
class DriftItem:
    key: str
    desired: str
    actual: str | None
    state: DriftState
    fixed: bool = False  # the model refuses to change it (vendor quirks): shown, never corrected

    @property
    def correctable(self) -> bool:
        return self.state is DriftState.DIFFERS and not self.fixed


@dataclass(slots=True)
class DriftCheck:
    """The latest read-back of one station against its model's desired configuration."""

    station_id: str
    checked_at: datetime
    items: list[DriftItem] = field(default_factory=list)
    error: str = ""  # could not read (offline, timeout, refused)

    @property
    def drifted(self) -> list[DriftItem]:
        return [i for i in self.items if i.state is not DriftState.MATCHES]


def compare(
    desired: list[DesiredSetting], actual: dict[str, str | None], fixed: frozenset[str]
) -> list[DriftItem]:
    """Each desired setting against what the station reported (absent: it does not know it)."""
    items = []
    for setting in desired:
        if setting.key not in actual:
            state = DriftState.MISSING
        elif actual[setting.key] == setting.value:
            state = DriftState.MATCHES
        else:
            state = DriftState.DIFFERS
        items.append(
            DriftItem(
                setting.key, setting.value, actual.get(setting.key), state, setting.key in fixed
            )
        )
    return items
