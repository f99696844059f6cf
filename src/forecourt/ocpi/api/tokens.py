"""Tokens, receiver interface (mod_tokens §12.2.2): the eMSP pushes its tokens to us."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import JSONResponse

from forecourt.ocpi.api.common import caller, ocpi_router, roaming, version_of
from forecourt.ocpi.api.transport import json_body, reply, unknown
from forecourt.ocpi.domain.status import StatusCode, invalid
from forecourt.ocpi.domain.tokens import RoamingToken, TokenType
from forecourt.ocpi.schemas.tokens import parse_token

router = ocpi_router()
PATH = "/{version}/tokens/{country_code}/{party_id}/{token_uid}"
TypeQuery = Annotated[TokenType, Query(alias="type")]


@router.get(PATH)
async def get_token(
    version: str,
    country_code: str,
    party_id: str,
    token_uid: str,
    request: Request,
    token_type: TypeQuery = TokenType.RFID,
) -> JSONResponse:
    version_of(version)
    found = await _stored(request, country_code, party_id, token_uid, token_type)
    return reply(request, found.raw)


@router.put(PATH)
async def put_token(
    version: str,
    country_code: str,
    party_id: str,
    token_uid: str,
    request: Request,
    token_type: TypeQuery = TokenType.RFID,
) -> JSONResponse:
    version_of(version)
    party = await caller(request)
    token = parse_token(await json_body(request))
    url_key = (country_code, party_id, token_uid, token_type)
    if (token.country_code, token.party_id, token.uid, token.type) != url_key:
        raise invalid("the token's country_code, party_id, uid and type must match the URL")
    await roaming(request).tokens.put(party, token)
    return reply(request, None)


@router.patch(PATH)
async def patch_token(
    version: str,
    country_code: str,
    party_id: str,
    token_uid: str,
    request: Request,
    token_type: TypeQuery = TokenType.RFID,
) -> JSONResponse:
    version_of(version)
    changes = await json_body(request)
    if not isinstance(changes, dict) or "last_updated" not in changes:
        raise invalid("a PATCH is an object with last_updated (transport_and_format §3.2)")
    found = await _stored(request, country_code, party_id, token_uid, token_type)
    fixed = {"country_code", "party_id", "uid", "type"}
    if any(changes.get(k, (found.raw or {}).get(k)) != (found.raw or {}).get(k) for k in fixed):
        raise invalid("a PATCH cannot change country_code, party_id, uid or type")
    merged: dict[str, Any] = {**(found.raw or {}), **changes}
    party = await caller(request)
    await roaming(request).tokens.put(party, parse_token(merged))
    return reply(request, None)


async def _stored(
    request: Request, country_code: str, party_id: str, uid: str, token_type: TokenType
) -> RoamingToken:
    party = await caller(request)
    tokens = roaming(request).tokens
    found = await tokens.get(party, country_code, party_id, uid, token_type)
    if found is None:
        raise unknown(f"token {country_code}-{party_id} {uid}", StatusCode.UNKNOWN_TOKEN)
    return found
