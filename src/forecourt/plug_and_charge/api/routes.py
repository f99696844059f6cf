"""Plug & Charge over HTTP: the trusted roots, and checking a contract as a station would."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from forecourt.api.deps import Context, Viewer
from forecourt.api.problems import problem_responses
from forecourt.api.schemas.base import Input
from forecourt.plug_and_charge.keys import PLUG_AND_CHARGE

router = APIRouter(tags=["plug and charge"], responses=problem_responses(401, 403, 422))


class RootOut(BaseModel):
    subject: str
    not_after: str
    fingerprint: str


class ContractCheckIn(Input):
    emaid: str = Field(min_length=1, max_length=36, description="The contract's eMAID.")
    certificate: str = Field(
        min_length=1, max_length=10000, description="PEM chain: contract first, then sub-CAs."
    )


class ContractCheckOut(BaseModel):
    status: str = Field(description="accepted, expired, revoked, chain_error, ...")


@router.get("/plug-and-charge/roots", summary="The V2G / MO roots contracts must chain to")
async def roots(context: Context, _: Viewer) -> list[RootOut]:
    checker = context.services.feature(PLUG_AND_CHARGE)
    return [RootOut(**vars(r)) for r in checker.trusted_roots()]


@router.post(
    "/plug-and-charge/check",
    summary="Check a contract certificate (chain, validity, OCSP) as an Authorize would",
)
async def check(body: ContractCheckIn, context: Context, _: Viewer) -> ContractCheckOut:
    checker = context.services.feature(PLUG_AND_CHARGE)
    status = await checker.check(body.emaid, body.certificate, [])
    return ContractCheckOut(status=status.value)
