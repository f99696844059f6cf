"""Tokens and API keys: request and response models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from forecourt.api.schemas.base import Input, UtcDatetime
from forecourt.domain.tokens import TokenKind, TokenRecord
from forecourt.ports.repositories import ApiKey
from forecourt.services.access import Role, shown_token


# -- tokens ----------------------------------------------------------------------------------
class TokenCreate(Input):
    value: str = Field(min_length=1, max_length=255, description="Card UID, eMAID, MAC...")
    kind: TokenKind = TokenKind.RFID
    blocked: bool = False
    expires_at: UtcDatetime | None = None
    group: str | None = Field(None, min_length=1, max_length=255)
    allow_concurrent: bool = False
    label: str = Field("", max_length=255)

    def to_domain(self) -> TokenRecord:
        return TokenRecord(**self.model_dump())


class TokenUpdate(Input):
    blocked: bool | None = None
    expires_at: UtcDatetime | None = None
    group: str | None = Field(None, max_length=255, description="Empty string leaves the group.")
    kind: TokenKind | None = None


class TokenOut(BaseModel):
    value: str
    kind: TokenKind
    blocked: bool
    expires_at: datetime | None
    group: str | None
    allow_concurrent: bool
    label: str

    @classmethod
    def from_domain(cls, token: TokenRecord, role: Role | None) -> TokenOut:
        """As ``role`` may see it (viewers: the last 4 characters of the value)."""
        return cls(
            value=shown_token(token.value, role) or "",
            kind=token.kind,
            blocked=token.blocked,
            expires_at=token.expires_at,
            group=token.group,
            allow_concurrent=token.allow_concurrent,
            label=token.label,
        )


# -- API keys --------------------------------------------------------------------------------
class ApiKeyCreate(Input):
    name: str = Field(min_length=1, max_length=100)
    role: Role = Role.VIEWER


class ApiKeyOut(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="Start of the key, to recognise it; never the key itself.")
    role: str
    created_at: datetime
    revoked: bool

    @classmethod
    def from_domain(cls, key: ApiKey) -> ApiKeyOut:
        return cls(
            id=key.id,
            name=key.name,
            prefix=key.prefix,
            role=key.role,
            created_at=key.created_at,
            revoked=key.revoked,
        )


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The key itself: shown once, store it now.")
