"""The Plug & Charge page: one service call, rendered server-side."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from forecourt.plug_and_charge.keys import PLUG_AND_CHARGE
from forecourt.services.access import Role
from forecourt.web.auth import SignedIn
from forecourt.web.context import Web
from forecourt.web.routes import page_router
from forecourt.web.scope import whole_network

router = page_router()

#: Network-wide pages: refused to users restricted to some sites.
NetworkViewer = Annotated[SignedIn, Depends(whole_network(Role.VIEWER))]


@router.get("/dashboard/plug-and-charge")
async def plug_and_charge(request: Request, _me: NetworkViewer, web: Web) -> Response:
    roots = web.services.feature(PLUG_AND_CHARGE).trusted_roots()
    return web.page(request, "dashboard/plug_and_charge.html", {"roots": roots})
