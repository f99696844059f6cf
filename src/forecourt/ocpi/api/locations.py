"""Locations, sender interface (mod_locations §8.2.1): list with pagination, one, one EVSE."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from forecourt.ocpi.api.common import caller, ocpi_router, roaming, version_of
from forecourt.ocpi.api.transport import Paging, page_headers, reply, unknown
from forecourt.ocpi.domain.status import StatusCode
from forecourt.ocpi.schemas import codec

router = ocpi_router()


@router.get("/{version}/locations")
async def list_locations(version: str, request: Request, paging: Paging) -> JSONResponse:
    chosen = version_of(version)
    await caller(request)
    locations = roaming(request).locations
    views = [v for v in await locations.all() if paging.keeps(v.last_updated)]
    items = views[paging.offset : paging.offset + paging.limit]
    data = [codec.location(chosen, locations.us.ref, v).wire() for v in items]
    return reply(request, data, page_headers(request, paging, len(views)))


@router.get("/{version}/locations/{location_id}")
async def get_location(version: str, location_id: str, request: Request) -> JSONResponse:
    chosen = version_of(version)
    await caller(request)
    locations = roaming(request).locations
    view = await locations.one(location_id)
    if view is None:
        raise unknown(f"location {location_id!r}", StatusCode.UNKNOWN_LOCATION)
    return reply(request, codec.location(chosen, locations.us.ref, view).wire())


@router.get("/{version}/locations/{location_id}/{evse_uid}")
async def get_evse(version: str, location_id: str, evse_uid: str, request: Request) -> JSONResponse:
    chosen = version_of(version)
    await caller(request)
    view = await roaming(request).locations.one(location_id)
    found = next((e for e in view.evses if e.uid == evse_uid), None) if view else None
    built = codec.evse(chosen, found) if found else None
    if built is None:
        raise unknown(f"EVSE {location_id}/{evse_uid}", StatusCode.UNKNOWN_LOCATION)
    return reply(request, built.wire())
