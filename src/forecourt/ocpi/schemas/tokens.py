"""mod_tokens objects: Token (§12.3.2, the same fields in 2.2.1 and 2.3.0) and AuthorizationInfo."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, ValidationError

from forecourt.ocpi.domain.status import invalid
from forecourt.ocpi.domain.tokens import Allowed, RoamingToken, TokenType, Whitelist
from forecourt.ocpi.schemas.codec import _first
from forecourt.ocpi.schemas.common import CiString2, CiString3, OcpiModel


class Token(OcpiModel):
    country_code: str = CiString2
    party_id: str = CiString3
    uid: str = Field(min_length=1, max_length=36)
    type: TokenType
    contract_id: str = Field(min_length=1, max_length=36)
    visual_number: str | None = Field(default=None, max_length=64)
    issuer: str = Field(min_length=1, max_length=64)
    group_id: str | None = Field(default=None, max_length=36)
    valid: bool
    whitelist: Whitelist
    language: str | None = Field(default=None, max_length=2)
    default_profile_type: str | None = None
    energy_contract: dict[str, Any] | None = None
    last_updated: datetime


class AuthorizationInfo(OcpiModel):
    allowed: Allowed
    token: Token
    authorization_reference: str | None = Field(default=None, max_length=36)


def parse_token(data: Any) -> RoamingToken:
    try:
        return roaming_token(Token.model_validate(data))
    except ValidationError as exc:
        raise invalid(f"token: {_first(exc)}") from exc


def parse_answer(data: Any) -> tuple[Allowed, RoamingToken] | None:
    """An eMSP's AuthorizationInfo (§12.4.2), or None when the body is not one."""
    try:
        info = AuthorizationInfo.model_validate(data)
    except ValidationError:
        return None
    return info.allowed, roaming_token(info.token)


def roaming_token(token: Token) -> RoamingToken:
    return RoamingToken(
        token.country_code,
        token.party_id,
        token.uid,
        token.type,
        token.contract_id,
        token.valid,
        token.whitelist,
        token.last_updated,
        token.group_id,
        token.wire(),
    )
