"""Locations, sender interface (mod_locations §8.2.1): list with pagination, one, one EVSE."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import JSONResponse

from forecourt.ocpi.api.common import caller, ocpi_router, roaming, version_of
from forecourt.ocpi.api.transport import bounded_limit, page_headers, reply, unknown
from forecourt.ocpi.domain.status import StatusCode
from forecourt.ocpi.schemas import codec

router = ocpi_router()


@router.get("/{version}/locations")
async def list_locations(
    version: str,
    request: Request,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int | None, Query()] = None,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
) -> JSONResponse:
    chosen = version_of(version)
    await caller(request)
    size = bounded_limit(limit)
    locations = roaming(request).locations
    page = await locations.page(offset, size, date_from, date_to)
    data = [codec.location(chosen, locations.us.ref, v).wire() for v in page.items]
    return reply(request, data, page_headers(request, offset, size, page.total))


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
