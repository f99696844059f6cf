"""Honest status for drivers: what a port can really do today, in plain words.

A port that is derated or keeps failing is not shown as simply "Available": the driver
reads "Working, ~50 kW max today" or "Out of order" before driving there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from forecourt.reliability.domain.model import Condition
from forecourt.reliability.domain.watch import PortView


class DriverStatus(StrEnum):
    AVAILABLE = "available"
    CHARGING = "charging"  # in use
    LIMITED = "limited"  # works, but slower than it should
    OUT_OF_ORDER = "out_of_order"
    OFFLINE = "offline"  # cannot be reached: may or may not work
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class HonestStatus:
    status: DriverStatus
    message: str
    max_power_w: float | None  # what a capable vehicle can expect today


_OFFLINE = frozenset({Condition.OFFLINE, Condition.UNREACHABLE})


def honest_status(view: PortView | None, connector_statuses: Iterable[str]) -> HonestStatus:
    """``connector_statuses``: the live neutral statuses of the port's connectors."""
    statuses = set(connector_statuses)
    if view is None:
        return _from_live(statuses)
    max_w = view.capability_w
    if view.conditions & _OFFLINE:
        return HonestStatus(DriverStatus.OFFLINE, "Offline: it may not start a session", None)
    broken = view.conditions - {Condition.BELOW_MIN_POWER}
    if broken:
        return HonestStatus(DriverStatus.OUT_OF_ORDER, _out_of_order(broken), None)
    if view.limited and max_w is not None:
        return HonestStatus(
            DriverStatus.LIMITED, f"Working, ~{max_w / 1000:.0f} kW max today", max_w
        )
    if view.busy or statuses & {"occupied", "reserved"}:
        return HonestStatus(DriverStatus.CHARGING, "In use", max_w)
    rated = f", up to {max_w / 1000:.0f} kW" if max_w else ""
    return HonestStatus(DriverStatus.AVAILABLE, f"Available{rated}", max_w)


def _out_of_order(conditions: frozenset[Condition]) -> str:
    if Condition.FAILING_SESSIONS in conditions:
        return "Out of order: recent sessions failed to start charging"
    if Condition.SILENT in conditions:
        return "Out of order: not taking sessions"
    if Condition.UNAVAILABLE in conditions and Condition.FAULTED not in conditions:
        return "Out of service (maintenance)"
    return "Out of order"


def _from_live(statuses: set[str]) -> HonestStatus:
    if not statuses or statuses == {"unknown"}:
        return HonestStatus(DriverStatus.UNKNOWN, "Status unknown", None)
    if statuses <= {"faulted", "unavailable"}:
        return HonestStatus(DriverStatus.OUT_OF_ORDER, "Out of order", None)
    if "available" in statuses:
        return HonestStatus(DriverStatus.AVAILABLE, "Available", None)
    return HonestStatus(DriverStatus.CHARGING, "In use", None)
