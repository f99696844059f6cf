"""Who may do what: identification tokens (drivers) and API keys (operators)."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update

from forecourt.domain.errors import NotFound
from forecourt.domain.tokens import TokenRecord
from forecourt.ports.repositories import ApiKey
from forecourt.storage.context import DbContext
from forecourt.storage.tables import api_keys, tokens


class SqlTokenRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def get(self, value: str) -> TokenRecord | None:
        row = (await self._db.execute(select(tokens).where(tokens.c.value == value))).first()
        return None if row is None else _token_from_row(row)

    async def list(self) -> builtins.list[TokenRecord]:
        rows = await self._db.execute(select(tokens).order_by(tokens.c.value))
        return [_token_from_row(row) for row in rows]

    async def add(self, token: TokenRecord) -> None:
        async with self._db.guarded(f"token {token.value!r}"):
            await self._db.execute(
                tokens.insert().values(value=token.value, **_token_values(token))
            )

    async def save(self, token: TokenRecord) -> None:
        statement = update(tokens).where(tokens.c.value == token.value).values(_token_values(token))
        if (await self._db.execute(statement)).rowcount == 0:
            raise NotFound("token", token.value)

    async def group_members(self, group: str) -> builtins.list[str]:
        query = select(tokens.c.value).where(tokens.c.group_name == group).order_by(tokens.c.value)
        return list((await self._db.execute(query)).scalars())


def _token_values(token: TokenRecord) -> dict[str, Any]:
    return {
        "kind": token.kind,
        "blocked": token.blocked,
        "expires_at": token.expires_at,
        "group_name": token.group,
        "allow_concurrent": token.allow_concurrent,
        "label": token.label,
    }


def _token_from_row(row: Row[Any]) -> TokenRecord:
    return TokenRecord(
        value=row.value,
        kind=row.kind,
        blocked=row.blocked,
        expires_at=row.expires_at,
        group=row.group_name,
        allow_concurrent=row.allow_concurrent,
        label=row.label,
    )


class SqlApiKeyRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add(self, name: str, prefix: str, key_hash: str, role: str, at: datetime) -> ApiKey:
        values = {"name": name, "prefix": prefix, "key_hash": key_hash, "role": role}
        statement = api_keys.insert().values(created_at=at, **values).returning(api_keys.c.id)
        key_id = (await self._db.execute(statement)).scalar_one()
        return ApiKey(key_id, name, prefix, key_hash, at, revoked=False, role=role)

    async def by_prefix(self, prefix: str) -> builtins.list[ApiKey]:
        """Revoked keys included: the caller tells "revoked" from "unknown"."""
        query = select(api_keys).where(api_keys.c.prefix == prefix).order_by(api_keys.c.id)
        return [_api_key_from_row(row) for row in await self._db.execute(query)]

    async def list(self) -> builtins.list[ApiKey]:
        rows = await self._db.execute(select(api_keys).order_by(api_keys.c.id))
        return [_api_key_from_row(row) for row in rows]

    async def revoke(self, key_id: int) -> bool:
        """True when the key exists (revoking twice is harmless)."""
        statement = update(api_keys).where(api_keys.c.id == key_id).values(revoked=True)
        return (await self._db.execute(statement)).rowcount > 0


def _api_key_from_row(row: Row[Any]) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        key_hash=row.key_hash,
        created_at=row.created_at,
        revoked=row.revoked,
        role=row.role,
    )
