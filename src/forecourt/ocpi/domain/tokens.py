"""Tokens an eMSP issues (mod_tokens §12), and what their answers mean to our authorization rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from forecourt.domain.tokens import TokenKind, TokenRecord


class TokenType(StrEnum):
    AD_HOC_USER = "AD_HOC_USER"
    APP_USER = "APP_USER"
    OTHER = "OTHER"
    RFID = "RFID"


class Whitelist(StrEnum):
    """§12.4.4 WhitelistType: when we may decide from the pushed copy without asking."""

    ALWAYS = "ALWAYS"  # never ask: the copy decides
    ALLOWED = "ALLOWED"  # ask; if the eMSP cannot be reached, the copy decides
    ALLOWED_OFFLINE = "ALLOWED_OFFLINE"  # ask; only when unreachable may the copy decide
    NEVER = "NEVER"  # always ask; unreachable means not allowed

    @property
    def asks_first(self) -> bool:
        return self is not Whitelist.ALWAYS

    @property
    def copy_when_unreachable(self) -> bool:
        return self is not Whitelist.NEVER


class Allowed(StrEnum):
    """§12.4.1 AllowedType: the eMSP's real-time answer."""

    ALLOWED = "ALLOWED"
    BLOCKED = "BLOCKED"
    EXPIRED = "EXPIRED"
    NO_CREDIT = "NO_CREDIT"
    NOT_ALLOWED = "NOT_ALLOWED"


@dataclass(frozen=True, slots=True)
class RoamingToken:
    """A token as its eMSP pushed it to us (the fields we use; the rest stays in ``raw``)."""

    country_code: str
    party_id: str
    uid: str
    type: TokenType
    contract_id: str
    valid: bool
    whitelist: Whitelist
    last_updated: datetime
    group_id: str | None = None
    raw: dict[str, object] | None = None


def record_of(token: RoamingToken, allowed: Allowed, now: datetime) -> TokenRecord:
    """What the issuer said, as a token record our one rule evaluates (never a verdict here)."""
    return TokenRecord(
        value=token.uid,
        kind=kind_of(token.type),
        blocked=allowed in (Allowed.BLOCKED, Allowed.NO_CREDIT, Allowed.NOT_ALLOWED),
        expires_at=now - timedelta(seconds=1) if allowed is Allowed.EXPIRED else None,
        group=f"ocpi:{token.country_code}-{token.party_id}:{token.group_id}"
        if token.group_id
        else None,
        label=f"OCPI {token.country_code}-{token.party_id} {token.contract_id}",
    )


def copy_says(token: RoamingToken) -> Allowed:
    return Allowed.ALLOWED if token.valid else Allowed.NOT_ALLOWED


def kind_of(token_type: TokenType) -> TokenKind:
    return TokenKind.RFID if token_type is TokenType.RFID else TokenKind.CENTRAL


def type_for(kind: TokenKind) -> TokenType:
    """The OCPI type to look a station's token up under (1.6 carries no kind: RFID)."""
    return TokenType.RFID if kind in (TokenKind.RFID, TokenKind.LOCAL) else TokenType.APP_USER
