"""Tokens, receiver interface (mod_tokens §12.2.2): the eMSP pushes its tokens to us."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import JSONResponse

from forecourt.ocpi.api.common import caller, ocpi_router, roaming, version_of
from forecourt.ocpi.api.transport import json_body, reply, unknown
from forecourt.ocpi.domain.status import StatusCode, invalid
from forecourt.ocpi.domain.tokens import RoamingToken, TokenType
from forecourt.ocpi.schemas.tokens import parse_token

router = ocpi_router()
PATH = "/{version}/tokens/{country_code}/{party_id}/{token_uid}"
_FIXED = ("country_code", "party_id", "uid", "type")  # what names a token: never patched


@dataclass(frozen=True, slots=True)
class TokenPath:
    """The token a URL names (version checked; ``type`` defaults to RFID, §12.2.2)."""

    country_code: str
    party_id: str
    uid: str
    type: TokenType

    def names(self, token: RoamingToken) -> bool:
        return (token.country_code, token.party_id, token.uid, token.type) == (
            self.country_code,
            self.party_id,
            self.uid,
            self.type,
        )


def _path(
    version: str,
    country_code: str,
    party_id: str,
    token_uid: str,
    token_type: Annotated[TokenType, Query(alias="type")] = TokenType.RFID,
) -> TokenPath:
    version_of(version)
    return TokenPath(country_code, party_id, token_uid, token_type)


Named = Annotated[TokenPath, Depends(_path)]


@router.get(PATH)
async def get_token(path: Named, request: Request) -> JSONResponse:
    return reply(request, (await _stored(request, path)).raw)


@router.put(PATH)
async def put_token(path: Named, request: Request) -> JSONResponse:
    party = await caller(request)
    token = parse_token(await json_body(request))
    if not path.names(token):
        raise invalid("the token's country_code, party_id, uid and type must match the URL")
    await roaming(request).tokens.put(party, token)
    return reply(request, None)


@router.patch(PATH)
async def patch_token(path: Named, request: Request) -> JSONResponse:
    changes = await json_body(request)
    if not isinstance(changes, dict) or "last_updated" not in changes:
        raise invalid("a PATCH is an object with last_updated (transport_and_format §3.2)")
    found = await _stored(request, path)
    stored: dict[str, Any] = dict(found.raw or {})
    if any(changes.get(k, stored.get(k)) != stored.get(k) for k in _FIXED):
        raise invalid("a PATCH cannot change country_code, party_id, uid or type")
    await roaming(request).tokens.put(await caller(request), parse_token({**stored, **changes}))
    return reply(request, None)


async def _stored(request: Request, path: TokenPath) -> RoamingToken:
    party = await caller(request)
    found = await roaming(request).tokens.get(
        party, path.country_code, path.party_id, path.uid, path.type
    )
    if found is None:
        raise unknown(
            f"token {path.country_code}-{path.party_id} {path.uid}", StatusCode.UNKNOWN_TOKEN
        )
    return found
