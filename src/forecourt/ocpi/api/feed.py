"""The public feed: our locations with live EVSE status, as OCPI Location objects, for maps
and regulators that require real-time availability. No token; rate-limited per client;
read-only; only locations marked ``publish`` (they have coordinates)."""

from __future__ import annotations

import time

from fastapi import Request
from fastapi.responses import JSONResponse

from forecourt.ocpi.api.common import ocpi_router, roaming, version_of
from forecourt.ocpi.api.transport import Paging, page_headers, reply
from forecourt.ocpi.domain.rate import RateLimit
from forecourt.ocpi.domain.status import OcpiError, StatusCode
from forecourt.ocpi.schemas import codec
from forecourt.services.throttle import requester_key

router = ocpi_router()
FEED_LIMIT_KEY = "ocpi_feed_limit"


def _admit(request: Request) -> None:
    limit: RateLimit = getattr(request.app.state, FEED_LIMIT_KEY)
    address = request.client.host if request.client else "unknown"
    if not limit.admit(requester_key(address), time.monotonic()):
        raise OcpiError(StatusCode.CLIENT_ERROR, "too many requests: slow down", 429)


@router.get("/feed/{version}/locations")
async def public_locations(version: str, request: Request, paging: Paging) -> JSONResponse:
    chosen = version_of(version)
    _admit(request)
    locations = roaming(request).locations
    published = [
        built
        for built in (codec.location(chosen, locations.us.ref, v) for v in await locations.all())
        if built.publish
    ]
    data = [item.wire() for item in published[paging.offset : paging.offset + paging.limit]]
    return reply(request, data, page_headers(request, paging, len(published)))
