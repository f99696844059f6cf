"""What the signed-in user may see: site hosts see only their sites' stations."""

from __future__ import annotations

from forecourt.domain.errors import NotFound
from forecourt.domain.stations import Site, Station
from forecourt.web.auth import SignedIn
from forecourt.web.context import WebContext


async def visible_station(web: WebContext, me: SignedIn, station_id: str) -> Station:
    """The station, or NotFound when it is outside the user's sites (existence stays private)."""
    station = await web.services.network.station(station_id)
    if not me.sees(station):
        raise NotFound("station", station_id)
    return station


async def visible_stations(web: WebContext, me: SignedIn) -> list[Station]:
    """Every station the user sees, with EVSEs and connectors, in a few queries."""
    return [station for station in await web.services.network.stations() if me.sees(station)]


async def visible_sites(web: WebContext, me: SignedIn) -> list[Site]:
    return [site for site in await web.services.network.sites() if me.access.sees_site(site.id)]
