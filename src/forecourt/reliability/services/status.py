"""Public, honest port status per site (for driver pages and OCPI): no authentication, no
operator detail, just what a driver needs to decide whether to drive there."""

from __future__ import annotations

from dataclasses import dataclass

from forecourt.domain.errors import NotFound
from forecourt.domain.stations import Site, Station
from forecourt.reliability.domain.status import HonestStatus, honest_status
from forecourt.reliability.services.monitor import ReliabilityMonitor
from forecourt.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class PublicPort:
    station_id: str
    evse_id: int
    connectors: list[str]  # connector types, e.g. ["nacs", "ccs1"]
    rated_power_w: float | None
    status: HonestStatus


@dataclass(frozen=True, slots=True)
class PublicSite:
    site: Site
    ports: list[PublicPort]


class PublicStatus:
    def __init__(self, ctx: ServiceContext, monitor: ReliabilityMonitor) -> None:
        self._ctx = ctx
        self._monitor = monitor

    async def site(self, site_id: str) -> PublicSite:
        async with self._ctx.uow() as uow:
            site = await uow.sites.get(site_id)
            if site is None:
                raise NotFound("site", site_id)
            stations = await uow.stations.list(site_id)
        ports = [port for station in stations for port in self._ports(station)]
        return PublicSite(site, ports)

    def _ports(self, station: Station) -> list[PublicPort]:
        out = []
        for evse in station.evses:
            view = self._monitor.view(station.id, evse.evse_id)
            live = [c.status.value for c in evse.connectors]
            if not station.connected and view is None:
                live = ["unknown"]
            ratings = [c.rating.max_power_w for c in evse.connectors if c.rating is not None]
            rated = evse.max_power_w or (max(ratings) if ratings else None)
            out.append(
                PublicPort(
                    station.id,
                    evse.evse_id,
                    [c.type.value for c in evse.connectors],
                    rated,
                    honest_status(view, live),
                )
            )
        return out
