"""The PKI pages: one service call each, rendered server-side."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from forecourt.pki.keys import PKI
from forecourt.services.access import Role
from forecourt.web.auth import SignedIn, Viewer
from forecourt.web.context import Web
from forecourt.web.routes import page_router
from forecourt.web.scope import visible_station, whole_network

router = page_router()

#: The CA serves every site: a network-wide page, refused to site-restricted accounts.
NetworkViewer = Annotated[SignedIn, Depends(whole_network(Role.VIEWER))]


@router.get("/dashboard/pki")
async def overview(request: Request, _me: NetworkViewer, web: Web) -> Response:
    pki = web.services.feature(PKI)
    context = {
        "authorities": await pki.authority.authorities(),
        "certificates": await pki.authority.certificates(),
        "now": web.services.ctx.clock.now(),
    }
    return web.page(request, "dashboard/pki.html", context)


@router.get("/dashboard/pki/stations/{station_id}/panel")
async def station_panel(request: Request, station_id: str, me: Viewer, web: Web) -> Response:
    station = await visible_station(web, me, station_id)
    pki = web.services.feature(PKI)
    context = {
        "station": station,
        "profile": await pki.stations.profile(station.id),
        "certificates": await pki.authority.certificates(station.id),
        "now": web.services.ctx.clock.now(),
    }
    return web.page(request, "dashboard/_pki_panel.html", context)
