"""Configuration drift: every station's latest check against its model's desired
configuration, the desired settings (network operators edit them), checks and corrections.

Plain forms that work without JavaScript: post, then redirect back."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from forecourt.api.bounds import RecordId
from forecourt.web.auth import Technician, Viewer
from forecourt.web.context import Web
from forecourt.web.routes import page_router
from forecourt.web.scope import NETWORK_OPERATOR_ONLY, visible_station, visible_stations

router = page_router()

Text = Annotated[str, Form(max_length=1000)]
_DONE = {"set": "Desired setting saved.", "removed": "Desired setting removed."}


@router.get("/dashboard/drift")
async def drift_page(request: Request, me: Viewer, web: Web, done: str = "") -> Response:
    stations = {s.id: s for s in await visible_stations(web, me)}
    checks = [c for c in await web.services.drift.all_latest() if c.station_id in stations]
    context = {
        "checks": sorted(checks, key=lambda c: (not (c.drifted or c.error), c.station_id)),
        "stations": stations,
        "desired": await web.services.drift.desired(),
        "done": _DONE.get(done),
    }
    return web.page(request, "dashboard/drift.html", context)


@router.post("/dashboard/drift/desired", dependencies=[NETWORK_OPERATOR_ONLY])
async def set_desired(
    web: Web, model: Text, key: Text, value: Annotated[str, Form()] = ""
) -> Response:
    await web.services.drift.set_desired(model.strip(), key.strip(), value)
    return RedirectResponse("/dashboard/drift?done=set", status_code=303)


@router.post("/dashboard/drift/desired/{setting_id}/remove", dependencies=[NETWORK_OPERATOR_ONLY])
async def remove_desired(web: Web, setting_id: RecordId) -> Response:
    await web.services.drift.remove_desired(setting_id)
    return RedirectResponse("/dashboard/drift?done=removed", status_code=303)


@router.post("/dashboard/stations/{station_id}/drift/check")
async def check(station_id: str, me: Technician, web: Web) -> Response:
    await visible_station(web, me, station_id)
    await web.services.drift.check(station_id, requested_by=me.requester)
    return RedirectResponse(f"/dashboard/drift#drift-{station_id}", status_code=303)


@router.post("/dashboard/stations/{station_id}/drift/correct")
async def correct(station_id: str, me: Technician, web: Web) -> Response:
    await visible_station(web, me, station_id)
    await web.services.drift.correct(station_id, requested_by=me.requester)
    return RedirectResponse(f"/dashboard/drift#drift-{station_id}", status_code=303)
