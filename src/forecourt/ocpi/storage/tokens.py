"""Rows of the tokens the eMSPs pushed (``ocpi_tokens``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from forecourt.ocpi.domain.tokens import RoamingToken, TokenType, Whitelist
from forecourt.ocpi.storage.token_tables import tokens
from forecourt.storage.context import DbContext


class SqlTokenRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def put_token(self, token: RoamingToken) -> None:
        key = (token.country_code, token.party_id, token.uid, token.type)
        values = {
            "contract_id": token.contract_id,
            "valid": token.valid,
            "whitelist": token.whitelist.value,
            "group_id": token.group_id,
            "last_updated": token.last_updated,
            "body": dict(token.raw or {}),
        }
        where = _key(*key)
        found = (await self._db.execute(select(tokens.c.id).where(where))).first()
        if found is None:
            names = ("country_code", "party_id", "uid", "type")
            await self._db.execute(
                tokens.insert().values(**dict(zip(names, key, strict=True)), **values)
            )
        else:
            await self._db.execute(tokens.update().where(tokens.c.id == found[0]).values(**values))

    async def token(
        self, country_code: str, party_id: str, uid: str, token_type: TokenType
    ) -> RoamingToken | None:
        row = (
            (
                await self._db.execute(
                    select(tokens).where(_key(country_code, party_id, uid, token_type))
                )
            )
            .mappings()
            .first()
        )
        return None if row is None else _token(row)

    async def all_tokens(self, limit: int) -> list[RoamingToken]:
        query = select(tokens).order_by(tokens.c.last_updated.desc(), tokens.c.id).limit(limit)
        return [_token(row) for row in (await self._db.execute(query)).mappings()]

    async def tokens_with_uid(self, uid: str) -> list[RoamingToken]:
        query = select(tokens).where(tokens.c.uid == uid).order_by(tokens.c.id)
        return [_token(row) for row in (await self._db.execute(query)).mappings()]


def _key(country_code: str, party_id: str, uid: str, token_type: TokenType) -> Any:
    return (
        (tokens.c.country_code == country_code)
        & (tokens.c.party_id == party_id)
        & (tokens.c.uid == uid)
        & (tokens.c.type == token_type.value)
    )


def _token(row: Mapping[Any, Any]) -> RoamingToken:
    return RoamingToken(
        row["country_code"],
        row["party_id"],
        row["uid"],
        TokenType(row["type"]),
        row["contract_id"],
        bool(row["valid"]),
        Whitelist(row["whitelist"]),
        row["last_updated"],
        row["group_id"],
        dict(row["body"]),
    )
