"""Which managed site a station belongs to, kept in memory: the bus events of stations on
unmanaged sites (most meter values, on most networks) then cost no database read."""

from __future__ import annotations

from forecourt.services.context import ServiceContext
from forecourt.smart_charging.ports import SMART_CHARGING_STORE


class SiteIndex:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._stations: dict[str, str] | None = None  # None: not loaded yet
        self._sites: set[str] = set()

    def forget(self) -> None:
        """A site became managed or unmanaged: load again on the next question."""
        self._stations = None

    async def site_of(self, station_id: str, *, connected: bool = False) -> str | None:
        """The managed site of the station, or None. ``connected``: the station has just
        connected, so it may have been added to a managed site since the index was loaded."""
        stations = await self._load()
        if connected and self._sites and station_id not in stations:
            async with self._ctx.uow() as uow:
                station = await uow.stations.get(station_id)
            if station is not None and station.site_id in self._sites:
                stations[station_id] = station.site_id
        return stations.get(station_id)

    async def _load(self) -> dict[str, str]:
        if self._stations is None:
            found: dict[str, str] = {}
            async with self._ctx.uow() as uow:
                managed = await uow.repository(SMART_CHARGING_STORE).sites()
                site_ids = [s.limit.site_id for s in managed]
                for site_id in site_ids:
                    found |= {s.id: site_id for s in await uow.stations.list(site_id)}
            self._stations, self._sites = found, set(site_ids)
        return self._stations
