"""The stalls compat keeps, offered to other features as ``ports.stalls.STALLS``."""

from __future__ import annotations

from collections.abc import Collection

from forecourt.compat.domain.stalls import PostPosition, Stall, StallLayout
from forecourt.compat.services.stalls import Stalls
from forecourt.domain.errors import NotFound
from forecourt.ports.stalls import ParkingStall, PostSide

_SIDE: dict[PostPosition, PostSide] = {
    PostPosition.HEAD_LEFT: "LEFT",
    PostPosition.SIDE_LEFT: "LEFT",
    PostPosition.HEAD_CENTER: "CENTER",
    PostPosition.HEAD_RIGHT: "RIGHT",
    PostPosition.SIDE_RIGHT: "RIGHT",
}


class CompatStallDirectory:
    def __init__(self, stalls: Stalls) -> None:
        self._stalls = stalls

    async def stalls(self, site_ids: Collection[str]) -> list[ParkingStall]:
        found: list[ParkingStall] = []
        for site_id in sorted(set(site_ids)):
            try:
                found.extend(_offered(s) for s in await self._stalls.of_site(site_id))
            except NotFound:  # removed meanwhile: no stalls
                continue
        return found


def _offered(stall: Stall) -> ParkingStall:
    return ParkingStall(
        site_id=stall.site_id,
        stall_id=stall.stall_id,
        station_id=stall.station_id,
        evse_id=stall.evse_id,
        pull_through=stall.layout is StallLayout.PULL_THROUGH,
        accessible=stall.accessible,
        width_m=stall.width,
        post_side=_SIDE[stall.post],
    )
