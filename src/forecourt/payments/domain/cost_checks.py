"""A station's own cost of a session against ours (OCPP 2.1 ``costDetails``): the tolerance rule.

Our price is what we bill; the station's figure is checked, never adopted. Stations round per
charging period, we round each line once (``costing``), so a few minor units may differ
honestly. The tolerance: the larger of ``TOLERANCE_MINOR`` minor units and ``TOLERANCE_SHARE``
of our total. Beyond it, a different currency, or a station that could not compute its cost:
flagged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from forecourt.domain.money import Money

#: Always tolerated: rounding per period against rounding per line.
TOLERANCE_MINOR = 2
#: Tolerated on larger sessions: rounding grows with the number of periods.
TOLERANCE_SHARE = 0.005


@dataclass(frozen=True, slots=True)
class CostCheck:
    """One ended session's comparison; ``station_minor`` None: the station reported a failure."""

    transaction_id: int
    station_id: str
    currency: str
    ours_minor: int
    station_minor: int | None
    tolerance_minor: int
    checked_at: datetime
    note: str = ""
    #: Compared while the session ran (an Updated event); the final check replaces it.
    running: bool = False

    @property
    def difference_minor(self) -> int | None:
        return None if self.station_minor is None else self.station_minor - self.ours_minor

    @property
    def flagged(self) -> bool:
        difference = self.difference_minor
        return difference is None or abs(difference) > self.tolerance_minor


def tolerance(ours: Money) -> int:
    return max(TOLERANCE_MINOR, math.ceil(abs(ours.minor) * TOLERANCE_SHARE))


def compare(
    transaction_id: int,
    station_id: str,
    ours: Money,
    station: Money | None,
    at: datetime,
    failure: str = "",
    running: bool = False,
) -> CostCheck:
    """``station`` in its own currency; another currency than ours is a mismatch."""
    note = failure
    station_minor = None if station is None else station.minor
    if station is not None and station.currency != ours.currency:
        note, station_minor = f"station priced in {station.currency}, we in {ours.currency}", None
    return CostCheck(
        transaction_id=transaction_id,
        station_id=station_id,
        currency=ours.currency,
        ours_minor=ours.minor,
        station_minor=station_minor,
        tolerance_minor=tolerance(ours),
        checked_at=at,
        note=note,
        running=running,
    )
