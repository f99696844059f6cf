"""Public driver pages: a site's chargers, and one port's page (the QR code on the dispenser).

No sign-in, no personal data; status is honest (offline stations say so). Payments and
compatibility fill their slots through driver hooks (``WebContext.add_driver_hook``).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from forecourt.api.bounds import PortNumber
from forecourt.domain.errors import NotFound
from forecourt.domain.stations import Evse, Station
from forecourt.web.context import DriverPage, Web
from forecourt.web.routes import page_router
from forecourt.web.views import ConnectorView, connector_views

router = page_router()


@dataclass(frozen=True, slots=True)
class Port:
    station: Station
    evse: Evse
    connectors: list[ConnectorView]


@dataclass(frozen=True, slots=True)
class StationBlock:
    station: Station
    ports: list[Port]


def ports_of(station: Station) -> list[Port]:
    views = connector_views(station)
    return [
        Port(station, evse, [v for v in views if v.evse.evse_id == evse.evse_id])
        for evse in station.evses
    ]


@router.get("/s/{site_id}")
async def site_page(request: Request, site_id: str, web: Web, car: str = "") -> Response:
    network = web.services.network
    site = await network.site(site_id)
    stations = await network.stations(site_id)
    extras = await web.driver_context(DriverPage(site, stations, None, car or None))
    context = {
        **extras,
        "site": site,
        "stations": [StationBlock(station, ports_of(station)) for station in stations],
        "car": car,
        "updated_at": web.services.ctx.clock.now(),
    }
    return web.page(request, "driver/site.html", context)


@router.get("/s/{site_id}/evse/{station_id}/{evse_id}")
async def evse_page(
    request: Request, site_id: str, station_id: str, evse_id: PortNumber, web: Web, car: str = ""
) -> Response:
    network = web.services.network
    site = await network.site(site_id)
    station = await network.station(station_id)
    port = next((p for p in ports_of(station) if p.evse.evse_id == evse_id), None)
    if station.site_id != site_id or port is None:
        raise NotFound("charging port", f"{station_id}/{evse_id}")
    page = DriverPage(site, [station], (station_id, evse_id), car or None)
    context = {
        **await web.driver_context(page),
        "site": site,
        "port": port,
        "car": car,
        "updated_at": web.services.ctx.clock.now(),
    }
    return web.page(request, "driver/evse.html", context)
