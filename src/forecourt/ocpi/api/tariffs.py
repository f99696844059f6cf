"""Tariffs, sender interface (mod_tariffs §11.2.1): the list, paginated."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from forecourt.ocpi.api.common import caller, ocpi_router, roaming, version_of
from forecourt.ocpi.api.transport import Paging, page_headers, reply
from forecourt.ocpi.schemas.tariffs import tariff

router = ocpi_router()


@router.get("/{version}/tariffs")
async def list_tariffs(version: str, request: Request, paging: Paging) -> JSONResponse:
    chosen = version_of(version)
    await caller(request)
    tariffs = roaming(request).tariffs
    kept = [t for t in await tariffs.all() if paging.keeps(t.updated_at)]
    items = kept[paging.offset : paging.offset + paging.limit]
    data = [tariff(chosen, tariffs.us.ref, t).wire() for t in items]
    return reply(request, data, page_headers(request, paging, len(kept)))
