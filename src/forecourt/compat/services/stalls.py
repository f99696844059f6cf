"""Stall fit as a use case: operators describe the stalls each EVSE's cable serves; drivers
ask which stall of a site fits their car (will the cable reach the inlet?)."""

from __future__ import annotations

from forecourt.compat.domain import Vehicle
from forecourt.compat.domain.stalls import Stall, StallFit, stall_fit
from forecourt.compat.ports import COMPAT_STALLS
from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.services.context import ServiceContext


class Stalls:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def of_site(self, site_id: str) -> list[Stall]:
        async with self._ctx.uow() as uow:
            if await uow.sites.get(site_id) is None:
                raise NotFound("site", site_id)
            return await uow.repository(COMPAT_STALLS).of_site(site_id)

    async def put(self, stall: Stall) -> bool:
        """Add or replace a stall; its EVSE must be one of the site's.  True when new."""
        async with self._ctx.uow() as uow:
            if await uow.sites.get(stall.site_id) is None:
                raise NotFound("site", stall.site_id)
            station = await uow.stations.get(stall.station_id)
            if station is None:
                raise NotFound("station", stall.station_id)
            if station.site_id != stall.site_id:
                raise InvalidInput(f"station {stall.station_id!r} is not at site {stall.site_id!r}")
            if station.evse(stall.evse_id) is None:
                raise InvalidInput(f"station {stall.station_id!r} has no EVSE {stall.evse_id}")
            created = await uow.repository(COMPAT_STALLS).put(stall)
            await uow.commit()
            return created

    async def remove(self, site_id: str, stall_id: str) -> None:
        async with self._ctx.uow() as uow:
            if not await uow.repository(COMPAT_STALLS).delete(site_id, stall_id):
                raise NotFound("stall", f"{site_id}/{stall_id}")
            await uow.commit()

    async def fits(self, vehicle: Vehicle, site_id: str) -> list[StallFit]:
        """Every stall of the site for ``vehicle``: those the cable reaches first, then by
        the cable it needs; accessible stalls are flagged on the stall."""
        found = [stall_fit(vehicle.inlet_position, stall) for stall in await self.of_site(site_id)]
        order = {True: 0, None: 1, False: 2}
        return sorted(found, key=lambda fit: (order[fit.fits], fit.needed_m or 0.0))
