"""The Plug & Charge page: one service call, rendered server-side."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from forecourt.plug_and_charge.keys import PLUG_AND_CHARGE
from forecourt.web.auth import Viewer
from forecourt.web.context import Web
from forecourt.web.routes import page_router

router = page_router()


@router.get("/dashboard/plug-and-charge")
async def plug_and_charge(request: Request, _me: Viewer, web: Web) -> Response:
    roots = web.services.feature(PLUG_AND_CHARGE).trusted_roots()
    return web.page(request, "dashboard/plug_and_charge.html", {"roots": roots})
