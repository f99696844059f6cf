"""Faults for the overview: a port a feature (reliability) offers the core's dashboard.

The network overview shows what is broken next to what stations report, and how many tickets
are open. Reliability knows both; the overview must not import it, so reliability offers a
:class:`FaultBoard` under :data:`FAULTS` and the overview asks ``services.port(FAULTS)``
(none installed: no faults, no tickets).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from forecourt.ports.keys import Key


@dataclass(frozen=True, slots=True)
class FaultSummary:
    """One active fault, as the overview shows it as an alert."""

    station_id: str
    evse_id: int | None  # None: the whole station
    kind: str  # e.g. "clock_drift"
    explanation: str
    last_seen: datetime


class FaultBoard(Protocol):
    async def active_faults(self, station_ids: Collection[str]) -> list[FaultSummary]: ...
    async def open_tickets(self, station_ids: Collection[str]) -> int: ...


#: The port reliability offers (``Feature.offers``) and the overview asks for.
FAULTS: Key[FaultBoard] = Key("faults")
