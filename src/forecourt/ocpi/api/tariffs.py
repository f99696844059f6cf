"""Tariffs, sender interface (mod_tariffs §11.2.1): the list, paginated."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import JSONResponse

from forecourt.ocpi.api.common import caller, ocpi_router, roaming, version_of
from forecourt.ocpi.api.transport import bounded_limit, page_headers, reply
from forecourt.ocpi.schemas.tariffs import tariff

router = ocpi_router()


@router.get("/{version}/tariffs")
async def list_tariffs(
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
    tariffs = roaming(request).tariffs
    kept = [
        t
        for t in await tariffs.all()
        if (date_from is None or t.updated_at >= date_from)
        and (date_to is None or t.updated_at < date_to)
    ]
    data = [tariff(chosen, tariffs.us.ref, t).wire() for t in kept[offset : offset + size]]
    return reply(request, data, page_headers(request, offset, size, len(kept)))
