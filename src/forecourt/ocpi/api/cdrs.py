"""Roaming CDRs over the REST API (``/api/ocpi/cdrs``): what each partner was billed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from forecourt.api.deps import Context, Viewer
from forecourt.api.problems import problem_responses
from forecourt.domain.errors import NotFound
from forecourt.domain.limits import INT32_MAX
from forecourt.ocpi.domain.sessions import StoredCdr
from forecourt.ocpi.keys import OCPI

router = APIRouter(tags=["roaming"], responses=problem_responses(401, 403, 404, 422))


class CdrSummary(BaseModel):
    id: str
    transaction_id: int
    party_id: int
    currency: str
    total: str  # taxes included, major units
    kwh: float
    created_at: datetime

    @classmethod
    def of(cls, cdr: StoredCdr) -> CdrSummary:
        return cls(
            id=cdr.id,
            transaction_id=cdr.transaction_id,
            party_id=cdr.party_id,
            currency=cdr.currency,
            total=cdr.total,
            kwh=cdr.kwh,
            created_at=cdr.created_at,
        )


class CdrDetail(CdrSummary):
    bodies: dict[str, dict[str, Any]]  # OCPI version -> the CDR object as sent


@router.get("/ocpi/cdrs", summary="Roaming CDRs, newest first")
async def list_cdrs(
    context: Context,
    _: Viewer,
    party: Annotated[
        int | None, Query(ge=1, le=INT32_MAX, description="Only this partner's.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[CdrSummary]:
    found = await context.services.feature(OCPI).cdrs.listing(party, limit)
    return [CdrSummary.of(c) for c in found]


@router.get("/ocpi/cdrs/{cdr_id}", summary="One roaming CDR, with its OCPI objects")
async def get_cdr(
    cdr_id: Annotated[str, Path(max_length=39)], context: Context, _: Viewer
) -> CdrDetail:
    found = await context.services.feature(OCPI).cdrs.one(cdr_id)
    if found is None:
        raise NotFound("CDR", cdr_id)
    return CdrDetail(**CdrSummary.of(found).model_dump(), bodies=found.bodies)
