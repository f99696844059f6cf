"""Sessions and CDRs, sender interfaces (mod_sessions §9.2.1, mod_cdrs §10.2.1): the calling
partner's own, paginated like locations (``date_from``/``date_to`` on ``last_updated``)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from forecourt.ocpi.api.common import caller, ocpi_router, roaming, version_of
from forecourt.ocpi.api.transport import Paging, page_headers, reply
from forecourt.ocpi.schemas.cdrs import session

router = ocpi_router()


@router.get("/{version}/sessions")
async def list_sessions(version: str, request: Request, paging: Paging) -> JSONResponse:
    chosen = version_of(version)
    party = await caller(request)
    services = roaming(request)
    found = await services.sessions.listing(party.id)
    kept = sorted((f for f in found if paging.keeps(f.last_updated)), key=lambda f: f.started_at)
    items = kept[paging.offset : paging.offset + paging.limit]
    data = [session(chosen, services.sessions.us.ref, f).wire() for f in items]
    return reply(request, data, page_headers(request, paging, len(kept)))


@router.get("/{version}/cdrs")
async def list_cdrs(version: str, request: Request, paging: Paging) -> JSONResponse:
    chosen = version_of(version)
    party = await caller(request)
    found = await roaming(request).cdrs.listing(party.id)
    kept = sorted((c for c in found if paging.keeps(c.created_at)), key=lambda c: c.created_at)
    items = kept[paging.offset : paging.offset + paging.limit]
    data = [c.bodies[chosen.value] for c in items]  # as made: a CDR never changes
    return reply(request, data, page_headers(request, paging, len(kept)))
