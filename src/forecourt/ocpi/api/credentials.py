"""Versions, version details and the credentials module (credentials §7.2)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from forecourt.ocpi.api.common import caller, ocpi_router, roaming, version_of
from forecourt.ocpi.api.transport import json_body, reply
from forecourt.ocpi.domain.versions import OUR_ENDPOINTS, SUPPORTED
from forecourt.ocpi.schemas.codec import PydanticCodec

router = ocpi_router()
CODEC = PydanticCodec()


@router.get("/versions")
async def versions(request: Request) -> JSONResponse:
    await caller(request, registered=False)
    base = roaming(request).credentials.us.base_url
    return reply(request, [{"version": v.value, "url": f"{base}/{v.value}"} for v in SUPPORTED])


@router.get("/{version}")
async def details(version: str, request: Request) -> JSONResponse:
    chosen = version_of(version)
    await caller(request, registered=False)
    base = f"{roaming(request).credentials.us.base_url}/{chosen.value}"
    endpoints = [
        {"identifier": module.value, "role": role.value, "url": f"{base}/{module.value}"}
        for module, role in OUR_ENDPOINTS[chosen]
    ]
    return reply(request, {"version": chosen.value, "endpoints": endpoints})


@router.get("/{version}/credentials")
async def get_credentials(version: str, request: Request) -> JSONResponse:
    chosen = version_of(version)
    party = await caller(request, registered=False)
    us = roaming(request).credentials.us
    return reply(request, CODEC.credentials(chosen, us, party.token_in))


@router.post("/{version}/credentials")
async def post_credentials(version: str, request: Request) -> JSONResponse:
    return await _register(version, request, first=True)


@router.put("/{version}/credentials")
async def put_credentials(version: str, request: Request) -> JSONResponse:
    return await _register(version, request, first=False)


@router.delete("/{version}/credentials")
async def delete_credentials(version: str, request: Request) -> JSONResponse:
    version_of(version)
    party = await caller(request, registered=False)
    credentials = roaming(request).credentials
    credentials.check_registered(party)
    await credentials.forget(party)
    return reply(request, None)


async def _register(version: str, request: Request, first: bool) -> JSONResponse:
    chosen = version_of(version)
    party = await caller(request, registered=False)
    credentials = roaming(request).credentials
    if first:
        credentials.check_post(party)
    else:
        credentials.check_registered(party)
    theirs = CODEC.parse_credentials(chosen, await json_body(request))
    token_c = await credentials.accept(party, theirs)
    return reply(request, CODEC.credentials(chosen, credentials.us, token_c))
