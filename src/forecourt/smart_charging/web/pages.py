"""The load pages: one service call each, rendered server-side."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from forecourt.api.schemas.base import ResourceId
from forecourt.domain.errors import NotFound
from forecourt.smart_charging.keys import SMART_CHARGING
from forecourt.web.auth import Viewer
from forecourt.web.context import Web
from forecourt.web.routes import page_router
from forecourt.web.scope import visible_sites

router = page_router()


@router.get("/dashboard/load")
async def managed_sites(request: Request, me: Viewer, web: Web) -> Response:
    manager = web.services.feature(SMART_CHARGING)
    visible = {site.id for site in await visible_sites(web, me)}
    loads = [await manager.load(s.limit.site_id) for s in await manager.sites()]
    context = {"loads": [load for load in loads if load.site.limit.site_id in visible]}
    return web.page(request, "dashboard/load.html", context)


@router.get("/dashboard/sites/{site_id}/load")
async def site_load(request: Request, site_id: ResourceId, me: Viewer, web: Web) -> Response:
    if not me.access.sees_site(site_id):
        raise NotFound("managed site", site_id)  # outside the user's sites: existence private
    load = await web.services.feature(SMART_CHARGING).load(site_id)
    return web.page(request, "dashboard/site_load.html", {"load": load})
