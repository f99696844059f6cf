"""The roaming page: partners, their version and last sync, and pushes that keep failing."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from forecourt.ocpi.keys import OCPI
from forecourt.services.access import Role
from forecourt.web.auth import SignedIn
from forecourt.web.context import Web
from forecourt.web.routes import page_router
from forecourt.web.scope import whole_network

router = page_router()
NetworkViewer = Annotated[SignedIn, Depends(whole_network(Role.VIEWER))]


@router.get("/dashboard/roaming")
async def roaming_page(request: Request, _me: NetworkViewer, web: Web) -> Response:
    roaming = web.services.feature(OCPI)
    parties = {p.id: p for p in await roaming.credentials.parties()}
    context = {
        "parties": list(parties.values()),
        "failures": await roaming.push.failures(),
        "names": {pid: p.name for pid, p in parties.items()},
        "versions_url": roaming.credentials.us.versions_url,
        "feed_url": roaming.credentials.us.base_url + "/feed/2.3.0/locations",
    }
    return web.page(request, "dashboard/roaming.html", context)
