"""The "Stalls" panel on each station page of the operator dashboard: which stalls the
station's cables serve (layout, where the cable leaves the post, its reach, accessible), and
for operators a form to add, replace or remove one.  One service call each."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from forecourt.compat.domain.stalls import PostPosition, Stall, StallLayout
from forecourt.compat.keys import COMPAT
from forecourt.domain.errors import InvalidInput
from forecourt.domain.stations import Station
from forecourt.web.auth import Operator, Viewer
from forecourt.web.context import Web
from forecourt.web.routes import page_router
from forecourt.web.scope import visible_station

router = page_router()

_PANEL = "/dashboard/compat/stations/{station_id}/stalls"


@router.get(_PANEL)
async def stalls_panel(request: Request, station_id: str, me: Viewer, web: Web) -> Response:
    station = await visible_station(web, me, station_id)
    stalls = await _stalls_of(web, station)
    context = {
        "station": station,
        "stalls": stalls,
        "layouts": list(StallLayout),
        "posts": list(PostPosition),
    }
    return web.page(request, "compat/_stalls_panel.html", context)


@router.post(_PANEL)
async def put_stall(
    station_id: str,
    me: Operator,
    web: Web,
    stall_id: Annotated[str, Form(min_length=1, max_length=50)],
    evse_id: Annotated[int, Form(ge=1, le=1000)],
    layout: Annotated[StallLayout, Form()],
    post: Annotated[PostPosition, Form()],
    cable_reach_m: Annotated[float, Form(ge=0.5, le=15)],
    accessible: Annotated[bool, Form()] = False,
    width_m: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    station = await visible_station(web, me, station_id)
    site_id = _site_of(station)
    try:
        stall = Stall(
            site_id,
            stall_id.strip(),
            station.id,
            evse_id,
            layout,
            post,
            cable_reach_m,
            accessible,
            _width(width_m),
            note.strip(),
        )
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    await web.services.feature(COMPAT).stalls.put(stall)
    return RedirectResponse(f"/dashboard/stations/{station.id}", status_code=303)


@router.post(_PANEL + "/{stall_id}/remove")
async def remove_stall(station_id: str, stall_id: str, me: Operator, web: Web) -> Response:
    station = await visible_station(web, me, station_id)
    stalls = web.services.feature(COMPAT).stalls
    if not any(s.stall_id == stall_id for s in await _stalls_of(web, station)):
        raise InvalidInput(f"station {station.id!r} serves no stall {stall_id!r}")
    await stalls.remove(_site_of(station), stall_id)
    return RedirectResponse(f"/dashboard/stations/{station.id}", status_code=303)


def _width(text: str) -> float | None:
    """The form's optional width: empty is the default."""
    if not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"width_m must be a number of metres, not {text!r}") from None


def _site_of(station: Station) -> str:
    if station.site_id is None:
        raise InvalidInput(f"station {station.id!r} is not at a site: give it one first")
    return station.site_id


async def _stalls_of(web: Web, station: Station) -> list[Stall]:
    if station.site_id is None:
        return []
    stalls = await web.services.feature(COMPAT).stalls.of_site(station.site_id)
    return [stall for stall in stalls if stall.station_id == station.id]
