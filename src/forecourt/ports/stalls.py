"""Parking stalls: a port a feature (compat) offers, OCPI 2.3.0 ``Parking`` objects read.

The compat slice keeps the stall each EVSE's cable serves (layout, post, width, accessible);
OCPI must not import it, so compat offers a :class:`StallDirectory` under :data:`STALLS`
(none installed: no parking places are published).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal, Protocol

from forecourt.ports.keys import Key

#: Where the EVSE stands, seen from the stall (OCPI 2.3.0 EVSEPosition).
PostSide = Literal["LEFT", "RIGHT", "CENTER"]


@dataclass(frozen=True, slots=True)
class ParkingStall:
    site_id: str
    stall_id: str
    station_id: str
    evse_id: int
    pull_through: bool  # a car drives in and out forwards (trailers, long vehicles)
    accessible: bool
    width_m: float
    post_side: PostSide


class StallDirectory(Protocol):
    async def stalls(self, site_ids: Collection[str]) -> list[ParkingStall]: ...


#: The port compat offers (``Feature.offers``) and OCPI asks for.
STALLS: Key[StallDirectory] = Key("stalls")
